"""Bad-input corpus of the SIP side (issue 9): every request of the issue that reached SIP or rang someone
else's phone, with its expected answer, and nothing stored by a refused request. The wire side (what a SIPp
phone receives) is tests/sip/test_injection.py."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.callcontrol.models import CallAttempt
from apps.callcontrol.services import BadParty, parse_party
from tests.conftest import REST, basic

INJECTED = 'x"\r\nP-Asserted-Identity: <sip:200@example.org>\r\nX-Injected: yes\r\nX: "'


@pytest.fixture
def users(make_user, admin_user):
    return {
        "alice": make_user("200", aliases=["alice"], sip_password="alicesip", im_id="alice.im"),
        "bob": make_user("201", aliases=["bob"], sip_password="bobsip201"),
    }


BOB = basic("bob", "1234")
ADMIN = basic("superadmin", "admin1234")


@pytest.mark.parametrize(
    ("path", "status", "sentence"),
    [
        # a %3F in a party would have put URI headers into the Request-URI
        ("/callcontroller/201%3FX-Evil=injected%26Call-ID=fixed/202", 400, b"Bad parameter callingParty"),
        ("/callcontroller/201/202%3FX-Evil=injected", 400, b"Bad parameter calledParty"),
        ("/callcontroller/201%253F/202", 400, b"may not contain ?"),
        ("/callcontroller/201;transport=tcp/202", 400, b"Bad parameter callingParty"),
        ("/callcontroller/201/sip:202@example.org;maddr=evil.example", 400, b"Bad parameter calledParty"),
        ("/callcontroller/201/202%40a.example%40example.org", 400, b"Bad parameter calledParty"),
        ("/callcontroller/201/202@bad_host!", 400, b"valid host name"),
        ("/callcontroller/201/202@example.org:0", 400, b"bad port"),
        ("/callcontroller/201/50%25", 400, b"%XX escape"),
        # bob rings alice's phone
        ("/callcontroller/200/209?agent=bob", 403, b"is not one of your own names or SIP addresses"),
        ("/callcontroller/alice/209?agent=201", 403, b"is not one of your own names or SIP addresses"),
        ("/callcontroller/alice.im/209?agent=bob", 403, b"is not one of your own names or SIP addresses"),
        ("/callcontroller/sip:200@example.org/209?agent=bob", 403, b"is not one of your own names"),
        ("/callcontroller/201@evil.example/209?agent=bob", 403, b"is not one of your own names"),
        ("/callcontroller/sip:201@example.org:5070/209?agent=bob", 403, b"is not one of your own names"),
        ("/callcontroller/201/209?agent=alice", 403, b"Agent alice does not match the authenticated user 201"),
        ("/callcontroller/201/209?agent=nobody", 403, b"Agent nobody does not match the authenticated user 201"),
        ("/callcontroller/200/209", 403, b"Agent 200 does not match the authenticated user 201"),
    ],
)
def test_callcontroller_corpus(client, users, path, status, sentence):
    response = client.post(path, **BOB)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert f"<error-code>{status}</error-code>".encode() in response.content and sentence in response.content
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("/callcontroller/201/202", "sip:201@example.org"),
        ("/callcontroller/bob/202", "sip:201@example.org"),
        ("/callcontroller/BOB/202", "sip:201@example.org"),
        ("/callcontroller/sip:201@example.org/202", "sip:201@example.org"),
        ("/callcontroller/bob@example.org/202", "sip:201@example.org"),
    ],
)
def test_a_user_calls_from_each_of_their_own_names(client, users, path, uri):
    response = client.post(path, **BOB)
    assert response.status_code == 200, response.content
    attempt = CallAttempt.objects.get()
    assert attempt.agent == users["bob"]
    assert attempt.calling_uri in (uri, "sip:bob@example.org")


def test_an_admin_places_any_call_for_anyone(client, users):
    assert client.post("/callcontroller/sip:5555@pbx.example.com/209?agent=alice", **ADMIN).status_code == 200
    attempt = CallAttempt.objects.get()
    assert (attempt.agent, attempt.calling_uri) == (users["alice"], "sip:5555@pbx.example.com")


def test_an_escaped_party_is_stored_rebuilt(client, users):
    assert client.post("/callcontroller/201/2%2523x?confpin=12%2334", **BOB).status_code == 200
    assert CallAttempt.objects.get().called_uri == "sip:2%23x@example.org?X-ConfPin=12%2334"
    # an escaped space is still a space
    assert client.post("/callcontroller/201/2%2520x", **BOB).status_code == 400


@pytest.mark.parametrize("to", ["201%3FX-Evil=1", "201;transport=tcp", "201%3Bx", "a%22b", "2@h.example"])
def test_put_my_call_refuses_what_a_user_part_cannot_carry(client, users, to):
    response = client.put(REST + "/my/call/" + to, **BOB)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["type"] == "invalid" and "is not a phone number or user name to call" in body["error"]
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize("to", ["201%0DX:%20y", "201%0AX:%20y", "201%09", "201%00"])
def test_put_my_call_with_control_characters_is_refused(client, users, to):
    # 400 here, or 404 where the URL layer already refuses control characters in a path: never queued.
    assert client.put(REST + "/my/call/" + to, **BOB).status_code in (400, 404)
    assert not CallAttempt.objects.exists()


def test_a_last_name_with_crlf_is_queued_and_the_agent_writes_it_quoted(client, users):
    """The profile side stores what it stores; what matters is that the agent's From header is one line."""
    from apps.callcontrol import store
    from apps.callcontrol.sip import SipUri, name_addr

    users["bob"].last_name = INJECTED
    users["bob"].save()
    assert client.put(REST + "/my/call/900", **BOB).status_code == 200
    [claimed] = store.claim("test-agent")
    header = name_addr(SipUri(claimed["agent"], "example.org"), claimed["display_name"])
    assert "\r" not in header and "\n" not in header
    assert header.startswith('"x\\"  P-Asserted-Identity:') and header.endswith('\\"" <sip:201@example.org>')


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_party_is_refused_or_becomes_a_uri_without_headers_params_or_breaks(text):
    try:
        uri = parse_party(text)
    except BadParty:
        return
    written = str(uri)
    assert not any(ch in written for ch in '\r\n\0 "<>;') and "?" not in written
    assert written.count("@") == 1 and written.startswith(("sip:", "sips:"))
