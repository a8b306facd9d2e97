"""The dial plan through the bundled Kamailio, end to end: real gunicorn and Kamailio, a SIPp phone registered as
200, and a SIPp standing in for the media server (SIPX_MEDIA_URI, tests/sip/conftest.py KamailioPbx, carries
{service} and {target}). A call to the attendant number 100 reaches the media server naming the operator
attendant; once an attendant administrator switches special mode on with `afterhour` over REST, the next call names
afterhour; a call to 101 reaches it as voicemail retrieval. On SQLite, and on PostgreSQL when the suite runs with a
PostgreSQL DATABASE_URL. Skipped without kamailio or SIPp; every SIPp is bounded in time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sip.conftest import KAMAILIO, SIPP, KamailioPbx, Sipp, free_udp_port

pytestmark = [
    pytest.mark.sip,
    pytest.mark.skipif(not KAMAILIO, reason="Kamailio is not installed (apt-get install kamailio ...)"),
    pytest.mark.skipif(not Path(SIPP).exists(), reason="SIPp is not installed (apt-get install sip-tester)"),
]

ADMIN = ("202", "1234")  # an attendant administrator, as the special-mode URIs want


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    pbx = KamailioPbx(tmp_path_factory.mktemp("kdialplan"), database_url)
    pbx.shell(
        "from apps.sipproxy.dialplan_services import save_dial_plan\n"
        "from apps.users.models import User\n"
        "save_dial_plan(attendant=['100', 'operator', '0'], voicemail=['101'])\n"
        "User.objects.filter(username='202').update(perm_attendant_admin=True)\n"
    )
    yield pbx
    pbx.stop()


@pytest.fixture(scope="module")
def alice_port(pbx):
    """200's phone, registered at Kamailio; its calls leave from the same port."""
    port = free_udp_port()
    assert pbx.register("200", "alicesip200", port=port) == 0, pbx.kamailio.output()[-2000:]
    return port


def call(pbx: KamailioPbx, number: str, port: int) -> str:
    """200 calls `number`; the media server's SIPp answers. Returns the Request-URI of the INVITE it received."""
    proxy = f"127.0.0.1:{pbx.kamailio.port}"
    media = Sipp(pbx.tmp, "kamailio_answer.xml", pbx.media_port, "-s", "media", "-timeout_error", proxy,
                 name=f"media-{number}-{free_udp_port()}", timeout=20)  # fmt: skip
    try:
        caller = pbx.sipp("kamailio_call.xml", number, "200", "alicesip200", "-d", "300", port=port, timeout=20)
        assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
        assert media.wait() == 0, media.output()[-3000:]
    finally:
        media.stop()
    invites = re.findall(r"^INVITE (\S+) SIP/2\.0", media.message_log(), re.M)
    assert invites, media.message_log()[-3000:]
    return invites[0]


def special_mode(pbx: KamailioPbx, method: str, path: str) -> None:
    status, _, body = pbx.server.request(method, f"/sipxconfig/rest/auto-attendant/{path}", basic=ADMIN)
    assert status == 204, (status, body)


def test_the_attendant_number_reaches_the_attendant_special_mode_chooses(pbx, alice_port):
    uri = f"sip:100@127.0.0.1:{pbx.media_port};app=sipproxy;service=attendant;target="
    assert call(pbx, "100", alice_port) == uri + "operator"
    special_mode(pbx, "PUT", "afterhour/special")  # selected, special mode still off: the operator plays
    assert call(pbx, "100", alice_port) == uri + "operator"
    special_mode(pbx, "PUT", "specialmode")
    try:
        assert call(pbx, "100", alice_port) == uri + "afterhour"
        # Another attendant number, dialled in another case, reaches the same attendant.
        assert call(pbx, "OPERATOR", alice_port).endswith(";service=attendant;target=afterhour")
    finally:
        special_mode(pbx, "DELETE", "specialmode")
    assert call(pbx, "0", alice_port).endswith(";service=attendant;target=operator")


def test_the_voicemail_number_reaches_voicemail_retrieval(pbx, alice_port):
    uri = call(pbx, "101", alice_port)
    assert uri == f"sip:101@127.0.0.1:{pbx.media_port};app=sipproxy;service=voicemail;target="
