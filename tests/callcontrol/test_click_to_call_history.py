"""What the call history keeps of a click-to-call (issue 15): the agent places the call a page queued (PUT /my/call
with a number as a phonebook writes it) against scripted phones, and the record is the call the user asked for,
caller -> callee (not "201 -> 201", the agent's own leg to the caller's phone), shown with both names; a call the
caller's phone never answered lasted 0 s (not the ringing time) and its result says "no answer"."""

import asyncio
import csv
import io
from urllib.parse import quote

import pytest

from apps.callcontrol import store
from apps.callcontrol.models import CallAttempt
from apps.callcontrol.sip import response_to
from apps.cdrs.models import Cdr
from apps.phonebooks import services as phonebooks
from tests.callcontrol.test_agent import FakePhone, _start_and_run, ok
from tests.conftest import REST, basic, unlabelled

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["+1 (617) 555-0142", "+16175550142"], ids=["as-a-phonebook-writes-it", "digits-only"])
def written(request) -> str:
    """The number as the phonebook holds it and the page sends it; digits only, the record is checked on its own
    (not behind the clean-up of the spaces)."""
    return request.param


@pytest.fixture
def bob(make_user, written):
    user = make_user("201", aliases=["bob"], first_name="Bob", last_name="Brown", sip_password="s3cret")
    phonebooks.create_private_entry(user, {"first_name": "Jane", "last_name": "Doe", "number": written})
    return user


def queue(client, written, timeout=None):
    assert client.put(REST + "/my/call/" + quote(written, safe=""), **basic("bob", "1234")).status_code == 200
    if timeout:
        CallAttempt.objects.update(timeout=timeout)
    [row] = store.claim("test-agent")
    return row


def history_row(client, bob) -> str:
    client.force_login(bob)
    page = unlabelled(client.get("/cdrs/my/history/").content.decode())
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_an_answered_click_to_call_is_recorded_as_caller_to_callee(client, bob, written):
    row = queue(client, written)

    def phone(msg, fake):
        if not msg.is_request:
            return []
        if msg.method == "INVITE":
            return [response_to(msg, 180, "Ringing", to_tag="ph1"), ok(msg, body=b"v=0\r\n", port=fake.port)]
        if msg.method == "REFER":
            frm, to = msg.get("to"), msg.get("from")
            asyncio.get_running_loop().call_later(0.05, fake.ringing, frm, to, msg.call_id)
            return [response_to(msg, 202, "Accepted")]
        if msg.method == "BYE":
            return [ok(msg)]
        return []

    async def run(agent):
        def ringing(frm, to, call_id):
            extra = [("Event", "refer"), ("Subscription-State", "active"), ("Content-Type", "message/sipfrag")]
            fake.send_request(agent, "NOTIFY", frm, to, call_id, 101, b"SIP/2.0 180 Ringing\r\n", extra)

        fake.ringing = ringing
        await agent.place(row)

    fake = FakePhone(phone)
    asyncio.run(_start_and_run(fake, run))
    refer = fake.requests("REFER")[0]
    assert refer.get("refer-to") == "<sip:+16175550142@example.org>"  # the wire is unchanged
    cdr = Cdr.objects.get()
    assert (cdr.caller_aor, cdr.callee_aor) == ("<sip:201@example.org>", "<sip:+16175550142@example.org>")
    assert (cdr.caller_user, cdr.callee_user, cdr.caller_name) == ("201", "+16175550142", "Bob Brown")
    assert cdr.termination == "T" and cdr.connect_time is not None
    rows = history_row(client, bob)
    assert '<td class="caller">Bob Brown <span class="muted">201</span></td>' in rows
    assert '<td class="callee">Jane Doe <span class="muted">+16175550142</span></td>' in rows
    assert '<td class="direction">outgoing</td>' in rows and "click-to-call" in rows


def test_a_call_never_answered_lasted_no_time(client, bob, written):
    row = queue(client, written, timeout=2)

    def phone(msg, fake):
        if msg.is_request and msg.method == "INVITE":
            return [response_to(msg, 180, "Ringing", to_tag="r")]
        if msg.is_request and msg.method == "CANCEL":
            invite = fake.requests("INVITE")[0]
            return [ok(msg, tag="r"), response_to(invite, 487, "Request Terminated", to_tag="r")]
        return []

    fake = FakePhone(phone)
    asyncio.run(_start_and_run(fake, lambda agent: agent.place(row)))
    cdr = Cdr.objects.get()
    assert (cdr.caller_user, cdr.callee_user, cdr.termination) == ("201", "+16175550142", "F")
    assert (cdr.end_time - cdr.start_time).total_seconds() >= 2  # it rang...
    assert cdr.duration_seconds == 0  # ...but never was a call
    rows = history_row(client, bob)
    assert '<td class="duration">0:00</td>' in rows and '<td class="result">no answer' in rows
    exported = list(csv.DictReader(io.StringIO(b"".join(client.get("/cdrs/history.csv").streaming_content).decode())))
    assert [(r["caller name"], r["callee name"], r["duration (s)"]) for r in exported] == [
        ("Bob Brown", "Jane Doe", "0")
    ]
