"""Browser test of the special-mode schedule: an administrator adds a night period that covers the live server's
present instant and sees special mode on now because of it, with the period marked; the admin JSON API and the
sipXconfig special-mode URI answer the same state (the schedule on, the manual switch still off). Then an overlapping
period is refused on the page with its sentence, and deleting the night turns special mode off."""

import base64
import json
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from apps.attendants.models import AutoAttendant, SpecialModePeriod

pytestmark = pytest.mark.e2e
ZONE = "Europe/Berlin"


@pytest.fixture
def admin(transactional_db, admin_user, settings):
    settings.TIME_ZONE = ZONE
    # transactional_db flushes tables between tests, the migration's system attendants too: put them back.
    AutoAttendant.objects.get_or_create(system_id="operator", defaults={"name": "operator"})
    AutoAttendant.objects.get_or_create(system_id="afterhour", defaults={"name": "After hours"})
    return admin_user


def get(live_server, path: str) -> bytes:
    request = urllib.request.Request(live_server.url + path)
    credentials = base64.b64encode(b"superadmin:admin1234").decode()
    request.add_header("Authorization", f"Basic {credentials}")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.read()


def test_admin_adds_a_night_period_and_sees_special_mode_on_now(admin, page, live_server, login):
    now = datetime.now(ZoneInfo(ZONE))
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)  # the night is on while the test runs
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/attendants/")
    expect(page.locator("#special-now")).to_contain_text("Special mode off now")
    expect(page.locator("#special-schedule")).to_contain_text("No periods")

    page.click("text=Add period")
    page.fill("#id_name", "night")
    page.check(f"#id_weekdays_{start.weekday()}")
    page.fill("#id_start_time", f"{start:%H:%M}")
    page.fill("#id_end_time", f"{end:%H:%M}")
    page.click("button:has-text('Save')")

    expect(page.locator(".messages")).to_contain_text("Period night saved")
    expect(page.locator("#special-now")).to_contain_text("Special mode on now (night)")
    expect(page.locator("#special-now")).to_contain_text("calls to the operator go to After hours")
    expect(page.locator("#special-next")).to_contain_text(f"It ends {end:%a %Y-%m-%d %H:%M}.")
    expect(page.locator("#special-state")).to_have_text("off")  # the manual switch is untouched
    expect(page.locator("#special-schedule li", has_text="night")).to_contain_text("now")
    page.screenshot(path="/tmp/sipxweb-special-mode-schedule.png", full_page=True)

    state = json.loads(get(live_server, "/api/v1/special-mode/now"))
    assert (state["on"], state["reason"], state["period"], state["attendant"]) == (
        True, "schedule", "night", "After hours"
    )  # fmt: skip
    assert b"<specialMode>false</specialMode>" in get(live_server, "/sipxconfig/rest/auto-attendant/specialmode")

    # An overlapping period is refused with a sentence, next to nothing saved.
    page.click("text=Add period")
    page.fill("#id_name", "late")
    page.check(f"#id_weekdays_{start.weekday()}")
    page.fill("#id_start_time", f"{now:%H:%M}")
    page.fill("#id_end_time", f"{now + timedelta(hours=3):%H:%M}")
    page.click("button:has-text('Save')")
    expect(page.locator("form.form")).to_contain_text('This period overlaps "night"')
    assert SpecialModePeriod.objects.count() == 1

    page.goto(live_server.url + "/attendants/")
    page.locator("#special-schedule li", has_text="night").locator("text=Delete").click()
    page.click("button:has-text('Yes, delete')")
    expect(page.locator(".messages")).to_contain_text("Period night deleted.")
    expect(page.locator("#special-now")).to_contain_text("Special mode off now")
