"""Browser tests of the phonebook pages (Chromium via Playwright, against the live server): an administrator
previews a CSV file (its bad rows named by line and contact), imports a good one in one click, finds an entry by
company and edits and deletes imported entries one by one; a user adds, edits and deletes a private entry and finds
it with the search box, and sees colleagues first in a phonebook sorted by name, with the phonebook's name."""

import pytest
from playwright.sync_api import expect

from apps.phonebooks.models import Phonebook, PhonebookEntry
from tests.phonebooks.conftest import FILES

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_admin_previews_and_imports_a_csv_file(users, page, live_server, login):
    book = Phonebook.objects.create(name="contacts", description="Imported contacts")
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/phonebooks/")
    page.click("#phonebooks >> text=contacts")
    page.click("text=Import a file")
    page.set_input_files("#id_file", str(FILES / "bad-row.csv"))
    page.click("button:has-text('Check the file')")
    expect(page.locator("#problems-title")).to_have_text("2 bad rows: nothing can be imported")
    problems = page.locator("#problems tbody tr")
    expect(problems.nth(0)).to_have_text("3No NumberIt has no phone number.")
    expect(problems.nth(1)).to_have_text("5Too Many4 fields, but the header has 3.")
    page.screenshot(path="/tmp/sipxweb-phonebook-import-problems.png", full_page=True)
    assert not book.entries.exists()
    page.set_input_files("#id_file", str(FILES / "sipxconfig.csv"))
    page.click("button:has-text('Check the file')")
    expect(page.locator("#ready-title")).to_have_text("2 entries ready to import")
    expect(page.locator("#preview")).to_contain_text("Linux Foundation")
    page.screenshot(path="/tmp/sipxweb-phonebook-import.png", full_page=True)
    assert not book.entries.exists()
    page.click("button:has-text('Import 2 entries')")
    expect(page.locator(".messages")).to_contain_text("2 entries imported into contacts from sipxconfig.csv.")
    rows = page.locator("#entries tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#entries")).to_contain_text("Torvalds")
    expect(page.locator("#entries")).to_contain_text("+358401234567")
    page.fill("#id_q", "ken bell labs")  # a full name, a company: every word somewhere
    page.click("button:has-text('Filter')")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Thompson")
    assert book.entries.count() == 2

    rows.first.locator("text=Edit").click()
    page.fill("#id_number", "5551001")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("Ken Thompson 5551001 saved in contacts.")
    page.locator("#entries tbody tr", has_text="Torvalds").locator("text=Delete").click()
    page.click("button:has-text('Yes, delete')")
    expect(page.locator(".messages")).to_contain_text("deleted from contacts")
    expect(rows).to_have_count(1)
    assert list(book.entries.values_list("number", flat=True)) == ["5551001"]


def test_user_sees_colleagues_first_sorted_by_name(users, page, live_server, login, make_user):
    from apps.phonebooks import services
    from apps.users.models import UserGroup

    make_user("201", first_name="Bob", last_name="Jones")
    staff = UserGroup.objects.create(name="staff")
    for user in users["alice"], users["alice"].__class__.objects.get(username="201"):
        user.groups.add(staff)
    book = Phonebook.objects.create(name="Sales directory")
    book.members.add(staff)
    book.consumers.add(staff)
    services.add_entries(
        [{"first_name": "Zoe", "last_name": f"Zimmer {i:02d}", "number": f"+1555{i:07d}"} for i in range(40)],
        phonebook=book,
    )
    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    rows = page.locator("#my-phonebook tbody tr")
    expect(rows.first).to_contain_text("Jones")  # was on the last page: "+1555..." sorts before "201" as text
    expect(rows.first).to_contain_text("Colleague")
    expect(page.locator("#my-phonebook tbody tr", has_text="Zimmer 00")).to_contain_text("Sales directory")
    page.click("th >> text=Number")
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Number")
    expect(rows.first).to_contain_text("+15550000000")
    page.click(".page-numbers >> text=2")
    expect(rows.last).to_contain_text("Jones")
    page.screenshot(path="/tmp/sipxweb-my-phonebook-sorted.png", full_page=True)


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
