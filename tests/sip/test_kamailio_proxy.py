"""The bundled Kamailio (pbx/kamailio, apps/sipproxy) end to end: real gunicorn, real Kamailio reading sipxweb's
database through the views, SIPp phones, all on 127.0.0.1. On SQLite, and on PostgreSQL when the suite runs
with a PostgreSQL DATABASE_URL (a fresh database beside it, dropped afterwards). Skipped when kamailio or
SIPp is absent (.ci/run installs both). Every SIPp and Kamailio is bounded in time and stopped by pid."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.sip.conftest import WITH_KAMAILIO, Kamailio, KamailioPbx, Sipp, free_udp_port

pytestmark = WITH_KAMAILIO


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    pbx = KamailioPbx(tmp_path_factory.mktemp("kamailio"), database_url)
    yield pbx
    pbx.stop()


# ---- registration ------------------------------------------------------------------------------------


def test_register_with_the_sip_password_by_name_and_alias_and_a_wrong_one_is_refused(pbx):
    assert pbx.register("200", "alicesip200") == 0, pbx.kamailio.output()[-2000:]
    assert pbx.register("alice", "alicesip200") == 0
    assert pbx.register("ALICE", "alicesip200") != 0  # a login name is exact, as in the REST Digest realm
    assert pbx.refused("201", "wrong") == 0  # challenged again, never 200
    assert pbx.refused("nobody", "whatever") == 0
    assert pbx.refused("202", "") == 0  # no SIP password: no credentials row at all


def test_a_changed_password_counts_at_once_and_a_deleted_user_cannot_register(pbx):
    pbx.shell(
        "from apps.users.services import create_user\n"
        "create_user('205', pin='1234', aliases=['eve'], sip_password='evesip205')\n"
    )
    assert pbx.register("eve", "evesip205") == 0
    pbx.shell("from apps.users.models import User\nUser.objects.filter(username='205').update(sip_password='new205')")
    assert pbx.refused("205", "evesip205") == 0
    assert pbx.register("205", "new205") == 0
    pbx.shell("from apps.users.models import User\nUser.objects.filter(username='205').delete()")
    assert pbx.refused("205", "new205") == 0
    assert pbx.refused("eve", "new205") == 0


# ---- a call ------------------------------------------------------------------------------------------


def test_200_calls_201_by_alias_the_call_is_active_for_both_and_in_the_history_after_bye(pbx):
    bob_port = free_udp_port()
    assert pbx.register("201", "bobsip201", port=bob_port) == 0
    before_alice, before_bob = len(pbx.active("alice")), len(pbx.active("bob"))
    callee = Sipp(pbx.tmp, "kamailio_answer.xml", bob_port, "-s", "201", "-timeout_error",
                  f"127.0.0.1:{pbx.kamailio.port}", name="bob-phone", timeout=40)  # fmt: skip
    time.sleep(0.5)
    caller = pbx.sipp("kamailio_call.xml", "bob", "200", "alicesip200", "-d", "4000", name="alice-phone", timeout=40)
    # Called by bob's alias (the service), authenticated as 200: Kamailio finds 201's phone.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        alice, bob = pbx.active("alice"), pbx.active("bob")
        if len(alice) > before_alice and len(bob) > before_bob:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the call never became active: {pbx.server.output()[-2000:]}")
    # Listed under the user names of both, whichever name was dialled.
    assert any(c["from"] == "200" and c["to"] == "201" for c in alice), alice
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
    assert callee.wait() == 0, callee.output()[-3000:]
    deadline = time.monotonic() + 10
    while len(pbx.active("alice")) != before_alice and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(pbx.active("alice")) == before_alice and len(pbx.active("bob")) == before_bob
    history = json.loads(
        pbx.shell(
            "import json\nfrom apps.cdrs.models import Cdr\n"
            "c = Cdr.objects.filter(caller_user='200').latest('start_time')\n"
            "print(json.dumps([c.callee_user, c.termination, (c.end_time - c.connect_time).total_seconds()]))"
        )
        .strip()
        .splitlines()[-1]
    )
    callee_user, termination, seconds = history
    assert callee_user == "201" and termination == "C"
    assert 3.5 <= seconds <= 8, seconds  # the caller hung up after 4 s


def test_a_call_to_an_unknown_number_is_404_and_to_an_unregistered_user_480(pbx):
    # 202 has no phone registered and no voicemail: nothing to ring.
    pbx.shell("from apps.users.models import User\nUser.objects.filter(username='202').update(perm_voicemail=False)")
    for number, status in (("999", "404"), ("202", "480")):
        scenario = pbx.tmp / f"refused-{number}.xml"
        text = (Path(__file__).parent / "scenarios" / "kamailio_call.xml").read_text()
        head, _, _ = text.partition('<recv response="100" optional="true"/>\n<recv response="180"')
        scenario.write_text(
            head + f'<recv response="100" optional="true"/>\n<recv response="{status}"/>\n'
            "<send><![CDATA[\n\nACK sip:[service]@example.org SIP/2.0\n"
            "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
            'From: "Caller" <sip:[caller]@example.org>;tag=[call_number]\n'
            "To: <sip:[service]@example.org>[peer_tag_param]\nCall-ID: [call_id]\nCSeq: 2 ACK\n"
            "Max-Forwards: 70\nContent-Length: 0\n\n]]></send>\n</scenario>\n"
        )
        caller = pbx.sipp(str(scenario), number, "200", "alicesip200", timeout=15)
        assert caller.wait() == 0, caller.output()[-3000:]


def test_an_unanswered_call_follows_the_ring_list_then_reaches_voicemail(pbx):
    pbx.shell(
        "from apps.users.models import Ring\n"
        "from apps.users.services import create_user\n"
        "u = create_user('210', pin='1234', sip_password='sip210', call_forward_timer=2)\n"
        "create_user('211', pin='1234', sip_password='sip211')\n"
        "Ring.objects.create(user=u, position=0, number='211', expiration=3, type=Ring.Type.DELAYED)\n"
    )
    first, second = free_udp_port(), free_udp_port()
    assert pbx.register("210", "sip210", port=first) == 0
    assert pbx.register("211", "sip211", port=second) == 0
    proxy = f"127.0.0.1:{pbx.kamailio.port}"
    ringing = Sipp(pbx.tmp, "kamailio_noanswer.xml", first, "-s", "210", "-timeout_error", proxy, name="p210",
                   timeout=30)  # fmt: skip
    busy = Sipp(pbx.tmp, "kamailio_busy.xml", second, "-s", "211", "-timeout_error", proxy, name="p211", timeout=30)
    voicemail = Sipp(pbx.tmp, "kamailio_answer.xml", pbx.voicemail_port, "-s", "210", "-timeout_error", proxy,
                     name="voicemail", timeout=30)  # fmt: skip
    time.sleep(0.5)
    started = time.monotonic()
    caller = pbx.sipp("kamailio_call.xml", "210", "200", "alicesip200", "-d", "500", name="caller", timeout=30)
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
    # 210's own phone rang its 2 s, 211 was busy at once, then voicemail answered.
    assert 2 <= time.monotonic() - started < 15
    for phone in (ringing, busy, voicemail):
        assert phone.wait() == 0, phone.output()[-3000:]


def test_without_sipxweb_registered_phones_still_call_each_other(pbx):
    # A Kamailio whose sipxweb URL answers nothing (a closed port): routes fall back to the registrations.
    orphan = Kamailio(pbx.server, pbx.tmp, web_url=f"http://127.0.0.1:{free_udp_port()}")
    try:
        bob_port = free_udp_port()
        assert pbx.register("201", "bobsip201", port=bob_port, proxy_port=orphan.port) == 0
        proxy = f"127.0.0.1:{orphan.port}"
        callee = Sipp(pbx.tmp, "kamailio_answer.xml", bob_port, "-s", "201", "-timeout_error", proxy,
                      name="bob-orphan", timeout=30)  # fmt: skip
        time.sleep(0.5)
        caller = pbx.sipp("kamailio_call.xml", "bob", "200", "alicesip200", "-d", "500", proxy_port=orphan.port,
                          name="alice-orphan", timeout=30)  # fmt: skip
        assert caller.wait() == 0, caller.output()[-3000:] + orphan.output()[-3000:]
        assert callee.wait() == 0, callee.output()[-3000:]
        assert "did not answer the route" in orphan.output()
    finally:
        orphan.stop()


# ---- blocking ------------------------------------------------------------------------------------------


def test_repeated_auth_failures_and_a_register_flood_block_the_address(pbx):
    # Each block is of 127.0.0.1, so each gets a Kamailio of its own on the same sipxweb.
    strict = Kamailio(pbx.server, pbx.tmp, AUTH_FAILURES_MAX=3, AUTH_WINDOW=60)
    try:
        for _ in range(3):
            assert pbx.refused("201", "wrong", proxy_port=strict.port) == 0
        # The right password no longer gets an answer: the address is blocked.
        assert pbx.register("201", "bobsip201", proxy_port=strict.port, timeout=4) != 0
        assert "blocking 127.0.0.1" in strict.output()
    finally:
        strict.stop()
    flood = Kamailio(pbx.server, pbx.tmp, PIKE_DENSITY=20, PIKE_UNIT=2, FLOOD_BLOCK=60)
    try:
        # SIPp's own result does not matter: once the address is blocked its REGISTERs go unanswered.
        burst = pbx.sipp("kamailio_register.xml", "200", "200", "alicesip200", "-r", "100", "-m", "300",
                         proxy_port=flood.port, timeout=8)  # fmt: skip
        try:
            burst.proc.wait(20)
        except subprocess.TimeoutExpired:
            burst.stop()
        assert "blocking 127.0.0.1" in flood.output(), flood.output()[-2000:]
        assert pbx.register("200", "alicesip200", proxy_port=flood.port, timeout=4) != 0
    finally:
        flood.stop()
    # The module's own Kamailio saw none of it.
    assert pbx.register("200", "alicesip200") == 0
