"""Browser tests of the attendant pages: the menu editor (add/remove rows, parameter hints, the page's own
check before submitting) and the special-mode panel used by an attendant admin, checked over REST."""

import base64
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.attendants.models import AutoAttendant, SpecialMode

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, make_user):
    # transactional_db flushes tables between tests, the migration's system attendants too: put them back.
    AutoAttendant.objects.get_or_create(system_id="operator", defaults={"name": "operator"})
    AutoAttendant.objects.get_or_create(system_id="afterhour", defaults={"name": "After hours"})
    return {"admin": admin_user, "carol": make_user("300", pin="1357", aliases=["carol"], perm_attendant_admin=True)}


def menu_rows(page):
    return page.locator("#menu-rows tr[data-menu-row]:visible")


def test_admin_builds_a_three_key_menu(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/attendants/")
    page.click("text=Add attendant")
    page.fill("#id_name", "Main menu")
    page.fill("#id_description", "Office hours")
    rows = menu_rows(page)
    expect(rows).to_have_count(1)  # the script leaves one row to start with
    rows.nth(0).locator("select[name$='-key']").select_option("0")
    rows.nth(0).locator("select[name$='-action']").select_option("operator")
    expect(rows.nth(0).locator(".param-hint")).to_have_text("No parameter.")
    page.click("#add-menu-row")
    expect(rows.nth(1).locator("select[name$='-key']")).to_have_value("1")  # the next free key
    rows.nth(1).locator("select[name$='-action']").select_option("transfer_out")
    expect(rows.nth(1).locator(".param-hint")).to_contain_text("Needs an extension or SIP URI")
    page.click("#add-menu-row")
    rows.nth(2).locator("select[name$='-key']").select_option("9")
    rows.nth(2).locator("select[name$='-action']").select_option("dial_by_name")

    # The page checks before submitting: transfer_out without its extension is refused on the row.
    page.click("button:has-text('Save')")
    expect(rows.nth(1).locator(".client-error")).to_contain_text("needs an extension or SIP URI")
    assert "/attendants/add/" in page.url and not AutoAttendant.objects.filter(name="Main menu").exists()
    rows.nth(1).locator("input[name$='-parameter']").fill("201")

    # A row added by mistake and removed again is not saved.
    page.click("#add-menu-row")
    rows.nth(3).locator("select[name$='-action']").select_option("disconnect")
    rows.nth(3).locator("[data-remove]").click()
    expect(rows).to_have_count(3)
    page.screenshot(path="/tmp/sipxweb-attendant-editor.png", full_page=True)
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("Attendant Main menu saved.")
    expect(page.locator("table.list tbody tr", has_text="Main menu")).to_contain_text("3")

    page.click("table.list a:text-is('Main menu')")
    page.reload()
    expect(rows).to_have_count(3)
    got = [
        (
            row.locator("select[name$='-key']").input_value(),
            row.locator("select[name$='-action']").input_value(),
            row.locator("input[name$='-parameter']").input_value(),
        )
        for row in rows.all()
    ]
    assert got == [("0", "operator", ""), ("1", "transfer_out", "201"), ("9", "dial_by_name", "")]
    attendant = AutoAttendant.objects.get(name="Main menu")
    assert list(attendant.menu.values_list("key", "action", "parameter")) == got


def test_server_error_shown_next_to_the_row(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/attendants/add/")
    page.fill("#id_name", "Typo")
    row = menu_rows(page).nth(0)
    row.locator("select[name$='-action']").select_option("transfer_out")
    row.locator("input[name$='-parameter']").fill("not a uri!")  # only the server knows the extensions
    page.click("button:has-text('Save')")
    expect(row.locator("ul.errorlist")).to_contain_text('"not a uri!" is neither an extension')
    expect(page.locator("#id_name")).to_have_value("Typo")
    expect(row.locator("input[name$='-parameter']")).to_have_value("not a uri!")
    page.screenshot(path="/tmp/sipxweb-attendant-editor-error.png", full_page=True)


def test_another_attendant_is_picked_by_name(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/attendants/add/")
    page.fill("#id_name", "Lobby")
    row = menu_rows(page).nth(0)
    target = row.locator("select[name$='-attendant']")
    expect(target).to_be_hidden()  # only "Another attendant" takes a name from the list
    row.locator("select[name$='-action']").select_option("transfer_to_another_aa_menu")
    expect(target).to_be_visible()
    expect(row.locator("input[name$='-parameter']")).to_be_hidden()
    page.click("button:has-text('Save')")  # the page's own check: a name is needed
    expect(row.locator(".client-error")).to_contain_text("needs an attendant")
    target.select_option(label="After hours")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("Attendant Lobby saved.")
    lobby = AutoAttendant.objects.get(name="Lobby")
    assert list(lobby.menu.values_list("action", "parameter")) == [("transfer_to_another_aa_menu", "After hours")]
    expect(page.locator("table.list")).not_to_contain_text("xcf")  # the list names attendants, no internal ids


def rest_specialmode(live_server, name: str, pin: str) -> str:
    request = urllib.request.Request(
        live_server.url + "/sipxconfig/rest/auto-attendant/specialmode",
        headers={
            "Accept": "application/xml",
            "Authorization": "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.read().decode()


def test_attendant_admin_turns_special_mode_on(users, page, live_server, login):
    assert "<specialMode>false</specialMode>" in rest_specialmode(live_server, "carol", "1357")
    login("carol", "1357")
    page.goto(live_server.url + "/")
    page.click("nav >> text=Attendants")
    expect(page.locator("#special-state")).to_have_text("off")
    expect(page.locator("text=Add attendant")).to_have_count(0)
    page.click("button:has-text('Turn special mode on')")  # nothing selected: the page asks for a choice
    expect(page.locator(".message.error")).to_contain_text("Select the special attendant first")
    expect(page.locator("#special-state")).to_have_text("off")
    page.select_option("#id_attendant", label="After hours")
    page.click("button:has-text('Select')")
    page.click("button:has-text('Turn special mode on')")
    expect(page.locator(".messages")).to_contain_text("Special mode is on")
    expect(page.locator("#special-state")).to_have_text("on")
    expect(page.locator("#special-mode")).to_contain_text("calls to the operator go to After hours")
    page.screenshot(path="/tmp/sipxweb-attendant-list.png", full_page=True)
    assert "<specialMode>true</specialMode>" in rest_specialmode(live_server, "carol", "1357")

    # Clearing the special attendant while special mode is on is refused with a message (the 409 case).
    page.select_option("#id_attendant", label="None")
    page.click("button:has-text('Select')")
    expect(page.locator(".message.error")).to_contain_text("turn it off before clearing")
    assert SpecialMode.current().attendant is not None
