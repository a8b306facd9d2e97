"""Browser tests of the call pages: the admin's active calls refresh by themselves, call history with filters,
charts and CSV export, the portal's call box and own calls, and click-to-call from My phonebook followed live
(Chromium via Playwright, live server; the call-control agent's part is played by its own store functions)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.callcontrol import health, store
from apps.callcontrol.models import CallAttempt
from apps.cdrs.models import Cdr
from apps.phonebooks import services as phonebooks

pytestmark = pytest.mark.e2e


@pytest.fixture
def agent_heartbeat(transactional_db, monkeypatch):
    """The call-control agent's heartbeat (apps/callcontrol/health.py), kept fresh as the running agent keeps it:
    with it a click queues the call for the agent (whose part FakeAgent plays) instead of being refused at once."""
    monkeypatch.setattr(health, "STALE", 3600)  # the live server runs in this process: it reads the same setting
    health.beat({"owner": "e2e-agent"})
    yield
    health.stopped("e2e-agent")  # the cache table outlives the test's rows


@pytest.fixture
def users(transactional_db, admin_user, alice, make_user, agent_heartbeat):
    return {"admin": admin_user, "alice": alice, "bob": make_user("201", aliases=["bob"])}


def record(call_id, caller, callee, minutes_ago, active):
    start = timezone.now() - timedelta(minutes=minutes_ago)
    return Cdr.objects.create(
        call_id=call_id,
        caller_aor=f"<sip:{caller}@example.org>",
        callee_aor=f"<sip:{callee}@example.org>",
        caller_user=caller,
        callee_user=callee,
        start_time=start,
        connect_time=start,
        end_time=None if active else start + timedelta(seconds=30),
        termination="I" if active else "C",
    )


def test_active_calls_refresh_by_themselves(users, page, live_server, login):
    record("a1", "200", "201", 3, active=True)
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/cdrs/active/")
    rows = page.locator("#active-calls tbody tr")
    expect(rows).to_have_count(1)
    record("a2", "202", "203", 1, active=True)
    expect(rows).to_have_count(2, timeout=15000)  # no reload: the page fetched the table again
    Cdr.objects.filter(call_id="a1").update(termination="C", end_time=timezone.now())
    expect(rows).to_have_count(1, timeout=15000)
    expect(rows.first).to_contain_text("202")


def test_history_filters_charts_and_csv(users, page, live_server, login):
    for i in range(3):
        record(f"h{i}", "200", "201", 60 + i, active=False)
    record("h9", "202", "203", 30, active=False)
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/cdrs/history/")
    expect(page.locator("table.list tbody tr")).to_have_count(4)
    expect(page.locator("svg.chart")).to_have_count(2)
    page.fill("#id_user", "202")
    page.click("button:has-text('Filter')")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    with page.expect_download() as info:
        page.click("text=Export CSV")
    text = open(info.value.path()).read()
    assert text.count("\n") == 2 and '"<sip:202@example.org>"' in text


def test_portal_call_box_and_own_calls(users, page, live_server, login):
    record("p1", "200", "201", 2, active=True)
    record("p2", "202", "203", 2, active=True)
    login("alice", "1234")
    page.click("nav a:text-is('Call')")
    page.fill("#id_number", "(555) 123-4567")
    page.click("#call-box button:has-text('Call')")
    expect(page.locator(".messages")).to_contain_text("Calling 5551234567")
    attempt = CallAttempt.objects.get()
    assert (attempt.calling_uri, attempt.called_uri) == ("sip:200@example.org", "sip:5551234567@example.org")
    page.fill("#id_number", "123*we@sip")
    page.click("#call-box button:has-text('Call')")
    expect(page.locator(".errors")).to_contain_text("'123*we@sip' is not a phone number or user name to call")
    page.click("nav a:text-is('My active calls')")
    expect(page.locator("#active-calls tbody tr")).to_have_count(1)
    page.click("nav a:text-is('My call history')")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("#id_user")).to_have_count(0)


class FakeAgent:
    """Writes, through the agent's own store functions, what the call-control agent writes while it places the one
    queued attempt: the status lines of the caller's phone and of the REFER's NOTIFYs, then the outcome."""

    def __init__(self):
        [self.row] = store.claim("e2e-agent")
        self.ms = 1_700_000_000_000
        store.set_call_id(self.row["id"], "leg@127.0.0.1")

    def line(self, method, text):
        self.ms += 10
        store.add_status(self.row["id"], self.ms, "leg@127.0.0.1", method, text)

    def finish(self, ok, outcome="done"):
        store.finish(self.row["id"], ok, outcome)


@pytest.fixture
def phonebook(users):
    alice = users["alice"]
    for first, last, number in (("Jane", "Doe", "+1 (617) 555-0142"), ("Marco", "Rossi", "+39 02 5550 9999")):
        phonebooks.create_private_entry(alice, {"first_name": first, "last_name": last, "number": number})
    phonebooks.create_private_entry(alice, {"first_name": "Bad", "last_name": "Number", "number": "123*we@sip"})
    return alice


def call_button(page, number):
    return page.locator(f"#my-phonebook button[data-call='{number}']")


def status_of(page, number):
    return page.locator(f"#my-phonebook button[data-call='{number}'] + .call-status")


def test_call_from_my_phonebook_is_followed_to_the_answer(phonebook, page, live_server, login):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    button, status = call_button(page, "+1 (617) 555-0142"), status_of(page, "+1 (617) 555-0142")
    button.click()
    expect(status).to_have_text("Waiting for the call agent…")
    expect(button).to_be_disabled()
    attempt = CallAttempt.objects.get()
    assert attempt.called_uri == "sip:+16175550142@example.org"  # spaces and ( ) - gone, the + kept
    agent = FakeAgent()
    expect(status).to_have_text("Ringing your phone…")
    agent.line("INVITE", "SIP/2.0 180 Ringing")
    agent.line("INVITE", "SIP/2.0 200 OK")
    expect(status).to_have_text("Connecting to Jane Doe…")
    agent.line("NOTIFY", "SIP/2.0 180 Ringing")
    expect(status).to_have_text("Ringing Jane Doe…")
    agent.line("NOTIFY", "SIP/2.0 200 OK")
    agent.finish(True)
    expect(status).to_have_text("Jane Doe answered.")
    expect(button).to_be_enabled()
    expect(button).to_have_text("Call")
    assert not errors, errors


def test_call_from_my_phonebook_says_no_answer_and_why_it_was_refused(phonebook, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    button, status = call_button(page, "+39 02 5550 9999"), status_of(page, "+39 02 5550 9999")
    button.click()
    expect(status).to_have_text("Waiting for the call agent…")
    assert CallAttempt.objects.get().called_uri == "sip:+390255509999@example.org"
    agent = FakeAgent()
    agent.line("INVITE", "SIP/2.0 180 Ringing")
    expect(status).to_have_text("Ringing your phone…")
    agent.line("INVITE", "SIP/2.0 487 Request Terminated")
    agent.finish(False, "the calling party did not answer (CANCEL after timeout)")
    expect(status).to_have_text("No answer from your phone.")
    expect(button).to_be_enabled()
    # A number that cannot be called: the server's sentence, and the button stays usable.
    bad = call_button(page, "123*we@sip")
    bad.click()
    expect(status_of(page, "123*we@sip")).to_have_text(
        "'123*we@sip' is not a phone number or user name to call (digits, letters and * + , / are allowed; "
        "? ; @ quotes and angle brackets are not)."
    )
    expect(bad).to_be_enabled()
    assert CallAttempt.objects.count() == 1


def test_the_call_box_follows_its_call(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/cdrs/my/call/")
    page.fill("#id_number", "201")
    page.click("#call-box button:has-text('Call')")
    status = page.locator("#call-progress")
    expect(status).to_have_text("Waiting for the call agent…")
    agent = FakeAgent()
    agent.line("INVITE", "SIP/2.0 486 Busy Here")
    agent.finish(False, "the calling party's INVITE failed: SIP/2.0 486 Busy Here")
    expect(status).to_have_text("Your phone is busy.")
