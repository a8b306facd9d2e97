"""Browser tests of a user's PIN and greetings: Change PIN (policy sentences, the session kept, the new PIN at the
next login), a greeting that is not recorded cannot be chosen, Upload without a file, voicemail that is off."""

import pytest
from playwright.sync_api import expect

from apps.users.models import User
from apps.voicemail import services as voicemail

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, alice, make_user):
    return {"alice": alice, "dave": make_user("203", aliases=["dave"], first_name="Dave", perm_voicemail=False)}


def test_a_user_changes_their_pin(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/")
    page.click("text=Change PIN")
    page.fill("#id_current_pin", "1234")
    page.fill("#id_pin", "4321")
    page.fill("#id_confirm_pin", "4321")
    page.click("button:has-text('Change PIN')")
    expect(page.locator("#id_pin_error, .errorlist").first).to_contain_text("run of digits")
    page.fill("#id_current_pin", "1234")
    page.fill("#id_pin", "blue-kite-7")
    page.fill("#id_confirm_pin", "blue-kite-7")
    page.click("button:has-text('Change PIN')")
    expect(page.locator(".messages")).to_contain_text("Your portal PIN was changed")
    page.goto(live_server.url + "/portal/contact/")  # still logged in
    assert "/login/" not in page.url
    assert User.objects.get(username="200").check_password("blue-kite-7")
    page.click("button:has-text('Log out')")
    login("alice", "blue-kite-7")


def test_greetings_say_what_is_missing(users, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    choice = page.locator("#active-greeting label", has_text="Out of office")
    expect(choice).to_contain_text("(not recorded)")
    choice.locator("input").check()
    page.click("button:has-text('Save greeting choice')")
    expect(page.locator(".message.error")).to_contain_text('There is no "Out of office" greeting recorded yet')
    assert voicemail.active_greeting(users["alice"]) == "none"
    # The browser asks for a file itself; past that (an older browser, a script), the server says the same.
    row = page.locator("tr[data-greeting='standard']")
    row.locator("form").evaluate("form => { form.noValidate = true; }")
    row.locator("button:has-text('Upload')").click()
    expect(page.locator(".message.error")).to_contain_text("Choose a file to upload.")


def test_voicemail_off_is_said(users, page, live_server, login):
    login("dave", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    expect(page.locator("main")).to_contain_text("Voicemail is off for your account")
    expect(page.locator("#greetings")).to_have_count(0)
