"""Every way a user changes leaves an audit entry naming who, through what and from where: the admin pages (edit,
disable, delete; group pages), the portal (forwarding, contact information, voicemail PIN, feed key), the sipXconfig
/my URIs (with a PIN or an API token) and import_pbx (the OS user, or --as). Secrets never enter the log."""

import getpass
import json

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.audit.services import MASK
from apps.users import tokens
from apps.users.models import User, UserGroup
from tests.conftest import REST, basic, count_queries
from tests.pbxdata.helpers import doc, run_import


def last(kind: str = "user", key: str = "200") -> AuditEntry:
    return AuditEntry.objects.filter(kind=kind, key=key).order_by("-id").first()


def who(entry: AuditEntry) -> tuple[str, str, str]:
    return entry.actor, entry.channel, entry.address


# ---- the admin pages -------------------------------------------------------------------------------------------


def user_post(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "aliases": ", ".join(user.aliases),
        "im_id": user.im_id,
        "im_enabled": "on" if user.im_enabled else None,
        "perm_voicemail": "on",
        "is_active": "on",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_the_user_page_records_an_edit_as_the_admin_through_the_pages(admin_client, alice):
    response = admin_client.post(
        reverse("users:user_edit", args=[alice.pk]), user_post(alice, last_name="Jones", sip_password="newsip77")
    )
    assert response.status_code == 302
    entry = last()
    assert who(entry) == ("superadmin", "page", "127.0.0.1") and entry.action == "update"
    assert entry.changes["last_name"] == ["Smith", "Jones"]
    assert entry.changes["sip_password"] == [MASK, MASK] and "newsip77" not in json.dumps(entry.changes)


def test_disabling_a_user_on_the_page_is_recorded(admin_client, alice):
    admin_client.post(reverse("users:user_edit", args=[alice.pk]), user_post(alice, is_active=None))
    assert last().changes == {"is_active": [True, False]}


def test_the_delete_page_deletes_through_the_service_and_records_it(admin_client, alice):
    response = admin_client.post(reverse("users:user_delete", args=[alice.pk]))
    assert response.status_code == 302 and not User.objects.filter(pk=alice.pk).exists()
    entry = last()
    assert (entry.action, who(entry)) == ("delete", ("superadmin", "page", "127.0.0.1"))


def test_the_group_pages_record_create_change_and_delete(admin_client, db):
    admin_client.post(reverse("users:group_add"), {"name": "support", "description": "Help"})
    group = UserGroup.objects.get(name="support")
    admin_client.post(reverse("users:group_edit", args=[group.pk]), {"name": "support", "description": "Helpdesk"})
    response = admin_client.post(reverse("users:group_delete", args=[group.pk]))
    assert response.status_code == 302 and not UserGroup.objects.filter(name="support").exists()
    entries = AuditEntry.objects.filter(kind="group", key="support").order_by("id")
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert {who(e) for e in entries} == {("superadmin", "page", "127.0.0.1")}
    assert entries[1].changes == {"description": ["Help", "Helpdesk"]}


# ---- the portal --------------------------------------------------------------------------------------------------


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_the_portal_forwarding_page_records_the_rings_as_the_user(alice_client, alice):
    data = {
        "timer": "45",
        "rings-TOTAL_FORMS": "1",
        "rings-INITIAL_FORMS": "0",
        "rings-MIN_NUM_FORMS": "0",
        "rings-MAX_NUM_FORMS": "1000",
        "rings-0-number": "777",
        "rings-0-expiration": "15",
        "rings-0-type": "At the same time",
        "rings-0-enabled": "on",
    }
    assert alice_client.post(reverse("portal:forward"), data).status_code == 302
    entry = last()
    assert who(entry) == ("200", "page", "127.0.0.1")
    assert entry.changes["call_forward_timer"] == [20, 45]
    before, after = entry.changes["rings"]
    assert [r["number"] for r in before] == ["5551234", "sip:alice@mobile.example.net"]
    assert after == [{"number": "777", "expiration": 15, "type": "At the same time", "enabled": True}]


def test_the_portal_contact_page_records_the_changed_fields_only(alice_client, alice):
    data = {"first_name": "Alicia", "last_name": "Smith", "job_title": "Sales Lead", "office_address-city": "Cambridge"}
    data |= {"company_name": "Example Inc", "email_address": "alice@example.org"}
    assert alice_client.post(reverse("portal:contact"), data).status_code == 302
    entry = last()
    assert who(entry) == ("200", "page", "127.0.0.1")
    assert entry.changes == {
        "office_address": [{"city": "Boston"}, {"city": "Cambridge"}],
        "first_name": ["Alice", "Alicia"],
    }


def test_the_portal_voicemail_pin_and_feed_key_are_recorded_masked(alice_client, alice):
    old_key = alice.feed_key
    alice_client.post(reverse("portal:voicemail_pin"), {"new_pin": "4826", "confirm_pin": "4826"})
    assert last().changes == {"voicemail_pin_hash": [MASK, MASK]}
    alice_client.post(reverse("portal:feed_key"))
    new_key = User.objects.get(pk=alice.pk).feed_key
    assert last().changes == {"feed_key": [MASK, MASK]}
    logged = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert old_key not in logged and new_key not in logged and "4826" not in logged


# ---- the sipXconfig /my URIs -------------------------------------------------------------------------------------


def test_a_my_uri_write_is_recorded_through_the_sipxconfig_uris(client, alice):
    body = "<call-sequence><rings/><expiration>33</expiration></call-sequence>"
    response = client.put(REST + "/my/forward", body, content_type="text/xml", **basic("alice", "1234"))
    assert response.status_code == 200
    entry = last()
    assert who(entry) == ("200", "rest", "127.0.0.1")  # the user name, whichever login name was used
    assert entry.changes["call_forward_timer"] == [20, 33] and entry.changes["rings"][1] == []
    response = client.put(REST + "/my/voicemail/pin/4826", **basic("alice", "1234"))
    assert response.status_code == 200 and last().changes == {"voicemail_pin_hash": [MASK, MASK]}


def test_a_my_uri_write_with_a_token_names_the_tokens_user(client, alice):
    _, secret = tokens.create_token(alice, "phone app", "write")
    body = "<contact-information><jobTitle>Engineer</jobTitle></contact-information>"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.put(REST + "/my/contact-information", body, content_type="text/xml", **headers)
    assert response.status_code == 200, response.content
    entry = last()
    assert who(entry) == ("200", "rest", "127.0.0.1")
    assert entry.changes["job_title"] == ["Sales Lead", "Engineer"]
    assert secret not in json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_a_refused_write_records_nothing(client, alice):
    count = AuditEntry.objects.count()
    body = "<call-sequence><rings/><expiration>5000</expiration></call-sequence>"
    response = client.put(REST + "/my/forward", body, content_type="text/xml", **basic("alice", "1234"))
    assert response.status_code == 400 and AuditEntry.objects.count() == count


# ---- import_pbx ----------------------------------------------------------------------------------------------


def users_doc(n: int, first_name: str = "First") -> dict:
    pin_hash = make_password("1234", salt="audit")  # the same hash each time: another salt would be a change
    return doc(users=[{"userName": str(10000 + i), "firstName": first_name, "pinHash": pin_hash} for i in range(n)])


def test_import_pbx_records_through_the_data_file_as_the_os_user(tmp_path, db):
    run_import(tmp_path, users_doc(2))
    entries = list(AuditEntry.objects.filter(kind="user").order_by("key"))
    assert [(e.key, e.action) for e in entries] == [("10000", "create"), ("10001", "create")]
    assert {who(e) for e in entries} == {(getpass.getuser(), "import", "")}
    assert entries[0].changes["pin"] == [MASK, MASK]


def test_import_pbx_as_names_the_actor(tmp_path, db):
    run_import(tmp_path, users_doc(1))
    run_import(tmp_path, users_doc(1, first_name="Second"), "--as", "nightly-sync")
    entry = last(key="10000")
    assert (who(entry), entry.changes) == (("nightly-sync", "import", ""), {"first_name": ["First", "Second"]})


def test_import_pbx_records_in_bulk(tmp_path, db):
    """The audit entries of an import cost the same queries for 10 users as for 500 (one INSERT per 500)."""
    small = count_queries(run_import, tmp_path, users_doc(10), "--replace")
    run_import(tmp_path, doc(), "--replace")  # deleting 10 users costs fewer queries than deleting none
    large = count_queries(run_import, tmp_path, users_doc(500), "--replace")
    assert small == large, (small, large)
    imported = AuditEntry.objects.filter(channel="import", kind="user")
    assert imported.filter(action="create").count() == 510
    # --replace deleted the first file's 10 users before the second file came in: recorded as deletions
    assert imported.filter(action="delete").count() == 10
