"""Browser tests of the HTML pages (Chromium via Playwright, against the live server)."""

import base64
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.users.models import User

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_admin_creates_a_user(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/users/")
    page.click("text=Add user")
    page.fill("#id_username", "204")
    page.fill("#id_first_name", "Eve")
    page.fill("#id_last_name", "Green")
    page.fill("#id_aliases", "eve, evg")
    page.fill("#id_pin", "5812")
    page.fill("#id_sip_password", "evesip204")
    page.screenshot(path="/tmp/sipxweb-user-add.png", full_page=True)
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("User 204 saved.")
    row = page.locator("table.list tbody tr", has_text="Eve")
    expect(row).to_contain_text("204")
    expect(row).to_contain_text("eve, evg")
    assert "evesip204" not in page.content()
    page.screenshot(path="/tmp/sipxweb-user-list.png", full_page=True)
    assert User.objects.get(username="204").sip_password == "evesip204"


def rest_get(live_server, path: str, name: str, pin: str) -> dict:
    request = urllib.request.Request(
        live_server.url + path,
        headers={
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_user_edits_ring_list(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/forward/")
    rows = page.locator("#ring-rows tr[data-ring]:visible")
    expect(rows).to_have_count(2)
    page.click("#add-ring")
    expect(rows).to_have_count(3)
    rows.nth(2).locator("input[name$='-number']").fill("6000")
    rows.nth(2).locator("input[name$='-expiration']").fill("15")
    rows.nth(2).locator("select[name$='-type']").select_option("At the same time")
    rows.nth(2).locator("[data-move=up]").click()  # 6000 before the mobile
    rows.nth(1).locator("[data-move=up]").click()  # and to the top
    expect(rows.nth(0).locator("input[name$='-number']")).to_have_value("6000")
    rows.nth(1).locator("input[name$='-enabled']").uncheck()  # disable 5551234
    page.fill("#id_timer", "25")
    page.screenshot(path="/tmp/sipxweb-forward.png", full_page=True)
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("call forwarding was saved")
    expect(rows.nth(0).locator("input[name$='-number']")).to_have_value("6000")

    seq = rest_get(live_server, "/sipxconfig/rest/my/forward", "alice", "1234")["call-sequence"]
    assert seq["expiration"] == 25
    assert [(r["number"], r["expiration"], r["type"], r["enabled"]) for r in seq["rings"]] == [
        ("6000", 15, "At the same time", True),
        ("5551234", 30, "If no response", False),
        ("sip:alice@mobile.example.net", 20, "At the same time", False),
    ]

    # remove one ring and save again
    rows.nth(2).locator("[data-remove]").click()
    expect(rows).to_have_count(2)
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("call forwarding was saved")
    seq = rest_get(live_server, "/sipxconfig/rest/my/forward", "alice", "1234")["call-sequence"]
    assert [r["number"] for r in seq["rings"]] == ["6000", "5551234"]


def test_wrong_pin_shows_an_error(users, page, live_server):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "0000")
    page.click("button:has-text('Log in')")
    expect(page.locator("[role=alert]")).to_contain_text("Wrong user name or PIN")
    assert "/login/" in page.url
    expect(page.locator("#id_username")).to_have_value("alice")


def test_contact_information_persists(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/contact/")
    expect(page.locator("#id_job_title")).to_have_value("Sales Lead")
    page.fill("#id_job_title", "Head of Sales")
    page.fill("#id_cell_phone_number", "+15550101")
    page.fill("#id_home_address-city", "Cambridge")
    page.fill("#id_office_address-city", "")
    page.screenshot(path="/tmp/sipxweb-contact.png", full_page=True)
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("saved")
    page.reload()
    expect(page.locator("#id_job_title")).to_have_value("Head of Sales")
    expect(page.locator("#id_cell_phone_number")).to_have_value("+15550101")
    expect(page.locator("#id_home_address-city")).to_have_value("Cambridge")
    expect(page.locator("#id_office_address-city")).to_have_value("")
    profile = User.objects.get(username="200").profile
    assert profile.home_address == {"city": "Cambridge"} and profile.office_address == {}


def test_sip_password_only_on_request(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/login-details/")
    expect(page.locator("#username")).to_have_text("200")
    expect(page.locator("#aliases")).to_have_text("alice")
    assert "alicesip200" not in page.content()
    page.click("text=Show SIP password")
    expect(page.locator("#sip-password")).to_contain_text("alicesip200")
    page.screenshot(path="/tmp/sipxweb-login-details.png", full_page=True)
    page.click("text=Hide")
    expect(page.locator("#sip-password")).not_to_contain_text("alicesip200")
    assert "alicesip200" not in page.content()
