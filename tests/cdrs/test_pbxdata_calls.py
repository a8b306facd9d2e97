"""Calls in the PBX data file (docs/pbx-data.md): validation, import, export round trip, the demo's calls."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from apps.cdrs.models import Cdr
from apps.pbxdata.document import export_document, import_document
from apps.pbxdata.schema import PbxDataError

CALL = {
    "callId": "a84b4c76e66710",
    "from": '"Alice Smith" <sip:200@example.org>',
    "to": "<sip:201@example.org>",
    "calleeContact": "<sip:201@10.1.1.20:5060>",
    "start": "2026-11-27T10:00:00Z",
    "connect": "2026-11-27T10:00:04Z",
    "end": None,
    "termination": "I",
}


def doc(**sections):
    return {"format": "sipxweb-pbx", "version": 1, **sections}


@pytest.mark.django_db
def test_import_export_round_trip():
    done = {**CALL, "callId": "b2", "end": "2026-11-27T10:01:39Z", "termination": "C", "failureStatus": None}
    import_document(doc(calls=[CALL, done]))
    cdr = Cdr.objects.get(call_id="a84b4c76e66710")
    assert (cdr.caller_aor, cdr.caller_name, cdr.callee_user, cdr.is_active) == (
        "<sip:200@example.org>",
        "Alice Smith",
        "201",
        True,
    )
    exported = export_document()["calls"]
    assert exported[0] == CALL
    assert exported[1]["end"] == "2026-11-27T10:01:39Z" and exported[1]["termination"] == "C"
    import_document(doc(calls=exported), replace=True)
    assert export_document()["calls"] == exported


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"from": "alice"}, "calls[0].from"),
        ({"start": "yesterday"}, "calls[0].start"),
        ({"start": "2026-11-27T10:00:00"}, "calls[0].start"),
        ({"end": "2026-11-27T09:00:00Z"}, "calls[0].end"),
        ({"termination": "X"}, "calls[0].termination"),
        ({"colour": "red"}, "calls[0]"),
        ({"failureStatus": "486"}, "calls[0].failureStatus"),
    ],
)
@pytest.mark.django_db
def test_bad_calls_are_refused_by_path(change, where):
    with pytest.raises(PbxDataError) as info:
        import_document(doc(calls=[{**CALL, **change}]))
    assert info.value.path.startswith(where)
    assert not Cdr.objects.exists()


@pytest.mark.django_db
def test_duplicate_call_ids_are_refused():
    with pytest.raises(PbxDataError):
        import_document(doc(calls=[CALL, CALL]))


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_calls_relative_to_now():
    before = datetime.now(UTC)
    call_command("seed_demo")
    after = datetime.now(UTC)
    call_command("seed_demo")  # idempotent
    active = Cdr.objects.get(termination="I")
    assert (active.caller_user, active.callee_user, active.caller_name) == ("200", "201", "Alice Smith")
    # "5 minutes before seed_demo ran", whenever between before and after it read the clock (a busy machine)
    assert before - timedelta(minutes=5) <= active.start_time <= after - timedelta(minutes=5)
    done = Cdr.objects.get(termination="C")
    assert (done.caller_user, done.callee_user, done.duration_seconds) == ("202", "203", 95)
    assert done.start_time.date() == (before - timedelta(days=1)).date()
    assert Cdr.objects.count() == 2
    assert json.loads(json.dumps(export_document()["calls"]))[0]["callId"] == "demo-202-203-yesterday"
