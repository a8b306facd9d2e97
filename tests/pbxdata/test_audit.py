"""import_pbx writes every section through its app's services, so that each change is in the audit log as the pages
and the APIs record it (channel "import", the --as actor): the phonebook settings, the provisioning credential (its
password masked), the dial plan's service numbers, and what --replace deletes (shared and private phonebooks,
voicemail messages). An import that changes nothing records nothing."""

import pytest

from apps.audit.models import AuditEntry
from apps.audit.services import MASK
from apps.phonebooks.models import Phonebook, PhonebookSettings, PrivatePhonebook
from apps.provisioning.models import ProvisioningSettings
from apps.voicemail.models import Message
from tests.pbxdata.helpers import doc, export

pytestmark = pytest.mark.django_db

ACTOR = ("--as", "nightly-sync")


def entries(kind: str) -> list[tuple]:
    return [
        (e.actor, e.channel, e.key, e.action, e.changes) for e in AuditEntry.objects.filter(kind=kind).order_by("id")
    ]


def test_settings_are_recorded_with_their_changed_fields(import_file):
    import_file(doc(settings={"phonebookEveryone": True, "googleDomain": "example.org"}), *ACTOR)
    import_file(doc(settings={"phonebookEveryone": True, "googleDomain": "example.com"}), *ACTOR)
    import_file(doc(settings={"phonebookEveryone": True, "googleDomain": "example.com"}), *ACTOR)  # no change
    import_file(doc(), "--replace", *ACTOR)  # no settings in the file: back to the defaults
    assert entries("phonebook settings") == [
        (
            "nightly-sync",
            "import",
            "settings",
            "update",
            {"everyone": [False, True], "google_domain": [None, "example.org"]},
        ),
        ("nightly-sync", "import", "settings", "update", {"google_domain": ["example.org", "example.com"]}),
        (
            "nightly-sync",
            "import",
            "settings",
            "update",
            {"everyone": [True, False], "google_domain": ["example.com", None]},
        ),
    ]
    assert PhonebookSettings.objects.filter(everyone=False, google_domain=None).count() == 1


def test_the_settings_page_records_the_same_entry(import_file, admin_client):
    """One rule, whichever way the change arrives: the page and the file record the same object and fields."""
    admin_client.post("/phonebooks/settings/", {"everyone": "on", "google_domain": "example.org"})
    import_file(doc(settings={"phonebookEveryone": False, "googleDomain": None}))
    admin_client.post("/phonebooks/settings/", {"everyone": "on", "google_domain": "example.org"})
    page, file, page_again = [e[1:] for e in entries("phonebook settings")]
    assert (
        page
        == page_again
        == ("page", "settings", "update", {"everyone": [False, True], "google_domain": [None, "example.org"]})
    )
    assert file == ("import", "settings", "update", {"everyone": [True, False], "google_domain": ["example.org", None]})


def test_replace_on_an_empty_database_records_no_settings(import_file):
    import_file(doc(), "--replace")
    import_file(doc(settings={}), "--replace")  # the defaults, as stored: nothing changed
    assert entries("phonebook settings") == []


def test_replace_records_the_deleted_phonebooks(import_file):
    private = {"showOnPhone": False, "entries": [{"number": "7"}, {"number": "8"}]}
    book = {"name": "ops", "entries": [{"number": "1"}]}
    import_file(doc(users=[{"userName": "300", "privatePhonebook": private}], phonebooks=[book]))
    import_file(doc(), "--replace", *ACTOR)
    assert not Phonebook.objects.exists() and not PrivatePhonebook.objects.exists()
    deleted = [e for e in entries("phonebook") + entries("private phonebook") if e[3] == "delete"]
    assert deleted == [
        ("nightly-sync", "import", "ops", "delete", {}),
        ("nightly-sync", "import", "300", "delete", {}),
    ]


def test_replace_records_the_deleted_voicemail_messages(import_file):
    message = {"user": "300", "messageId": "0000000042", "received": "2026-11-20T09:15:00Z", "subject": "Hi"}
    import_file(doc(users=[{"userName": "300"}], voicemail=[message]))
    assert entries("message")[0][2:4] == ("300/0000000042", "create")
    import_file(doc(), "--replace", *ACTOR)
    assert not Message.objects.exists()
    assert entries("message")[1:] == [("nightly-sync", "import", "300/0000000042", "delete", {})]


def test_the_provisioning_credential_is_recorded_with_its_password_masked(import_file):
    credential = {"user": "phones", "password": "s3cret-phones"}
    import_file(doc(provisioning=credential), *ACTOR)
    import_file(doc(provisioning=credential), *ACTOR)  # no change
    import_file(doc(provisioning={**credential, "password": "other-secret"}), *ACTOR)
    import_file(doc(), "--replace", *ACTOR)  # no credential in the file: a new installation's, a new password
    assert entries("provisioning") == [
        ("nightly-sync", "import", "credential", "create", {"user": [None, "phones"], "password": [MASK, MASK]}),
        ("nightly-sync", "import", "credential", "update", {"password": [MASK, MASK]}),
        (
            "nightly-sync",
            "import",
            "credential",
            "update",
            {"user": ["phones", "provisioning"], "password": [MASK, MASK]},
        ),
    ]
    stored = ProvisioningSettings.objects.get()
    assert stored.user == "provisioning" and stored.password not in ("s3cret-phones", "other-secret")
    recorded = str(entries("provisioning"))
    assert not [secret for secret in ("s3cret-phones", "other-secret", stored.password) if secret in recorded]


def test_the_credential_page_records_the_same_entry(import_file, admin_client):
    ProvisioningSettings.objects.update_or_create(pk=1, defaults={"user": "provisioning", "password": "prov1234"})
    admin_client.post("/provisioning/", {"user": "phones", "password": "s3cret-phones"})
    import_file(doc(provisioning={"user": "provisioning", "password": "prov1234"}))
    page, file = [e[1:] for e in entries("provisioning")]
    assert page == ("page", "credential", "update", {"user": ["provisioning", "phones"], "password": [MASK, MASK]})
    assert file == ("import", "credential", "update", {"user": ["phones", "provisioning"], "password": [MASK, MASK]})


def test_the_dial_plan_is_recorded_with_the_changed_services(import_file):
    import_file(doc(dialPlan={"attendant": ["100", "0"], "voicemail": ["101"]}), *ACTOR)
    import_file(doc(dialPlan={"attendant": ["100", "0"], "voicemail": ["101"]}), *ACTOR)  # no change
    import_file(doc(dialPlan={"attendant": ["0", "100"], "voicemail": ["101"]}), *ACTOR)  # the order is the plan's
    import_file(doc(), "--replace", *ACTOR)  # no dial plan in the file: none
    import_file(doc(), "--replace", *ACTOR)  # none already: no change
    assert entries("dial plan") == [
        (
            "nightly-sync",
            "import",
            "service numbers",
            "update",
            {"attendant": [[], ["100", "0"]], "voicemail": [[], ["101"]]},
        ),
        ("nightly-sync", "import", "service numbers", "update", {"attendant": [["100", "0"], ["0", "100"]]}),
        (
            "nightly-sync",
            "import",
            "service numbers",
            "update",
            {"attendant": [["0", "100"], []], "voicemail": [["101"], []]},
        ),
    ]


def test_the_dial_plan_page_records_the_same_entry(import_file, admin_client):
    admin_client.post("/routing/dial-plan/", {"attendant": "100", "voicemail": "101"})
    import_file(doc(dialPlan={"attendant": ["100"], "voicemail": []}))
    page, file = [e[1:] for e in entries("dial plan")]
    assert page == ("page", "service numbers", "update", {"attendant": [[], ["100"]], "voicemail": [[], ["101"]]})
    assert file == ("import", "service numbers", "update", {"voicemail": [["101"], []]})


def test_an_import_of_the_exported_pbx_records_nothing_of_the_credential_or_the_dial_plan(import_file):
    import_file(doc(provisioning={"user": "p", "password": "12345678"}, dialPlan={"attendant": ["0"]}))
    AuditEntry.objects.all().delete()
    import_file(export())
    assert entries("provisioning") == entries("dial plan") == []


def test_replace_on_an_empty_database_records_the_new_credential(import_file):
    """--replace gives the PBX a new installation's credential (the default user, a new random password) and says so;
    the export then writes that one, and reading it creates nothing."""
    import_file(doc(), "--replace", *ACTOR)
    assert entries("provisioning") == [
        ("nightly-sync", "import", "credential", "create", {"user": [None, "provisioning"], "password": [MASK, MASK]})
    ]
    assert export()["provisioning"]["password"] == ProvisioningSettings.objects.get().password
