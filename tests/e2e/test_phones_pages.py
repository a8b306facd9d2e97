"""Browser tests of the phone pages: the CSV import and its result page, and a phone created by hand."""

import pytest
from playwright.sync_api import expect

from apps.phones.models import Phone

pytestmark = pytest.mark.e2e

CSV = b"""serial,model,description,user
0004f2a1b2c3,polycomVVX300,Reception,alice
0004f2a1b2c3,polycomVVX300,Duplicate,
805ec0112233,yealinkPhoneT46,Meeting room,
00:04:f2:00:00:01,nokia3310,Unknown model,
"""


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_admin_imports_phones_from_csv(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/phones/")
    page.click("text=Import from CSV")
    page.set_input_files("#id_file", files=[{"name": "phones.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.click("button:has-text('Import')")
    expect(page.locator("h1")).to_have_text("Import result")
    expect(page.locator("#created-title")).to_have_text("Created: 2")
    expect(page.locator("#skipped-title")).to_have_text("Skipped: 2")
    expect(page.locator("#created tbody tr")).to_have_count(2)
    skipped = page.locator("#skipped tbody tr")
    expect(skipped.nth(0)).to_contain_text("3")
    expect(skipped.nth(0)).to_contain_text("already exists")
    expect(skipped.nth(1)).to_contain_text("5")
    expect(skipped.nth(1)).to_contain_text('unknown phone model "nokia3310"')
    page.screenshot(path="/tmp/sipxweb-phone-import.png", full_page=True)
    page.click("main >> a:text-is('Phones')")
    expect(page.locator("table.list tbody tr")).to_have_count(2)
    expect(page.locator("table.list tbody tr", has_text="0004f2a1b2c3")).to_contain_text("200")
    assert sorted(Phone.objects.values_list("serial_number", flat=True)) == ["0004f2a1b2c3", "805ec0112233"]


def test_admin_creates_and_filters_a_phone(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/phones/add/")
    page.fill("#id_serial_number", "00:04:F2:AA:BB:CC")
    page.select_option("#id_model", "polycom550")
    page.fill("#id_version", "3.2")
    page.fill("#id_lines", "alice")
    page.screenshot(path="/tmp/sipxweb-phone-add.png", full_page=True)
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("Phone 0004f2aabbcc saved.")
    page.fill("#id_user", "alice")
    page.click("button:has-text('Filter')")
    row = page.locator("table.list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("3.2.X")
