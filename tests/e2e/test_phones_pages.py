"""Browser tests of the phone pages: the CSV import (a preview naming every problem by line and phone, then one click
that imports the whole file), the list sorted by a column header and paged by number, and a phone created by hand."""

import pytest
from playwright.sync_api import expect

from apps.phones.models import Phone
from apps.phones.services import PhoneData, create_phone

pytestmark = pytest.mark.e2e

CSV = b"""serial,model,description,user
0004f2a1b2c3,polycomVVX300,Reception,alice
0004f2a1b2c3,polycomVVX300,Duplicate,
805ec0112233,yealinkPhoneT46,Meeting room,
00:04:f2:00:00:01,nokia3310,Unknown model,
"""
# The same phones as European Excel saves them: semicolons, the model as the pages name it.
EXCEL = "\ufeffSerial;Model;Description;User\r\n0004f2a1b2c3;Polycom VVX 300/310;Réception;alice\r\n".encode()
EXCEL += b"805ec0112233;Yealink T46G/T46S;Meeting room;\r\n"


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_admin_previews_fixes_and_imports_phones(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/phones/")
    page.click("text=Import from CSV")
    page.set_input_files("#id_file", files=[{"name": "phones.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.click("button:has-text('Check the file')")
    expect(page.locator("#problems-title")).to_have_text("2 problems: nothing can be imported")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("3")
    expect(problems.nth(0)).to_contain_text("Duplicate")
    expect(problems.nth(0)).to_contain_text("The serial number 0004f2a1b2c3 is given twice.")
    expect(problems.nth(1)).to_contain_text("5")
    expect(problems.nth(1)).to_contain_text('Unknown phone model "nokia3310".')
    expect(page.locator("button:has-text('Import')")).to_have_count(0)
    page.screenshot(path="/tmp/sipxweb-phone-import-problems.png", full_page=True)
    assert not Phone.objects.exists()

    page.set_input_files("#id_file", files=[{"name": "phones.csv", "mimeType": "text/csv", "buffer": EXCEL}])
    page.click("button:has-text('Check the file')")
    expect(page.locator("#ready-title")).to_have_text("2 phones ready to import")
    expect(page.locator("#preview tbody tr").nth(1)).to_contain_text("Yealink T46G/T46S")
    page.screenshot(path="/tmp/sipxweb-phone-import-preview.png", full_page=True)
    assert not Phone.objects.exists()
    page.click("button:has-text('Import 2 phones')")
    expect(page.locator(".messages")).to_contain_text("2 phones imported from phones.csv.")
    expect(page.locator("table.list tbody tr")).to_have_count(2)
    expect(page.locator("table.list tbody tr", has_text="0004f2a1b2c3")).to_contain_text("200")
    assert Phone.objects.get(serial_number="0004f2a1b2c3").description == "Réception"


def test_admin_sorts_and_pages_the_list(users, page, live_server, login):
    for i in range(30):
        create_phone(PhoneData(f"0004f2{i:06x}", "snom720" if i % 2 else "polycom300", f"Desk {i:02d}"))
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/phones/")
    first = page.locator("table.list tbody tr").first
    expect(first).to_contain_text("0004f2000000")
    page.click("th >> text=Serial number")
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Serial number")
    expect(first).to_contain_text("0004f200001d")
    page.click("th >> text=Model")
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Model")
    expect(first).to_contain_text("Polycom")
    page.click(".page-numbers >> text=2")
    expect(page.locator(".pagination")).to_contain_text("Page 2 of 2")
    expect(first).to_contain_text("Snom")  # the order is kept from page to page
    page.click(".page-sizes >> text=50")
    expect(page.locator("table.list tbody tr")).to_have_count(30)
    page.screenshot(path="/tmp/sipxweb-phone-list-sorted.png", full_page=True)


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
    # The same serial again: a sentence of ours, not Django's "Phone with this Serial number already exists."
    page.goto(live_server.url + "/phones/add/")
    page.fill("#id_serial_number", "0004f2aabbcc")
    page.select_option("#id_model", "polycom550")
    page.click("button:has-text('Save')")
    expect(page.locator(".errorlist")).to_have_text("Another phone already has this serial number.")
