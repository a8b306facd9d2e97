"""Browser test of the routing preview (apps/sipproxy/views.py): an admin finds the Routing page in the nav,
types a number and reads where the call goes; a user reads their own route from the portal's nav (Chromium via
Playwright, live server)."""

import pytest
from playwright.sync_api import expect

from apps.users.models import Ring

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice, make_user, settings):
    settings.SIPX_VOICEMAIL_URI = "sip:{user}@media.example.org"
    bob = make_user("201", aliases=["bob"])
    Ring.objects.create(user=bob, position=0, number="alice", expiration=25, type=Ring.Type.DELAYED, enabled=True)
    return {"admin": admin_user, "alice": alice, "bob": bob}


def test_an_admin_previews_any_number_and_a_user_their_own(users, page, live_server, login):
    login("superadmin", "admin1234")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Routing", exact=True).click()
    page.fill("#id_to", "bob")
    page.click("button:has-text('Show the route')")
    expect(page.locator("#route-summary")).to_have_text(
        "A call to 201 or bob now rings: 201's phones (20 s), then 200's phones (25 s), "
        "then voicemail (sip:201@media.example.org).",
        use_inner_text=True,
    )
    page.fill("#id_to", "nobody")
    page.click("button:has-text('Show the route')")
    expect(page.locator("#id_to_error")).to_have_text("Nobody and nothing has the number nobody.")
    expect(page.locator("#route-summary")).to_have_count(0)

    page.click("button:has-text('Log out')")
    login("alice", "1234")
    page.get_by_role("link", name="My call routing").click()
    expect(page.locator("#route-summary")).to_contain_text("A call to 200 or alice now rings: 200's phones (20 s)")
    expect(page.get_by_role("link", name="Routing", exact=True)).to_have_count(0)
