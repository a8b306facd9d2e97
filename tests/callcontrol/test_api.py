"""Golden tests of the call URIs of the call controller (docs/compatibility.md B.4, A.5, D8) and click-to-call
(B.3.1). Active calls and POST /cse are in tests/cdrs/test_api.py, the SIP side in tests/sip."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from apps.callcontrol.models import CallAttempt, CallStatus
from apps.users import nonces
from apps.users.authentication import parse_digest
from sipxweb.rest.challenges import split_challenges
from tests.cdrs.test_api import EVENTS
from tests.conftest import REST, basic, golden

# ---- PUT /my/call/{to} ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/my/call/", "/call/"])
def test_put_call_cleans_up_the_number(client, users, prefix):
    response = client.put(REST + prefix + "9.9-86%28406%299%5B99%5D", **basic("bob", "1234"))
    assert response.status_code == 200 and response.content == b""
    assert "Content-Type" not in response
    attempt = CallAttempt.objects.get()
    assert attempt.calling_uri == "sip:201@example.org"
    assert attempt.called_uri == "sip:9986406999@example.org"
    assert attempt.key == "201:201:9986406999" and attempt.state == "queued"


@pytest.mark.parametrize(
    ("to", "dialled"),
    [
        ("%2B1%20(617)%20555-0142", "+16175550142"),  # as a phonebook lists it
        ("+39%2002%205550%209999", "+390255509999"),
        ("%2B39%C2%A002%C2%A05550%C2%A09999", "+390255509999"),  # no-break spaces, as pasted
    ],
)
def test_put_call_drops_the_spaces_of_a_written_number(client, users, to, dialled):
    response = client.put(REST + "/my/call/" + to, **basic("bob", "1234"))
    assert response.status_code == 200 and response.content == b""
    attempt = CallAttempt.objects.get()
    assert attempt.called_uri == f"sip:{dialled}@example.org" and attempt.key == f"201:201:{dialled}"


def test_put_call_refusal_says_why(client, users):
    response = client.put(REST + "/my/call/%20%20", **basic("bob", "1234"))
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "Enter a phone number or a user name to call."
    response = client.put(REST + "/my/call/" + "1" * 151, **basic("bob", "1234"))
    assert json.loads(response.content)["error"] == "A number to call has at most 150 characters."
    assert not CallAttempt.objects.exists()


def test_put_call_private_alias_and_body_ignored(client, users, settings):
    settings.FEED_KEY_FULL_ACCESS = True
    response = client.put(f"{REST}/private/{users['bob'].feed_key}/call/202", data="+", content_type="text/plain")
    assert response.status_code == 200
    assert CallAttempt.objects.get().called_uri == "sip:202@example.org"


@pytest.mark.parametrize("to", ["123%2Awe%40sip", "%20", "a%22b", "user@example.org", "202%40pbx"])
def test_put_call_bad_target_is_400_and_nothing_queued(client, users, to):
    response = client.put(REST + "/my/call/" + to, **basic("bob", "1234"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["type"] == "invalid"
    assert not CallAttempt.objects.exists()


def test_put_call_methods_and_auth(client, users):
    response = client.get(REST + "/my/call/201", **basic("bob", "1234"))
    assert response.status_code == 405 and "PUT" in response["Allow"]
    assert client.post(REST + "/call/201", **basic("bob", "1234")).status_code == 405
    assert client.put(REST + "/my/call/201").status_code == 401
    assert client.put(REST + "/my/call/201", **basic("bob", "0000")).status_code == 401


# ---- /callcontroller ----------------------------------------------------------------------------------

CC = "/callcontroller/201/202"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest(user, pin, nonce, uri, method="POST", realm="example.org"):
    ha1, ha2 = md5(f"{user}:{realm}:{pin}"), md5(f"{method}:{uri}")
    response = md5(f"{ha1}:{nonce}:00000001:abc:auth:{ha2}")
    return {
        "HTTP_AUTHORIZATION": f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'qop=auth, nc=00000001, cnonce="abc", response="{response}"'
    }


def challenge(response) -> dict:
    digest_line = next(c for c in split_challenges(response["WWW-Authenticate"]) if c.startswith("Digest"))
    return parse_digest(digest_line[len("Digest ") :])


def test_callcontroller_requires_credentials_and_offers_digest(client, users):
    response = client.post(CC)
    assert response.status_code == 401
    params = challenge(response)
    assert params["realm"] == "example.org" and params["qop"] == "auth" and nonces.check(params["nonce"]) == "ok"
    assert "Basic realm" in response["WWW-Authenticate"]


def test_callcontroller_post_with_digest_queues_the_attempt(client, users):
    nonce = challenge(client.post(CC))["nonce"]
    uri = CC + "?isForwardingAllowed=true&subject=hi&timeout=20&resultCacheTime=30"
    response = client.post(uri, **digest("201", "1234", nonce, uri))
    assert response.status_code == 200 and response.content == b""
    a = CallAttempt.objects.get()
    assert (a.calling_uri, a.called_uri, a.key) == ("sip:201@example.org", "sip:202@example.org", "201:201:202")
    assert (a.forwarding_allowed, a.subject, a.timeout, a.result_cache_time) == (True, "hi", 20, 30)


def test_callcontroller_aliases_confpin_and_admin_agent(client, users):
    assert client.post("/callcontroller/bob/user3?confpin=1234", **basic("bob", "1234")).status_code == 200
    a = CallAttempt.objects.get()
    assert a.calling_uri == "sip:201@example.org" and a.called_uri == "sip:user3@example.org?X-ConfPin=1234"
    response = client.post("/callcontroller/932404622570/201?agent=user3", **basic("superadmin", "admin1234"))
    assert response.status_code == 200
    assert CallAttempt.objects.filter(agent=users["user3"], calling_uri="sip:932404622570@example.org").exists()


def test_callcontroller_bad_nonce_and_expired_nonce(client, users):
    response = client.post(CC, **digest("201", "1234", "Zm9vOmJhcg==", CC))
    assert response.status_code == 401 and "stale" not in challenge(response)
    old = nonces.issue(now=1_000_000)
    response = client.post(CC, **digest("201", "1234", old, CC))
    assert response.status_code == 401 and challenge(response).get("stale") == "true"
    response = client.post(CC, **digest("201", "9999", challenge(client.post(CC))["nonce"], CC))
    assert response.status_code == 401
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize(
    ("uri", "status", "golden_file"),
    [
        (CC + "?timeout=-1", 400, "callcontroller-bad-timeout.xml"),
        (CC + "?resultCacheTime=x", 400, "callcontroller-bad-cachetime.xml"),
        (CC + "?sipMethod=carrier-pigeon", 406, "callcontroller-bad-method.xml"),
        ("/callcontroller/201", 400, "callcontroller-missing-party.xml"),
        ("/callcontroller/201/202?agent=user3", 403, "callcontroller-agent-mismatch.xml"),
        ("/callcontroller/user4/202", 403, "callcontroller-no-credentials.xml"),
        (CC + "?action=transfer&target=203", 406, "callcontroller-no-call.xml"),
    ],
)
def test_callcontroller_errors_golden(client, users, uri, status, golden_file):
    user = "user4" if "user4" in uri else "bob"
    response = client.post(uri, **basic(user, "1234"))
    assert response.status_code == status
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content == golden(golden_file)
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize(
    "uri",
    [
        "/callcontroller/201/" + "9" * 151,
        "/callcontroller/201/a%00b",
        "/callcontroller/201/%3Csip:x%3E",
        CC + "?agent=%0A",
        CC + "?confpin=12%2034",
        CC + "?subject=a%0Db",
        CC + "?timeout=99999999999999999999999",
    ],
)
def test_callcontroller_bad_values_are_400(client, users, uri):
    response = client.post(uri, **basic("bob", "1234"))
    assert response.status_code == 400 and b"<error-code>400</error-code>" in response.content
    assert not CallAttempt.objects.exists()


def test_long_or_nul_values_elsewhere(client, users):
    assert client.put(REST + "/my/call/" + "1" * 151, **basic("bob", "1234")).status_code == 400
    assert client.get(REST + "/activecdrs/a%00b", **basic("superadmin", "admin1234")).status_code == 404
    body = json.dumps([{**EVENTS[0], "from_tag": "a\u0000b"}])
    response = client.post(
        REST + "/cse", data=body, content_type="application/json", **basic("superadmin", "admin1234")
    )
    assert response.status_code == 400


def test_callcontroller_invite_while_in_progress(client, users):
    assert client.post(CC + "?sipMethod=INVITE", **basic("bob", "1234")).status_code == 200
    CallAttempt.objects.update(state="running")
    response = client.post(CC + "?sipMethod=invite", **basic("bob", "1234"))
    assert response.status_code == 406 and b"<error-code>403</error-code>" in response.content


def test_callcontroller_other_methods(client, users):
    for method in ("put", "delete"):
        response = getattr(client, method)(CC, **basic("bob", "1234"))
        assert response.status_code == 405 and response["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_callcontroller_get_status_lines_golden(client, users):
    response = client.get(CC, **basic("bob", "1234"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.content == golden("callcontroller-status-empty.xml")
    client.post(CC, **basic("bob", "1234"))
    attempt = CallAttempt.objects.get()
    for i, (method, line) in enumerate(
        [("INVITE", "SIP/2.0 180 Ringing"), ("INVITE", "SIP/2.0 200 OK"), ("NOTIFY", "SIP/2.0 100 Trying")]
    ):
        CallStatus.objects.create(
            attempt=attempt, timestamp=1700000000000 + i, call_id="abc@h", method=method, status_line=line
        )
    response = client.get(CC, **basic("bob", "1234"))
    assert response.content == golden("callcontroller-status.xml")
    # another user's attempt is not shown; an admin sees it
    assert client.get(CC, **basic("user3", "1234")).content == golden("callcontroller-status-empty.xml")
    assert client.get(CC, **basic("superadmin", "admin1234")).content == golden("callcontroller-status.xml")


def test_callcontroller_get_dialogs_golden(client, users):
    client.post(CC + "?sipMethod=invite", **basic("bob", "1234"))
    CallAttempt.objects.update(state="running", call_id="xyz@h")
    assert client.get(CC, **basic("bob", "1234")).content == golden("callcontroller-dialogs.xml")


def test_callcontroller_result_cache_time(client, users):
    client.post(CC + "?resultCacheTime=0", **basic("bob", "1234"))
    attempt = CallAttempt.objects.get()
    CallStatus.objects.create(attempt=attempt, timestamp=1, call_id="c", method="INVITE", status_line="SIP/2.0 200 OK")
    CallAttempt.objects.update(state="done", finished=datetime.now(UTC) - timedelta(seconds=1))
    assert client.get(CC, **basic("bob", "1234")).content == golden("callcontroller-status-empty.xml")
