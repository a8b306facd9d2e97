"""A user sets do not disturb and an away period on the portal and sees each on the portal home; an overlapping
period is refused on the page with its sentence; GET /api/v1/my/availability (Basic with the user's PIN) answers the
same state the home shows."""

import base64
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from apps.users.models import AwayPeriod

pytestmark = pytest.mark.e2e

FORMAT = "%Y-%m-%dT%H:%M"


def test_dnd_and_an_away_period_on_the_home_page_and_over_rest(transactional_db, alice, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/time-zone/")
    page.select_option("#id_time_zone", "Europe/Berlin")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("Your time zone is Europe/Berlin")

    page.goto(live_server.url + "/portal/")
    expect(page.locator("#availability-now")).to_contain_text("Available: your calls ring as usual.")
    page.click("#dnd-on")
    expect(page.locator("#availability-now")).to_contain_text("Do not disturb is on")

    # An away period from an hour ago to two hours ahead, written in Berlin's wall-clock time.
    now = datetime.now(ZoneInfo("Europe/Berlin")).replace(second=0, microsecond=0)
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    page.click("#availability >> text=My away periods")
    page.fill("#id_start", start.strftime(FORMAT))
    page.fill("#id_end", end.strftime(FORMAT))
    page.select_option("#id_greeting", "extendedabsence")
    page.click("button:has-text('Add away period')")
    expect(page.locator(".messages")).to_contain_text("The away period was added.")
    expect(page.locator("#away-periods tbody tr")).to_have_count(1)
    expect(page.locator("#away-periods")).to_contain_text("active")

    # An overlapping one is refused with the sentence, and nothing is added.
    page.fill("#id_start", (start + timedelta(minutes=30)).strftime(FORMAT))
    page.fill("#id_end", (end + timedelta(hours=1)).strftime(FORMAT))
    page.click("button:has-text('Add away period')")
    expect(page.locator("#away-add")).to_contain_text("This period overlaps the away period")
    assert AwayPeriod.objects.count() == 1

    page.goto(live_server.url + "/portal/")
    state = page.locator("#availability-now")
    expect(state).to_contain_text("Do not disturb is on")
    expect(state).to_contain_text("extended absence")
    page.click("#dnd-off")
    expect(state).to_contain_text("Away until")
    expect(state).to_contain_text(end.strftime("%H:%M"))
    expect(state).to_contain_text("calls go to voicemail")

    credentials = base64.b64encode(b"alice:1234").decode()
    answer = page.request.get(
        live_server.url + "/api/v1/my/availability", headers={"Authorization": f"Basic {credentials}"}
    )
    assert answer.status == 200
    body = answer.json()
    period = AwayPeriod.objects.get()
    assert (body["dnd"], body["forwardAll"], body["until"]) == (False, None, None)
    assert body["now"]["reason"] == "away" and body["now"]["voicemailOnly"] is True
    assert body["now"]["greeting"] == "extendedabsence"
    assert body["activeAwayPeriod"]["id"] == period.pk
    assert datetime.fromisoformat(body["activeAwayPeriod"]["end"]) == end
    assert period.time_zone == "Europe/Berlin"  # the user's zone wrote it
