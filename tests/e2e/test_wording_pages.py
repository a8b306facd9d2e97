"""Browser tests of the pages' feedback: a "Copy" button says "Copied" (also where the browser refuses the clipboard
API, as it does without the page's permission) and logging out says so on the login page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_the_copy_button_says_copied(users, page, live_server, login):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login("alice", "1234")
    page.goto(live_server.url + "/portal/tokens/")
    page.fill("#id_name", "my script")
    page.click("button:has-text('Create token')")
    button = page.locator("#copy-token")
    button.click()  # no clipboard permission granted: the page copies the selected text instead
    expect(button).to_have_text("Copied")
    expect(page.locator("#copy-result")).to_have_text("Copied.")
    page.screenshot(path="/tmp/sipxweb-copy-feedback.png", full_page=True)
    expect(button).to_have_text("Copy to clipboard", timeout=5000)  # and is itself again
    assert errors == []


def test_logging_out_says_so(users, page, live_server, login):
    login("alice", "1234")
    page.locator("form.logout button").click()
    page.wait_for_url(live_server.url + "/login/")
    expect(page.locator(".messages")).to_have_text("You have been logged out.")
