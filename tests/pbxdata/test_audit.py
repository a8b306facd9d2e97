"""import_pbx writes every section through its app's services, so that each change is in the audit log as the pages
and the APIs record it (channel "import", the --as actor): the phonebook settings, and what --replace deletes
(shared and private phonebooks, voicemail messages)."""

import pytest

from apps.audit.models import AuditEntry
from apps.phonebooks.models import Phonebook, PhonebookSettings, PrivatePhonebook
from apps.voicemail.models import Message
from tests.pbxdata.helpers import doc

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
