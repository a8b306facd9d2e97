"""SIP over TCP against SIPp (`sipp -t t1`): with SIPX_PROXY `...;transport=tcp` the agent opens one TCP
connection to the phone and runs the whole INVITE transaction on it — the 401 challenge answered (SIPp
verifies the digest), the provisional and final responses read from the stream, and both ACKs sent back."""

import time
from pathlib import Path

import pytest

from tests.sip.conftest import SIPP, CallPbx, Sipp

pytestmark = [pytest.mark.sip, pytest.mark.server]

CC = "/callcontroller/201/202"


@pytest.fixture(scope="module")
def tcp_pbx(tmp_path_factory):
    if not Path(SIPP).exists():
        pytest.skip("SIPp is not installed (apt-get install sip-tester)")
    pbx = CallPbx(tmp_path_factory.mktemp("sip-tcp"), transport="tcp").start()
    yield pbx
    pbx.stop()


def test_a_call_over_tcp_is_challenged_rung_and_refused_on_one_connection(tcp_pbx, tmp_path):
    phone = Sipp(tmp_path, "tcp_busy_phone.xml", tcp_pbx.phone_port, "-t", "t1", name="phone")
    try:
        time.sleep(0.5)  # let SIPp listen
        status, _, body = tcp_pbx.rest("PUT", "/sipxconfig/rest/my/call/202")
        assert status == 200, body
        assert phone.wait() == 0, phone.output()[-3000:]
    finally:
        phone.stop()
    lines = tcp_pbx.wait_for_status(CC, "SIP/2.0 486 Busy Here")
    for line in ("SIP/2.0 401 Unauthorized", "SIP/2.0 180 Ringing", "SIP/2.0 486 Busy Here"):
        assert f"<method>INVITE</method>\n\t<status-line>{line}</status-line>" in lines
    log = phone.message_log()
    assert log.count("INVITE sip:201@example.org") == 2  # the first and the authenticated retry
    assert "Via: SIP/2.0/TCP " in log and "SIP/2.0/UDP" not in log
    assert log.count("ACK sip:201@example.org") == 2
    assert tcp_pbx.active() == []
