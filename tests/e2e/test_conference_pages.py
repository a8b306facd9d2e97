"""Browser tests of the conference pages: an admin creates a room for a user; the owner changes its codes in
the portal; /my/conferences shows the change."""

import base64
import json
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_admin_creates_owner_edits(transactional_db, admin_user, alice, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/conferences/")
    page.click("text=Add conference")
    page.fill("#id_name", "team")
    page.select_option("#id_owner", label="200")
    page.fill("#id_description", "Weekly team call")
    page.fill("#id_extension", "8000")
    page.fill("#id_access_code", "555")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("team saved.")
    expect(page.locator("table.list tbody")).to_contain_text("8000")
    page.click("text=Log out")

    login("alice", "1234")
    page.goto(live_server.url + "/portal/conferences/")
    expect(page.locator("#conferences")).to_contain_text("555")
    page.click("#conferences >> text=Edit")
    page.fill("#id_access_code", "777")
    page.fill("#id_moderator_code", "4242")
    page.click("button:has-text('Save')")
    expect(page.locator("#conferences")).to_contain_text("777")
    request = urllib.request.Request(
        live_server.url + "/sipxconfig/rest/my/conferences",
        headers={"Accept": "application/json", "Authorization": "Basic " + base64.b64encode(b"alice:1234").decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    assert body == {
        "conferences": [
            {
                "enabled": True,
                "name": "team",
                "description": "Weekly team call",
                "extension": "8000",
                "accessCode": "777",
            }
        ]
    }
