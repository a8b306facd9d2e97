"""Following a click-to-call (issue 15): the call is placed as the pages place it (PUT /my/call/{number} with the
number as a phonebook writes it), the agent's rows are written by the agent's own store functions, and the portal's
progress answer (/cdrs/my/call/progress/?number=..., apps/callcontrol/progress.py) says in words what happened:
ringing your phone, connecting to <the callee's name>, answered, no answer, busy, failed with the reason."""

import json

import pytest

from apps.callcontrol import flows, store
from apps.callcontrol.models import CallAttempt
from apps.phonebooks import services as phonebooks
from tests.conftest import REST, basic

PROGRESS = "/cdrs/my/call/progress/"
NO_AGENT = (
    "Your call was not placed: no call-control agent is running, so calls cannot be placed now. "
    "Please tell your administrator."
)
WRITTEN = "+1 (617) 555-0142"
DIALLED = "+16175550142"


@pytest.fixture
def bob(make_user):
    user = make_user("201", aliases=["bob"], first_name="Bob", last_name="Brown", sip_password="s3cret")
    phonebooks.create_private_entry(user, {"first_name": "Jane", "last_name": "Doe", "number": WRITTEN})
    return user


@pytest.fixture
def carol(make_user):
    return make_user("202", aliases=["carol"], first_name="Carol", last_name="Cruz", sip_password="c4rol")


def place(client, number=WRITTEN, who=("bob", "1234")):
    from urllib.parse import quote

    return client.put(REST + "/my/call/" + quote(number, safe=""), **basic(*who))


def progress(client, number=WRITTEN):
    response = client.get(PROGRESS, {"number": number})
    return response.status_code, json.loads(response.content)


class Agent:
    """Writes what the agent writes for the one claimed attempt, through the agent's own store functions."""

    def __init__(self):
        [self.row] = store.claim("test-agent")
        self.call_id = "leg1@127.0.0.1"
        self.ms = 1_700_000_000_000
        store.set_call_id(self.row["id"], self.call_id)

    def line(self, method, line, call_id=None):
        self.ms += 10
        store.add_status(self.row["id"], self.ms, call_id or self.call_id, method, line)

    def finish(self, ok, outcome):
        store.finish(self.row["id"], ok, outcome)


def test_a_number_with_spaces_is_called_and_followed_to_the_answer(client, bob, agent_running):
    assert place(client).status_code == 200
    assert CallAttempt.objects.get().called_uri == f"sip:{DIALLED}@example.org"
    client.force_login(bob)
    status, body = progress(client)
    assert status == 200 and body == {
        "phase": "queued",
        "text": "Waiting for the call agent…",
        "done": False,
        "callee": "Jane Doe",  # the private phonebook's name for the number
        "number": DIALLED,
    }
    agent = Agent()
    assert progress(client)[1]["text"] == "Ringing your phone…"
    agent.line("INVITE", "SIP/2.0 401 Unauthorized")  # the challenge the agent answers: no news for the user
    agent.line("INVITE", "SIP/2.0 180 Ringing")
    assert progress(client)[1]["phase"] == "ringing"
    agent.line("INVITE", "SIP/2.0 200 OK")
    assert progress(client)[1]["text"] == "Connecting to Jane Doe…"
    agent.line("NOTIFY", "SIP/2.0 100 Trying")
    assert progress(client)[1]["text"] == "Connecting to Jane Doe…"
    agent.line("NOTIFY", "SIP/2.0 180 Ringing")
    assert progress(client)[1] | {"number": None} == {
        "phase": "callee-ringing",
        "text": "Ringing Jane Doe…",
        "done": False,
        "callee": "Jane Doe",
        "number": None,
    }
    agent.line("NOTIFY", "SIP/2.0 200 OK")
    agent.finish(True, "the calling party was sent to the called party (SIP/2.0 200 OK)")
    status, body = progress(client)
    assert (body["phase"], body["text"], body["done"]) == ("answered", "Jane Doe answered.", True)
    # The number as written and as dialled name the same call.
    assert progress(client, DIALLED)[1]["text"] == "Jane Doe answered."


def test_a_user_is_named_by_the_directory(client, bob, carol):
    assert place(client, "carol").status_code == 200
    client.force_login(bob)
    Agent().line("INVITE", "SIP/2.0 200 OK")
    assert progress(client, "carol")[1]["text"] == "Connecting to Carol Cruz…"


@pytest.mark.parametrize(
    ("lines", "ok", "outcome", "phase", "text"),
    [
        (
            [("INVITE", "SIP/2.0 487 Request Terminated")],
            False,
            f"{flows.NO_ANSWER} (CANCEL after timeout)",
            "no-answer",
            "No answer from your phone.",
        ),
        ([], False, f"{flows.NO_ANSWER} (CANCEL after timeout)", "no-answer", "No answer from your phone."),
        (
            [("INVITE", "SIP/2.0 486 Busy Here")],
            False,
            "the calling party's INVITE failed: SIP/2.0 486 Busy Here",
            "busy",
            "Your phone is busy.",
        ),
        (
            [("INVITE", "SIP/2.0 480 Temporarily Unavailable")],
            False,
            "…",
            "failed",
            "Failed: your phone is not reachable (480 Temporarily Unavailable).",
        ),
        (
            [("INVITE", "SIP/2.0 500 Server Internal Error")],
            False,
            "…",
            "failed",
            "Failed: calling your phone got 500 Server Internal Error.",
        ),
        (
            [("INVITE", "SIP/2.0 404 Not Found")],
            False,
            "…",
            "failed",
            "Failed: your phone is not registered (404 Not Found).",
        ),
        ([("INVITE", "SIP/2.0 200 OK"), ("NOTIFY", "SIP/2.0 486 Busy Here")], True, "…", "busy", "Jane Doe is busy."),
        (
            [("INVITE", "SIP/2.0 200 OK"), ("NOTIFY", "SIP/2.0 408 Request Timeout")],
            True,
            "…",
            "no-answer",
            "No answer from Jane Doe.",
        ),
        (
            [("INVITE", "SIP/2.0 200 OK"), ("NOTIFY", "SIP/2.0 503 Service Unavailable")],
            True,
            "…",
            "failed",
            "Failed: the call to Jane Doe got 503 Service Unavailable.",
        ),
        (
            [("INVITE", "SIP/2.0 200 OK")],
            False,
            "REFER failed: SIP/2.0 403 Forbidden",
            "failed",
            "Failed: your phone did not take the call to Jane Doe (SIP/2.0 403 Forbidden).",
        ),
        ([], False, store.NOT_PLACED, "failed", NO_AGENT),
        (
            [("INVITE", "SIP/2.0 200 OK"), ("NOTIFY", "SIP/2.0 180 Ringing")],
            True,
            "…",
            "callee-ringing",
            "Ringing Jane Doe: the call is on your phone now.",
        ),
    ],
)
def test_each_outcome_in_words(client, bob, lines, ok, outcome, phase, text):
    place(client)
    client.force_login(bob)
    agent = Agent()
    for method, line in lines:
        agent.line(method, line)
    agent.finish(ok, outcome)
    status, body = progress(client)
    assert status == 200 and (body["phase"], body["text"], body["done"]) == (phase, text, True)


def test_invite_mode_follows_the_callee_leg(client, bob):
    assert client.post("/callcontroller/201/202?sipMethod=invite", **basic("bob", "1234")).status_code == 200
    client.force_login(bob)
    agent = Agent()
    agent.line("INVITE", "SIP/2.0 200 OK")
    agent.line("INVITE", "SIP/2.0 180 Ringing", call_id="leg2@127.0.0.1")
    assert progress(client, "202")[1]["text"] == "Ringing 202…"
    agent.line("INVITE", "SIP/2.0 200 OK", call_id="leg2@127.0.0.1")
    assert progress(client, "202")[1]["text"] == "202 answered."


def test_refusals_and_other_peoples_calls(client, bob, carol):
    assert progress(client)[0] == 403  # not logged in
    client.force_login(bob)
    status, body = progress(client, "a;b")
    assert status == 400 and "is not a phone number or user name to call" in body["error"]
    status, body = progress(client)
    assert status == 404 and body == {"error": f"You have no call to {DIALLED} in progress."}
    assert place(client, WRITTEN, ("carol", "1234")).status_code == 200
    assert progress(client)[0] == 404  # carol's call to the same number is none of bob's business
    response = client.get(PROGRESS, {"number": WRITTEN})
    assert response["Cache-Control"] == "no-store" and response["Content-Type"] == "application/json"
