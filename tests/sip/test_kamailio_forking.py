"""Kamailio executing sipxweb's ring lists (apps/sipproxy/routing.py, pbx/kamailio/kamailio.cfg), end to end: real
gunicorn and Kamailio, SIPp phones on 127.0.0.1, short timers. On SQLite, and on PostgreSQL when the suite runs
with a PostgreSQL DATABASE_URL. Skipped without kamailio or SIPp; every SIPp is bounded in time."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.sip.conftest import KAMAILIO, SIPP, KamailioPbx, Sipp, free_udp_port

pytestmark = [
    pytest.mark.sip,
    pytest.mark.skipif(not KAMAILIO, reason="Kamailio is not installed (apt-get install kamailio ...)"),
    pytest.mark.skipif(not Path(SIPP).exists(), reason="SIPp is not installed (apt-get install sip-tester)"),
]


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    pbx = KamailioPbx(tmp_path_factory.mktemp("kfork"), database_url)
    yield pbx
    pbx.stop()


def make_user(pbx: KamailioPbx, name: str, timer: int = 20, rings: tuple = ()) -> None:
    """User `name` (SIP password sip<name>, voicemail allowed) ringing its phones `timer` s, then `rings`:
    (number, seconds, 'delayed' | 'parallel')."""
    pbx.shell(
        "from apps.users.models import Ring\n"
        "from apps.users.services import create_user\n"
        f"u = create_user({name!r}, pin='1234', sip_password='sip{name}', call_forward_timer={timer})\n"
        f"for i, (number, seconds, kind) in enumerate({list(rings)!r}):\n"
        "    Ring.objects.create(user=u, position=i, number=number, expiration=seconds,\n"
        "                        type=Ring.Type.PARALLEL if kind == 'parallel' else Ring.Type.DELAYED)\n"
    )


def phone(pbx: KamailioPbx, user: str, scenario: str, timeout: int = 30) -> Sipp:
    """A registered phone of `user` playing `scenario` (answer, noanswer, busy) for one call."""
    port = free_udp_port()
    assert pbx.register(user, f"sip{user}", port=port) == 0, pbx.kamailio.output()[-2000:]
    return Sipp(pbx.tmp, scenario, port, "-s", user, "-timeout_error", f"127.0.0.1:{pbx.kamailio.port}",
                name=f"p{user}-{port}", timeout=timeout)  # fmt: skip


def first_invite_at(sipp: Sipp) -> float:
    """When the phone got its INVITE (SIPp's message trace, microseconds)."""
    log = sipp.message_log()
    head = log.split("----------------------------------------------- ", 1)[1].split("\n", 1)[0]
    assert "INVITE sip:" in log, log[-1500:]
    return datetime.fromisoformat(head.strip()).timestamp()


def last_cdr(pbx: KamailioPbx, caller: str) -> dict:
    return json.loads(
        pbx.shell(
            "import json\nfrom apps.cdrs.models import Cdr\n"
            f"c = Cdr.objects.filter(caller_user={caller!r}).latest('start_time')\n"
            "print(json.dumps({'callee': c.callee_user, 'termination': c.termination,\n"
            "    'ringing': (c.connect_time - c.start_time).total_seconds(),\n"
            "    'duration': (c.end_time - c.connect_time).total_seconds()}))"
        )
        .strip()
        .splitlines()[-1]
    )


def test_no_answer_rings_the_next_group_after_the_timer_and_the_history_has_the_talk_time(pbx):
    make_user(pbx, "220", timer=2, rings=[("221", 10, "delayed")])
    make_user(pbx, "221")
    own = phone(pbx, "220", "kamailio_noanswer.xml")
    forwarded = phone(pbx, "221", "kamailio_answer.xml")
    time.sleep(0.5)
    caller = pbx.sipp("kamailio_call.xml", "220", "200", "alicesip200", "-d", "3000", timeout=30)
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
    assert own.wait() == 0, own.output()[-2000:]  # rang, then cancelled by Kamailio
    assert forwarded.wait() == 0, forwarded.output()[-2000:]
    # 221 rang only when 220's 2 s were over.
    assert 1.8 <= first_invite_at(forwarded) - first_invite_at(own) < 4
    deadline = time.monotonic() + 10
    while (cdr := last_cdr(pbx, "200"))["termination"] != "C" and time.monotonic() < deadline:
        time.sleep(0.2)
    # The history: answered by 220's ring list after 2 s of ringing, talked for the caller's 3 s.
    assert cdr["callee"] == "220" and cdr["termination"] == "C", cdr
    assert 1.8 <= cdr["ringing"] < 5, cdr
    assert 2.7 <= cdr["duration"] < 5, cdr


def test_an_at_the_same_time_ring_forks_in_parallel(pbx):
    make_user(pbx, "230", timer=8, rings=[("231", 8, "parallel")])
    make_user(pbx, "231")
    own = phone(pbx, "230", "kamailio_noanswer.xml")
    beside = phone(pbx, "231", "kamailio_answer.xml")
    time.sleep(0.5)
    started = time.monotonic()
    caller = pbx.sipp("kamailio_call.xml", "230", "200", "alicesip200", "-d", "200", timeout=30)
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
    # Both rang at once, and 231's answer ended 230's ringing long before the group's 8 s.
    assert time.monotonic() - started < 6
    assert abs(first_invite_at(beside) - first_invite_at(own)) < 0.5
    assert own.wait() == 0, own.output()[-2000:]
    assert beside.wait() == 0, beside.output()[-2000:]


def test_a_busy_and_failed_chain_ends_in_the_voicemail_uri(pbx):
    make_user(pbx, "240", timer=5, rings=[("241", 5, "delayed"), ("sip:nobody@127.0.0.1:1", 2, "delayed")])
    make_user(pbx, "241")
    own = phone(pbx, "240", "kamailio_busy.xml")
    busy = phone(pbx, "241", "kamailio_busy.xml")
    proxy = f"127.0.0.1:{pbx.kamailio.port}"
    voicemail = Sipp(pbx.tmp, "kamailio_answer.xml", pbx.voicemail_port, "-s", "240", "-timeout_error", proxy,
                     name="voicemail-240", timeout=30)  # fmt: skip
    time.sleep(0.5)
    started = time.monotonic()
    caller = pbx.sipp("kamailio_call.xml", "240", "200", "alicesip200", "-d", "300", timeout=30)
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
    assert time.monotonic() - started < 10
    for sipp in (own, busy, voicemail):
        assert sipp.wait() == 0, sipp.output()[-2000:]
    # In order: 240's phone busy, 241 busy, a URI that fails (no one there), then the voicemail URI of 240.
    assert first_invite_at(own) < first_invite_at(busy) < first_invite_at(voicemail)
    assert f"INVITE sip:240@127.0.0.1:{pbx.voicemail_port}" in voicemail.message_log()
