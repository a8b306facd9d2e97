"""What the SIP side gets wrong on purpose, and what it must not change: call events of calls nobody reported,
names a phone does not own, in-dialog requests for dialogs Kamailio never saw, a REGISTER flood. Each gets its
clear answer (or, once an address is blocked, none), and nothing stored is lost or changed.

The first tests post to /cse with Django's test client; the rest run real gunicorn and Kamailio with SIPp phones
(skipped when either is absent; .ci/run installs both). The route lookup's own bad input is in
tests/sipproxy/test_route_api.py."""

from __future__ import annotations

import json
import logging
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from apps.cdrs.models import CallStateEvent, Cdr
from tests.conftest import REST, basic
from tests.sip.conftest import KAMAILIO, SIPP, Kamailio, KamailioPbx, Sipp, free_udp_port

SCENARIOS = Path(__file__).parent / "scenarios"


# ---- call events of unknown calls (POST /cse, Django's test client) --------------------------------------


def bearer() -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {settings.SIPPROXY_TOKEN}"}


def event(kind: str, call_id: str, ms: int, **more) -> dict:
    return {"observer": "kamailio", "event_type": kind, "event_time": str(1796145433000 + ms), "call_id": call_id,
            **more}  # fmt: skip


def post(client, events: list[dict], headers: dict):
    return client.post(REST + "/cse", json.dumps(events), "application/json", **headers)


def stored() -> list:
    return [
        list(Cdr.objects.order_by("pk").values()),
        list(CallStateEvent.objects.order_by("pk").values_list("pk", "event_type", "call_id")),
    ]


@pytest.fixture
def known_call(client, db):
    """A call the proxy reported (R) and that was answered (S)."""
    parties = {"from_url": "<sip:200@example.org>", "to_url": "<sip:201@example.org>", "from_tag": "a"}
    assert post(client, [event("R", "known", 0, **parties)], bearer()).status_code == 200
    assert post(client, [event("S", "known", 10, to_tag="b")], bearer()).status_code == 200
    return Cdr.objects.get(call_id="known")


@pytest.mark.parametrize("kind", ["S", "E", "F", "T"])
def test_the_proxys_event_of_a_call_it_never_reported_is_ignored_and_logged(client, known_call, caplog, kind):
    before = stored()
    extra = {"failure_status": "486", "failure_reason": "Busy"} if kind == "F" else {}
    with caplog.at_level(logging.WARNING, logger="apps.cdrs.resolver"):
        response = post(client, [event(kind, "never-seen", 20, **extra)], bearer())
    assert response.status_code == 200, response.content
    assert stored() == before
    assert any("never-seen" in r.getMessage() and "ignored" in r.getMessage() for r in caplog.records)
    # The call it did report still ends normally.
    assert post(client, [event("E", "known", 30)], bearer()).status_code == 200
    known_call.refresh_from_db()
    assert known_call.termination == "C" and known_call.end_time is not None


def test_an_admins_feed_may_still_send_a_calls_events_out_of_order(client, known_call, admin_user):
    # A feed batches events: an S before its R still makes the record the R completes (apps/cdrs/resolver.py).
    response = post(client, [event("S", "feed-call", 40, to_tag="t")], basic("superadmin", "admin1234"))
    assert response.status_code == 200
    assert Cdr.objects.filter(call_id="feed-call").exists()


# ---- through Kamailio ----------------------------------------------------------------------------------


def through_kamailio(test):
    for mark in (
        pytest.mark.sip,
        pytest.mark.skipif(not KAMAILIO, reason="Kamailio is not installed (apt-get install kamailio ...)"),
        pytest.mark.skipif(not Path(SIPP).exists(), reason="SIPp is not installed (apt-get install sip-tester)"),
    ):
        test = mark(test)
    return test


SECOND_ADDRESS = "127.0.0.2"  # Kamailio listens on 127.0.0.1; all of 127/8 reaches it on Linux's loopback


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    pbx = KamailioPbx(tmp_path_factory.mktemp("kamailio-badinput"), database_url)
    yield pbx
    pbx.stop()


def ending_with(pbx: KamailioPbx, scenario: str, status: int) -> str:
    """A copy of a tests/sip scenario whose authenticated request gets `status` (then, for an INVITE, the ACK)."""
    text = (SCENARIOS / scenario).read_text()
    if scenario == "kamailio_register.xml":
        head, _, _ = text.rpartition('<recv response="200"/>')
        body = head + f'<recv response="{status}"/>\n</scenario>\n'
    else:
        head, _, _ = text.partition('<recv response="100" optional="true"/>\n<recv response="180"')
        body = (
            head + f'<recv response="100" optional="true"/>\n<recv response="{status}"/>\n'
            "<send><![CDATA[\n\nACK sip:[service]@example.org SIP/2.0\n"
            "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
            'From: "Caller" <sip:[caller]@example.org>;tag=[call_number]\n'
            "To: <sip:[service]@example.org>[peer_tag_param]\nCall-ID: [call_id]\nCSeq: 2 ACK\n"
            "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n</scenario>\n"
        )
    path = pbx.tmp / f"{Path(scenario).stem}-{status}.xml"
    path.write_text(body)
    return str(path)


def cse_posts(pbx: KamailioPbx) -> int:
    return pbx.server.output().count("POST /sipxconfig/rest/cse")


def call_records(pbx: KamailioPbx) -> str:
    return pbx.shell(
        "from apps.cdrs.models import CallStateEvent, Cdr\n"
        "print(list(Cdr.objects.order_by('pk').values_list('call_id', 'termination', 'end_time')),"
        " CallStateEvent.objects.count())"
    ).strip()


@through_kamailio
def test_a_phone_may_register_and_call_only_as_its_own_user(pbx):
    # The To of a REGISTER and the From of a call: the name authenticated with, another name of the same user
    # (any case: the aliases view folds), never another user's name.
    assert pbx.register("200", "alicesip200") == 0
    assert pbx.sipp("kamailio_register.xml", "Alice", "200", "alicesip200").wait() == 0
    forbidden = ending_with(pbx, "kamailio_register.xml", 403)
    assert pbx.sipp(forbidden, "201", "200", "alicesip200").wait() == 0
    assert pbx.sipp(forbidden, "bob", "alice", "alicesip200").wait() == 0
    before = call_records(pbx)
    refused_call = ending_with(pbx, "kamailio_call.xml", 403)
    caller = Sipp(pbx.tmp, refused_call, free_udp_port(),
                  *("-s", "202", "-au", "200", "-ap", "alicesip200", "-key", "caller", "bob", "-timeout_error"),
                  f"127.0.0.1:{pbx.kamailio.port}", name="from-bob-as-alice", timeout=10)  # fmt: skip
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-2000:]
    time.sleep(0.5)  # an event would have been posted by now (the queue is read every 50 ms)
    assert call_records(pbx) == before


@through_kamailio
def test_an_in_dialog_request_for_a_dialog_kamailio_never_saw_is_404_and_reports_nothing(pbx):
    scenario = pbx.tmp / "stray_bye.xml"
    scenario.write_text(
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="stray bye">\n<send retrans="500"><![CDATA[\n'
        "BYE sip:201@example.org SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
        "From: <sip:200@example.org>;tag=never\nTo: <sip:201@example.org>;tag=seen\nCall-ID: [call_id]\n"
        "CSeq: 7 BYE\nMax-Forwards: 70\nContent-Length: 0\n\n]]></send>\n"
        '<recv response="404"/>\n</scenario>\n'
    )
    before, posts = call_records(pbx), cse_posts(pbx)
    bye = Sipp(pbx.tmp, str(scenario), free_udp_port(), "-timeout_error", f"127.0.0.1:{pbx.kamailio.port}",
               name="stray-bye", timeout=10)  # fmt: skip
    assert bye.wait() == 0, bye.output()[-3000:]
    time.sleep(0.5)
    assert (call_records(pbx), cse_posts(pbx)) == (before, posts)


@through_kamailio
def test_a_register_flood_blocks_the_flooding_address_only_and_stored_registrations_stay(pbx):
    flood = Kamailio(pbx.server, pbx.tmp, PIKE_DENSITY=20, PIKE_UNIT=2, FLOOD_BLOCK=60)
    proxy = f"127.0.0.1:{flood.port}"
    second = ("-i", SECOND_ADDRESS)
    try:
        # 201's phone registered from the second address before the flood.
        bob_port = free_udp_port()
        assert pbx.sipp("kamailio_register.xml", "201", "201", "bobsip201", *second, port=bob_port,
                        proxy_port=flood.port).wait() == 0  # fmt: skip
        # The flood: unauthenticated REGISTERs (each only challenged, none can register anything) from 127.0.0.1.
        scenario = pbx.tmp / "register_challenged.xml"
        text = (SCENARIOS / "kamailio_register.xml").read_text()
        scenario.write_text(text.partition('<recv response="401" auth="true"/>')[0] + '<recv response="401"/>\n'
                            "</scenario>\n")  # fmt: skip
        burst = Sipp(pbx.tmp, str(scenario), free_udp_port(), "-s", "200", "-r", "200", "-m", "300",
                     "-recv_timeout", "1000", proxy, name="flood", timeout=10)  # fmt: skip
        try:
            burst.proc.wait(30)
        except subprocess.TimeoutExpired:
            burst.stop()
        assert "blocking 127.0.0.1" in flood.output(), flood.output()[-2000:]
        assert f"blocking {SECOND_ADDRESS}" not in flood.output()
        # The flooding address gets no answer, even with the right password...
        assert pbx.register("200", "alicesip200", port=free_udp_port(), proxy_port=flood.port, timeout=4) != 0
        # ...another address registers and calls as before, and 201's registration from before the flood rings.
        assert pbx.sipp("kamailio_register.xml", "200", "200", "alicesip200", *second,
                        proxy_port=flood.port).wait() == 0  # fmt: skip
        callee = Sipp(pbx.tmp, "kamailio_answer.xml", bob_port, "-s", "201", "-timeout_error", *second, proxy,
                      name="bob-after-flood", timeout=30)  # fmt: skip
        time.sleep(0.5)
        caller = pbx.sipp("kamailio_call.xml", "bob", "200", "alicesip200", *second, "-d", "200",
                          proxy_port=flood.port, name="alice-after-flood", timeout=30)  # fmt: skip
        assert caller.wait() == 0, caller.output()[-3000:] + flood.output()[-3000:]
        assert callee.wait() == 0, callee.output()[-3000:]
    finally:
        flood.stop()
