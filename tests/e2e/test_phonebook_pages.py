"""Browser tests of the phonebook pages (Chromium via Playwright, against the live server): an administrator
imports a CSV file and sees its entries; a user adds, edits and deletes a private entry and finds it with the
search box."""

import pytest
from playwright.sync_api import expect

from apps.phonebooks.models import Phonebook, PhonebookEntry
from tests.phonebooks.conftest import FILES

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_admin_imports_a_csv_file(users, page, live_server, login):
    book = Phonebook.objects.create(name="contacts", description="Imported contacts")
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/phonebooks/")
    page.click("text=contacts")
    page.click("text=Import a file")
    page.set_input_files("#id_file", str(FILES / "sipxconfig.csv"))
    page.click("button:has-text('Import')")
    expect(page.locator("#imported-title")).to_have_text("Imported: 2")
    expect(page.locator("#rejected-title")).to_have_text("Rejected: 0")
    page.screenshot(path="/tmp/sipxweb-phonebook-import.png", full_page=True)
    page.click("text=Phonebook contacts")
    rows = page.locator("#entries tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#entries")).to_contain_text("Torvalds")
    expect(page.locator("#entries")).to_contain_text("+358401234567")
    page.fill("#id_q", "thompson")
    page.click("button:has-text('Filter')")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ken")
    assert book.entries.count() == 2


def test_user_adds_edits_deletes_and_finds_a_private_entry(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    page.click("text=Add entry")
    page.fill("#id_first_name", "Grace")
    page.fill("#id_last_name", "Kelly")
    page.fill("#id_number", "+37799990000")
    page.fill("#id_email_address", "grace@example.mc")
    page.fill("#id_office_city", "Monaco")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("added to your phonebook")
    row = page.locator("#my-phonebook tbody tr", has_text="Kelly")
    expect(row).to_contain_text("+37799990000")
    row.locator("text=Edit").click()
    page.fill("#id_number", "+37799990001")
    page.fill("#id_job_title", "Princess")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("saved")
    entry = PhonebookEntry.objects.get(last_name="Kelly")
    assert (entry.number, entry.job_title, entry.office_address) == ("+37799990001", "Princess", {"city": "Monaco"})
    page.fill("#id_q", "kel")
    page.click("button:has-text('Search')")
    rows = page.locator("#my-phonebook tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("+37799990001")
    page.screenshot(path="/tmp/sipxweb-my-phonebook.png", full_page=True)
    rows.first.locator("text=Delete").click()
    page.click("button:has-text('Yes, delete')")
    expect(page.locator(".messages")).to_contain_text("was deleted")
    page.fill("#id_q", "kel")
    page.click("button:has-text('Search')")
    expect(page.locator("#my-phonebook tbody")).to_contain_text("No entry matches")
    assert not PhonebookEntry.objects.filter(last_name="Kelly").exists()
