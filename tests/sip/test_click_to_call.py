"""Click-to-call end to end over SIP (issue 6 "Done when"): SIPp phone that answers and accepts the REFER,
SIPp callee that the phone then calls, for PUT /my/call/{to} and POST /callcontroller/...; a wrong SIP
password; a phone that never answers (CANCEL after `timeout`); status lines; active calls while the call is
up and not after BYE; the B.3.1 number clean-up on the wire; the seed page's PHP sample."""

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import unlabelled
from tests.sip.conftest import SCENARIOS, Sipp
from tests.sip.test_provisioning_kamailio import Browser

pytestmark = [pytest.mark.sip, pytest.mark.server]

CC = "/callcontroller/201/202"


def start_refer_pair(pbx, tmp, hold_ms=2500, scenario="refer_phone.xml"):
    callee = Sipp(tmp, "uas", pbx.callee_port, name="callee")
    phone = Sipp(
        tmp, scenario, pbx.phone_port, "-key", "callee_port", str(pbx.callee_port), "-d", str(hold_ms), name="phone"
    )
    time.sleep(0.5)  # let both bind their ports
    return phone, callee


def finish(*procs):
    codes = [p.wait() for p in procs]
    for p, code in zip(procs, codes, strict=True):
        assert code == 0, f"{p.name} exited {code}:\n{p.output()[-3000:]}"


def test_put_my_call_rings_the_phone_refers_it_and_lists_the_call_while_up(pbx, sipp_dir):
    phone, callee = start_refer_pair(pbx, sipp_dir)
    try:
        status, _, body = pbx.rest("PUT", "/sipxconfig/rest/my/call/202")
        assert status == 200 and body == b""
        calls = pbx.wait_for(pbx.active, what="the active call")
        assert len(calls) == 1
        # The record is the call the user asked for (201 -> 202), answered so far by 201's own phone.
        assert calls[0]["from"] == "201" and calls[0]["to"] == "202" and calls[0]["direction"] == "INCOMING"
        assert calls[0]["recipient"] == "201"
        pbx.wait_for(lambda: pbx.active() == [], what="the call to end after BYE")
        finish(phone, callee)
    finally:
        phone.stop(), callee.stop()
    log = phone.message_log()
    assert "INVITE sip:201@example.org;sipx-noroute=Voicemail;sipx-userforward=false SIP/2.0" in log
    assert "Refer-To: <sip:202@example.org>" in log
    assert "Referred-By: <sip:201@example.org>" in log
    assert "BYE sip:201@127.0.0.1" in log
    # the PUT's attempt is keyed user:user:target, so the call controller's GET shows its progress
    lines = pbx.statuses(CC)
    for line in ("SIP/2.0 401 Unauthorized", "SIP/2.0 180 Ringing", "SIP/2.0 200 OK"):
        assert f"<method>INVITE</method>\n\t<status-line>{line}</status-line>" in lines
    assert "<method>NOTIFY</method>\n\t<status-line>SIP/2.0 100 Trying</status-line>" in lines
    assert "<method>NOTIFY</method>\n\t<status-line>SIP/2.0 200 OK</status-line>" in lines


def test_callcontroller_post_with_digest_on_the_callcontrol_port(pbx, sipp_dir):
    phone, callee = start_refer_pair(pbx, sipp_dir, hold_ms=2000)
    try:
        status, _, body = pbx.digest("POST", CC + "?isForwardingAllowed=true&subject=hello")
        assert status == 200 and body == b""
        calls = pbx.wait_for(pbx.active, what="the active call")
        assert calls[0]["to-aor"] == "<sip:202@example.org>"  # the callee, not the agent's leg to 201
        pbx.wait_for(lambda: pbx.active() == [], what="the call to end after BYE")
        finish(phone, callee)
    finally:
        phone.stop(), callee.stop()
    log = phone.message_log()
    assert "INVITE sip:201@example.org;sipx-noroute=Voicemail SIP/2.0" in log  # forwarding allowed
    assert "Subject: hello" in log
    lines = pbx.statuses(CC)
    assert lines.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<status-lines xmlns=')
    assert lines.count("<status>") >= 5 and lines.endswith("\n</status-lines>\n")
    assert "SIP/2.0 180 Ringing" in lines and "NOTIFY" in lines


def test_wrong_sip_password_is_refused_by_the_phone(pbx, sipp_dir):
    pbx.set_sip_password("201", "not-the-password")
    phone = Sipp(sipp_dir, "refer_phone.xml", pbx.phone_port, "-key", "callee_port", str(pbx.callee_port), name="phone")
    try:
        time.sleep(0.5)
        status, _, _ = pbx.digest("POST", CC)
        assert status == 200
        lines = pbx.wait_for_status(CC, "403 Forbidden")
        assert "SIP/2.0 401 Unauthorized" in lines
        assert phone.wait() != 0  # the phone scenario counts the refused call as failed
    finally:
        phone.stop()
        pbx.set_sip_password("201", "s3cret")
    assert pbx.active() == []
    assert "REFER sip:" not in phone.message_log()


def test_a_phone_that_never_answers_is_cancelled_after_the_timeout(pbx, sipp_dir):
    phone = Sipp(sipp_dir, "noanswer_phone.xml", pbx.phone_port, name="phone")
    try:
        time.sleep(0.5)
        started = time.monotonic()
        status, _, _ = pbx.digest("POST", CC + "?timeout=2")
        assert status == 200
        assert phone.wait() == 0, phone.output()
        elapsed = time.monotonic() - started
    finally:
        phone.stop()
    assert 1.5 <= elapsed < 15, elapsed
    log = phone.message_log()
    assert "CANCEL sip:201@example.org;sipx-noroute=Voicemail;sipx-userforward=false SIP/2.0" in log
    lines = pbx.wait_for_status(CC, "SIP/2.0 487")
    assert "SIP/2.0 180 Ringing" in lines
    assert pbx.active() == []


def test_messy_number_is_cleaned_up_and_referred_in_the_domain(pbx, sipp_dir):
    phone, callee = start_refer_pair(pbx, sipp_dir, hold_ms=100)
    try:
        status, _, _ = pbx.rest("PUT", "/sipxconfig/rest/my/call/9.9-86%28406%299%5B99%5D")
        assert status == 200
        finish(phone, callee)
    finally:
        phone.stop(), callee.stop()
    assert "Refer-To: <sip:9986406999@example.org>" in phone.message_log()
    assert "INVITE sip:9986406999@example.org SIP/2.0" in callee.message_log()
    status, _, _ = pbx.rest("PUT", "/sipxconfig/rest/my/call/123%2Awe%40sip")
    assert status == 400


def test_a_phonebook_number_with_spaces_is_called_and_followed_from_the_page(pbx, sipp_dir):
    """What My phonebook's Call button does (static/js/calls.js), over HTTP with the page's session: PUT the number
    as the phonebook writes it, then poll its progress until the outcome; the history then lists the call."""
    pbx.server.manage("collectstatic", "--noinput", "-v", "0")  # the pages name their static files by hash
    browser = Browser(pbx.server, "bob", "1234")
    phone, callee = start_refer_pair(pbx, sipp_dir, hold_ms=100)
    try:
        headers = {**browser._headers(), "X-CSRFToken": browser.cookies["csrftoken"]}
        status, _, body = pbx.server.request("PUT", "/sipxconfig/rest/my/call/%2B1%20(617)%20555-0142", headers)
        assert status == 200, body
        seen = []

        def outcome():
            status, _, body = browser.get("/cdrs/my/call/progress/?number=%2B1%20(617)%20555-0142")
            assert status == 200, body
            seen.append(json.loads(body))
            return seen[-1]["done"]

        pbx.wait_for(outcome, what="the call's outcome")
        finish(phone, callee)
    finally:
        phone.stop(), callee.stop()
    assert "Refer-To: <sip:+16175550142@example.org>" in phone.message_log()
    assert "INVITE sip:+16175550142@example.org SIP/2.0" in callee.message_log()
    assert seen[-1]["text"] == "+16175550142 answered."  # the phone's NOTIFY said 200 OK
    # Every answer on the way was one of the steps, in order (how many a poll catches depends on the timing).
    steps = [
        "Waiting for the call agent…",
        "Ringing your phone…",
        "Connecting to +16175550142…",
        "Ringing +16175550142…",
    ]
    order = [steps.index(p["text"]) for p in seen[:-1]]
    assert order == sorted(order)
    status, _, page = browser.get("/cdrs/my/history/")
    rows = unlabelled(page.decode()[page.decode().index("<tbody>") :])
    assert '<td class="caller">201</td>' in rows and '<td class="callee">+16175550142</td>' in rows
    assert "click-to-call" in rows


# The seed page's PHP sample, byte for byte (tests/sip/click2call.php); only the host:port is replaced.
PHP = Path(__file__).with_name("click2call.php").read_text()


@pytest.mark.skipif(
    shutil.which("php") is None, reason="php-cli/php-curl not installed (apt-get install php-cli php-curl)"
)
def test_the_seed_pages_php_sample_places_the_call(pbx, sipp_dir):
    scenario = sipp_dir / "phone5001.xml"
    scenario.write_text((SCENARIOS / "refer_phone.xml").read_text().replace('username="201"', 'username="5001"'))
    phone, callee = start_refer_pair(pbx, sipp_dir, hold_ms=100, scenario=str(scenario))
    script = sipp_dir / "click2call.php"
    script.write_text(PHP.replace("sipx.gcgov.local:6667", f"127.0.0.1:{pbx.server.callcontrol_port}"))
    try:
        result = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == ""  # the sample prints the (empty) body of the 200
        finish(phone, callee)
    finally:
        phone.stop(), callee.stop()
    log = phone.message_log()
    assert "INVITE sip:5001@example.org;sipx-noroute=Voicemail SIP/2.0" in log
    assert "Refer-To: <sip:101@example.org>" in log


def test_the_agent_stops_cleanly_on_sigterm(pbx):
    assert pbx.stop_agent() == 0, pbx.agent_output()[-2000:]
