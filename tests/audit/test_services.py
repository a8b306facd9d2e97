"""apps/audit/services.py without pages: which fields differ, how secrets are masked, who is recorded."""

from datetime import datetime

import pytest

from apps.audit import services
from apps.audit.context import acting
from apps.audit.models import AuditEntry
from apps.audit.services import MASK, differences
from apps.audit.templatetags.audit import audit_changes, shown


def test_only_the_fields_that_differ():
    before = {"first_name": "Ann", "last_name": "Lee", "aliases": ["ann"], "is_admin": False}
    after = {"first_name": "Ann", "last_name": "Young", "aliases": ["ann", "al"], "is_admin": False, "im_id": "ann"}
    assert differences(before, after) == {
        "last_name": ["Lee", "Young"],
        "aliases": [["ann"], ["ann", "al"]],
        "im_id": [None, "ann"],
    }


def test_a_new_object_lists_every_field_set_and_values_become_json():
    when = datetime(2026, 1, 31, 8, 0)
    assert differences(None, {"name": "x", "expires": when, "rings": ({"n": 1},)}) == {
        "name": [None, "x"],
        "expires": [None, "2026-01-31 08:00:00"],
        "rings": [None, [{"n": 1}]],
    }


@pytest.mark.parametrize("field", ["pin", "voicemail_pin_hash", "sip_password", "feed_key", "accessCode", "secret"])
def test_secrets_are_masked_both_ways(field):
    assert differences({field: "old-8642"}, {field: "new-1357"}) == {field: [MASK, MASK]}
    assert differences({field: "same"}, {field: "same"}) == {}


def test_record_keeps_who_where_and_how_and_never_a_secret(db):
    with acting("import", name="ops", address="10.0.0.9"):
        services.record("user", 300, {"pin": "8642", "last_name": "Lee"}, {"pin": "1357", "last_name": "Young"})
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.channel, entry.address, entry.kind, entry.key, entry.action) == (
        "ops",
        "import",
        "10.0.0.9",
        "user",
        "300",
        "update",
    )
    assert entry.changes == {"pin": [MASK, MASK], "last_name": ["Lee", "Young"]}
    assert "8642" not in str(entry.changes) and "1357" not in str(entry.changes)


def test_an_unchanged_save_records_nothing_and_a_deletion_no_values(db):
    services.record("group", "sales", {"name": "sales"}, {"name": "sales"})
    assert not AuditEntry.objects.exists()
    services.record("group", "sales", {"name": "sales", "description": "x"}, None)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes, entry.channel, entry.actor) == ("delete", {}, "system", "")


def test_the_pages_show_values_as_text_and_secrets_as_changed():
    entry = AuditEntry(
        action="update",
        changes={
            "pin": [MASK, MASK],
            "rings": [[], [{"number": "555", "enabled": True}]],
            "office_address": [{"city": "Boston"}, None],
        },
    )
    assert audit_changes(entry) == [
        {"field": "pin", "before": MASK, "after": MASK, "secret": True},
        {"field": "rings", "before": "", "after": "number: 555, enabled: yes", "secret": False},
        {"field": "office_address", "before": "city: Boston", "after": "", "secret": False},
    ]
    assert shown(False) == "no" and shown(None) == "" and shown(["a", "b"]) == "a; b"
