"""SIP header injection (issue 9), end to end: a user's own contact information and the parties of a call
reach the INVITE a SIPp phone receives only as escaped values, never as header lines or URI headers; the
REST boundary refuses parties a SIP user part cannot carry, and a user rings only their own phones."""

import json
import re
import sqlite3
import time

import pytest

from tests.sip.conftest import Sipp

pytestmark = [pytest.mark.sip, pytest.mark.server]

INJECTED_LAST_NAME = 'x"\r\nP-Asserted-Identity: <sip:200@example.org>\r\nX-Injected: yes\r\nX: "\\'


def invites(log: str) -> list[str]:
    """The INVITE messages in a SIPp message log (each from its request line to the blank line)."""
    return re.findall(r"^INVITE sip:.*?(?=\r?\n\r?\n)", log, flags=re.M | re.S)


def header_lines(message: str) -> list[str]:
    return [line.split(":", 1)[0].strip().lower() for line in message.splitlines()[1:] if ":" in line]


def busy_phone(pbx, tmp):
    phone = Sipp(tmp, "busy_phone.xml", pbx.phone_port, name="phone", timeout=20)
    time.sleep(0.5)  # let SIPp bind its port
    return phone


def set_last_name(pbx, last_name: str) -> None:
    """As bob would: PUT his contact information. Should another rule refuse control characters in names
    at that boundary, the row is written as an import of old data would (the agent must be safe either way)."""
    body = json.dumps({"contact-information": {"firstName": "Bob", "lastName": last_name}}).encode()
    status, _, text = pbx.server.request(
        "PUT",
        "/sipxconfig/rest/my/contact-information",
        headers={"Content-Type": "application/json"},
        body=body,
        basic=("bob", "1234"),
    )
    assert status in (200, 400), (status, text)
    if status == 400:
        pbx.server.manage(
            "shell",
            "-c",
            "from apps.users.models import User; "
            f"User.objects.filter(username='201').update(first_name='Bob', last_name={last_name!r})",
        )


def test_a_last_name_with_quotes_and_crlf_stays_one_escaped_display_name(pbx, sipp_dir):
    set_last_name(pbx, INJECTED_LAST_NAME)
    phone = busy_phone(pbx, sipp_dir)
    try:
        status, _, body = pbx.rest("PUT", "/sipxconfig/rest/my/call/900")
        assert status == 200, body
        assert phone.wait() == 0, phone.output()
    finally:
        phone.stop()
        set_last_name(pbx, "Jones")
    [invite] = invites(phone.message_log())
    names = header_lines(invite)
    assert "p-asserted-identity" not in names and "x-injected" not in names and "x" not in names
    from_line = next(line for line in invite.splitlines() if line.lower().startswith("from:"))
    assert from_line.startswith(
        'From: "Bob x\\"  P-Asserted-Identity: <sip:200@example.org>  X-Injected: yes  X: \\"\\\\" '
        "<sip:201@example.org>;tag="
    ), from_line
    assert invite.startswith("INVITE sip:201@example.org;sipx-noroute=Voicemail;sipx-userforward=false SIP/2.0")


@pytest.mark.parametrize(
    "path",
    [
        "/callcontroller/201%3FX-Evil=injected%26Call-ID=fixed/202",
        "/callcontroller/201/202%3FX-Evil=injected",
        "/callcontroller/201;transport=tcp/202",
        "/callcontroller/201/202%40evil.example%40example.org",
        "/callcontroller/201/sip:202@example.org;maddr=evil.example",
        "/callcontroller/201/202@bad%20host",
    ],
)
def test_parties_a_sip_user_part_cannot_carry_are_400_and_nothing_is_sent(pbx, path):
    before = attempt_count(pbx)
    status, _, body = pbx.digest("POST", path)
    assert status == 400, body
    assert b"<error-code>400</error-code>" in body and b"Bad parameter" in body
    assert attempt_count(pbx) == before


def test_a_user_may_not_ring_someone_elses_phone(pbx):
    before = attempt_count(pbx)
    for path in (
        "/callcontroller/200/209?agent=bob",
        "/callcontroller/sip:200@example.org/209?agent=201",
        "/callcontroller/alice/209?agent=bob",
        "/callcontroller/201@other.example/209?agent=bob",
    ):
        status, _, body = pbx.digest("POST", path)
        assert status == 403, body
        assert b"is not one of your own names or SIP addresses" in body
    for agent in ("alice", "5001", "nobody"):
        status, _, body = pbx.digest("POST", f"/callcontroller/201/209?agent={agent}")
        assert status == 403 and f"Agent {agent} does not match the authenticated user 201".encode() in body
    assert attempt_count(pbx) == before


def test_an_escaped_party_reaches_the_phone_escaped_and_not_as_uri_headers(pbx, sipp_dir):
    """Bob's own SIP address, spelled with an escape: the Request-URI the phone gets is rebuilt, not copied."""
    phone = busy_phone(pbx, sipp_dir)
    try:
        status, _, body = pbx.digest("POST", "/callcontroller/sip:%25320%2531@example.org/2%2523")
        assert status == 200, body
        assert phone.wait() == 0, phone.output()
    finally:
        phone.stop()
    [invite] = invites(phone.message_log())
    assert invite.startswith("INVITE sip:201@example.org;sipx-noroute=Voicemail;sipx-userforward=false SIP/2.0")
    assert "?" not in invite.splitlines()[0]


def attempt_count(pbx) -> int:
    """Rows in the live server's database (its own SQLite file), read directly: no request may add one."""
    with sqlite3.connect(pbx.server.tmp / "db.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM callcontrol_callattempt").fetchone()[0]
