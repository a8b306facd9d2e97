"""Click-to-call through the bundled Kamailio, end to end: real gunicorn, the real agent (`manage.py
run_callcontrol`) with no SIPX_PROXY — PBX_SIP_RUNNING=1, as bin/run exports it after starting Kamailio, makes
the agent's proxy PBX_SIP_HOST:PBX_SIP_PORT (settings.py) — and SIPp phones registered at Kamailio as 200
(alice) and 201 (bob). PUT /my/call/201 as alice: Kamailio challenges the agent's INVITE (407), the agent answers
with alice's SIP password, 200's phone rings and answers, takes the REFER, and its INVITE to 201 goes through
Kamailio (challenged and answered with the phone's own credentials) to 201's phone. On SQLite, and on PostgreSQL
when the suite runs with a PostgreSQL DATABASE_URL. Skipped when kamailio or SIPp is absent."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.server.live import digest_header, parse_challenge
from tests.sip.conftest import SIP_PASSWORDS, WITH_KAMAILIO, KamailioPbx, LoggedProcess, free_udp_port

pytestmark = WITH_KAMAILIO


class Agent(LoggedProcess):
    """`manage.py run_callcontrol` on the pbx's database, its proxy left to settings.SIPX_PROXY's default."""

    stop_timeout = 20

    def __init__(self, pbx: KamailioPbx, tmp: Path):
        env = {k: v for k, v in pbx.server.env.items() if k != "SIPX_PROXY"}
        env.update(
            {
                "PBX_SIP_RUNNING": "1",
                "PBX_SIP_PORT": str(pbx.kamailio.port),
                "CALLCONTROL_SIP_PORT": str(free_udp_port()),
                "CALLCONTROL_SIP_BIND": "127.0.0.1",
                "CALLCONTROL_POLL_MS": "20",
            }
        )
        super().__init__(
            [sys.executable, "manage.py", "run_callcontrol"],
            tmp / "agent.log",
            env,
            "the call-control agent",
            lambda: "call-control agent: SIP on" in self.output(),
            timeout=60,
        )


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    tmp = tmp_path_factory.mktemp("kamailio-c2c")
    pbx = KamailioPbx(tmp, database_url)
    agent = None
    try:
        agent = Agent(pbx, tmp)
        pbx.agent = agent
        yield pbx
    finally:
        if agent is not None:
            agent.stop()
        pbx.stop()


def statuses(pbx: KamailioPbx, path: str) -> str:
    """The call controller's status lines of `path` (Digest as alice on the call-control port)."""
    port = pbx.server.callcontrol_port
    status, headers, body = pbx.server.request("GET", path, port=port)
    assert status == 401, body
    challenge = parse_challenge(next(v for k, v in headers if k.lower() == "www-authenticate"))
    auth = digest_header("alice", "1234", challenge["realm"], challenge["nonce"], "GET", path)
    status, _, body = pbx.server.request("GET", path, headers={"Authorization": auth}, port=port)
    assert status == 200, body
    return body.decode()


def test_put_my_call_rings_the_callers_phone_through_kamailio_then_the_callee(pbx):
    agent = pbx.agent
    assert f"proxy 127.0.0.1:{pbx.kamailio.port}" in agent.output()  # the bundled Kamailio, by default
    phone_port, callee_port = free_udp_port(), free_udp_port()
    assert pbx.register("200", SIP_PASSWORDS["200"], port=phone_port) == 0, pbx.kamailio.output()[-2000:]
    assert pbx.register("201", SIP_PASSWORDS["201"], port=callee_port) == 0, pbx.kamailio.output()[-2000:]
    callee = pbx.sipp("kamailio_answer.xml", "201", "201", SIP_PASSWORDS["201"], port=callee_port, timeout=30,
                      name="callee")  # fmt: skip
    phone = pbx.sipp("kamailio_c2c_phone.xml", "200", "200", SIP_PASSWORDS["200"], "-d", "1500", port=phone_port,
                     timeout=30, name="phone")  # fmt: skip
    try:
        time.sleep(0.5)  # both bind their ports
        status, _, body = pbx.server.request("PUT", "/sipxconfig/rest/my/call/201", basic=("alice", "1234"))
        assert status == 200 and body == b""
        for sipp in (phone, callee):
            assert sipp.wait() == 0, f"{sipp.name}:\n{sipp.output()[-4000:]}\n{agent.output()[-2000:]}"
    finally:
        phone.stop(), callee.stop()
    phone_log, callee_log = phone.message_log(), callee.message_log()
    # 200's phone got the agent's INVITE from Kamailio: the contact it registered, record-routed by Kamailio,
    # the click-to-call parameters gone with the lookup (only the phones rang, never voicemail).
    assert f"INVITE sip:200@127.0.0.1:{phone_port} SIP/2.0" in phone_log
    assert f"Record-Route: <sip:127.0.0.1:{pbx.kamailio.port};lr" in phone_log
    assert "Refer-To: <sip:201@example.org>" in phone_log
    # The phone's referred INVITE went through Kamailio (challenged with 407, answered with its credentials).
    assert "SIP/2.0 407 Proxy Authentication Required" in phone_log
    assert 'Proxy-Authorization: Digest username="200"' in phone_log
    # ... and reached 201's registered phone, relayed by Kamailio.
    assert f"INVITE sip:201@127.0.0.1:{callee_port} SIP/2.0" in callee_log
    assert f"Record-Route: <sip:127.0.0.1:{pbx.kamailio.port};lr" in callee_log
    assert "Referred-By: <sip:200@example.org>" in callee_log
    # The agent's own INVITE was challenged by Kamailio and answered with alice's SIP password.
    lines = statuses(pbx, "/callcontroller/200/201")
    for line in ("SIP/2.0 407 Proxy Authentication Required", "SIP/2.0 180 Ringing", "SIP/2.0 200 OK"):
        assert f"<method>INVITE</method>\n\t<status-line>{line}</status-line>" in lines, lines
    assert "<method>NOTIFY</method>\n\t<status-line>SIP/2.0 200 OK</status-line>" in lines
    assert "alicesip200" not in agent.output() and "alicesip200" not in lines
