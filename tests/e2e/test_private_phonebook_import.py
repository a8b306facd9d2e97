"""Browser test of the import into My phonebook (Chromium via Playwright, against the live server): alice uploads a
CSV file with a bad row and sees it named by line and contact, uploads the corrected file, sees what will be
imported and the contact she has already, imports it in one click and finds the entries in My phonebook; then she
downloads her own entries and the file holds them (and nothing of the phonebooks she only sees)."""

import pytest
from playwright.sync_api import expect

from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry
from apps.users.models import UserGroup

pytestmark = pytest.mark.e2e

BAD = (
    "First Name;Last Name;Number;Company Name\r\n"
    "Grace;Kelly;+377 9999 0000;Monaco\r\n"
    "No;Number;;\r\n"
    "Rainier;Grimaldi;+377 9999 0001;Monaco\r\n"
)
GOOD = BAD.replace("No;Number;;", "Ada;Lovelace;+44 20 7946 0000;")


def test_alice_imports_a_csv_with_preview_and_downloads_her_entries(
    transactional_db, alice, page, live_server, login, tmp_path
):
    services.create_private_entry(alice, {"first_name": "Ada", "last_name": "Lovelace", "number": "+44 20 7946 0000"})
    staff = UserGroup.objects.create(name="staff")
    alice.groups.add(staff)
    book = Phonebook.objects.create(name="Directory")
    book.consumers.add(staff)
    services.add_entries([{"first_name": "Zoe", "last_name": "Zimmer", "number": "+41 44 555 0000"}], phonebook=book)
    bad, good = tmp_path / "contacts.csv", tmp_path / "contacts-fixed.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")

    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Check the file')")
    expect(page.locator("#problems-title")).to_have_text("1 bad row: nothing can be imported")
    expect(page.locator("#problems tbody tr")).to_have_text(["3No NumberIt has no phone number."])
    expect(page.locator("button:has-text('Import')")).to_have_count(0)
    assert PhonebookEntry.objects.filter(private_phonebook__user=alice).count() == 1

    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('Check the file')")
    expect(page.locator("#ready-title")).to_have_text("2 entries ready to import")
    expect(page.locator("#skipped tbody tr")).to_have_text(
        ["3Ada LovelaceAlready in your phonebook with this first name, last name and number."]
    )
    expect(page.locator("#preview tbody tr")).to_have_count(2)
    page.screenshot(path="/tmp/sipxweb-my-phonebook-import-preview.png", full_page=True)
    page.click("button:has-text('Import 2 entries')")
    expect(page.locator(".messages")).to_contain_text(
        "2 entries imported into your phonebook from contacts-fixed.csv. 1 contact you have already was skipped."
    )
    rows = page.locator("#my-phonebook tbody tr")
    expect(page.locator("#my-phonebook tbody tr", has_text="Kelly")).to_contain_text("+377 9999 0000")
    expect(page.locator("#my-phonebook tbody tr", has_text="Grimaldi")).to_contain_text("Monaco")
    expect(rows).to_have_count(4)  # Ada, Grace, Rainier and the directory's Zoe
    expect(page.locator("#downloads")).to_contain_text("Your own entries (3)")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your own entries as CSV", exact=True).click()
    assert download.value.suggested_filename == "phonebook-alice-smith-private.csv"
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('"First Name","Last Name","Number"')
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ['"Rainier"', '"Grimaldi"', '"+377 9999 0001"'],
        ['"Grace"', '"Kelly"', '"+377 9999 0000"'],
        ['"Ada"', '"Lovelace"', '"+44 20 7946 0000"'],
    ]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your own entries as vCard", exact=True).click()
    assert download.value.suggested_filename == "phonebook-alice-smith-private.vcf"
    assert download.value.path().read_text(encoding="utf-8").count("BEGIN:VCARD") == 3
