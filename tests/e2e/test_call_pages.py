"""Browser tests of the call pages: the admin's active calls refresh by themselves, call history with filters,
charts and CSV export, the portal's call box and own calls (Chromium via Playwright, live server)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.callcontrol.models import CallAttempt
from apps.cdrs.models import Cdr

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice, make_user):
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
    expect(page.locator(".errors")).to_contain_text("Enter a phone number")
    page.click("nav a:text-is('My active calls')")
    expect(page.locator("#active-calls tbody tr")).to_have_count(1)
    page.click("nav a:text-is('My call history')")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("#id_user")).to_have_count(0)
