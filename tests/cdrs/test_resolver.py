"""The call resolver: events folded into call records as sipXcdr did
(docs/callcontrol.md#call-records-and-active-calls), housekeeping."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.cdrs import resolver
from apps.cdrs.models import Cdr
from apps.cdrs.sipuri import aor_of, display_name, recipient_of, user_of

T = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def ev(kind, seconds=0, call_id="c1", **extra):
    return {"event_type": kind, "event_time": T + timedelta(seconds=seconds), "call_id": call_id, **extra}


R = ev("R", from_url='"Alice Smith" <sip:200@example.org>;tag=a', to_url="<sip:201@example.org>", from_tag="a")


@pytest.mark.django_db
def test_request_setup_end():
    resolver.store([R, ev("S", 4, to_tag="b", contact="<sip:201@10.1.1.20:5060>")])
    cdr = Cdr.objects.get()
    assert (cdr.caller_aor, cdr.caller_name, cdr.caller_user, cdr.callee_user) == (
        "<sip:200@example.org>",
        "Alice Smith",
        "200",
        "201",
    )
    assert cdr.termination == "I" and cdr.is_active and cdr.connect_time == T + timedelta(seconds=4)
    resolver.store([ev("E", 99)])
    cdr.refresh_from_db()
    assert cdr.termination == "C" and cdr.duration_seconds == 95 and not cdr.is_active


@pytest.mark.django_db
def test_transfer_failure_abandon_and_out_of_order():
    resolver.store([R, ev("S", 1), ev("T", 2), ev("E", 3)])
    assert Cdr.objects.get(call_id="c1").termination == "T"
    resolver.store([{**R, "call_id": "c2"}, ev("F", 5, call_id="c2", failure_status=486, failure_reason="Busy")])
    failed = Cdr.objects.get(call_id="c2")
    assert (failed.termination, failed.failure_status, failed.failure_reason) == ("F", 486, "Busy")
    resolver.store([{**R, "call_id": "c3"}, ev("E", 5, call_id="c3")])
    assert Cdr.objects.get(call_id="c3").termination == "A"
    # the end arrives in a batch before its start: sorted by time, one record
    resolver.store([ev("E", 9, call_id="c4"), {**R, "call_id": "c4"}, ev("S", 2, call_id="c4")])
    assert Cdr.objects.get(call_id="c4").termination == "C"


@pytest.mark.django_db
def test_housekeeping():
    now = T + timedelta(hours=9)
    resolver.store([R, ev("S", 1), {**R, "call_id": "ringing"}, {**R, "call_id": "fresh", "event_time": now}])
    assert resolver.housekeeping(now) == 2
    assert Cdr.objects.get(call_id="c1").termination == "U"
    assert Cdr.objects.get(call_id="ringing").termination == "F"
    assert Cdr.objects.get(call_id="fresh").termination == "R"


def test_sip_uri_helpers():
    assert aor_of('"A" <sip:200@example.org;transport=udp>;tag=1') == "<sip:200@example.org>"
    assert aor_of("sip:200@h;tag=1") == "<sip:200@h>"
    assert display_name('"Alice Smith" <sip:200@h>') == "Alice Smith" and display_name("<sip:200@h>") == ""
    assert user_of("<sip:200@example.org:5060>") == "200" and user_of("<sip:example.org>") == ""
    assert recipient_of("<sip:201@10.1.1.20:5060>") == "201" and recipient_of("<sip:10.1.1.20>") is None
