"""The layout as an administrator and a user meet it, in Chromium at 1366x900 and at 390x844 (a phone): every page
the menus reach fits the screen (no page wider than the viewport), loads without a console error or a failed
asset, and marks its own menu entry; the phone's menu folds under a button; the header names the logged-in user
on the pages of another user (issue 15, defect 1); the error pages are the layout's (defect 4). Screenshots go to
tests/e2e/screenshots/ (git-ignored; tests/e2e/watch.py) for a reviewer to open."""

import re

import pytest
from playwright.sync_api import expect

from apps.audit.models import AuditEntry
from apps.callcontrol.models import CallAttempt
from apps.users.models import User
from tests.e2e.watch import DESKTOP, PHONE, Watched

pytestmark = pytest.mark.e2e


def menu_paths(w: Watched) -> list[str]:
    """Every page the menus link to (the main menu, and an administrator's account menu), in the menus' order."""
    hrefs = w.page.eval_on_selector_all(
        "nav.site-nav a[href], nav.user-nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(h for h in hrefs if h.startswith("/")))


def walk_menus(w: Watched, who: str, size: str) -> dict[str, list[str]]:
    """Opens every page of the menus; returns {path: problems} for the pages that have any."""
    w.open("/")
    paths = menu_paths(w)
    assert len(paths) > 5, paths
    found = {}
    for path in paths:
        w.page.goto(w.base + path)
        w.page.wait_for_load_state("networkidle")
        problems = list(w.problems)
        w.problems.clear()
        if path != "/api/docs/":  # Swagger UI is not the layout; it is checked for errors and overflow only
            current = w.page.locator(f'nav.site-nav a[href="{path}"], nav.user-nav a[href="{path}"]').first
            if current.get_attribute("aria-current") != "page":
                problems.append("its menu entry is not marked as the current page")
        if (extra := w.overflow()) > 0:
            problems.append(f"{extra}px wider than the screen: {', '.join(w.too_wide())}")
        w.shot(f"{who}-{size}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-') or 'home'}")
        if problems:
            found[path] = problems
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize(("who", "pin"), [("superadmin", "admin1234"), ("alice", "1234"), ("carol", "1234")])
def test_every_menu_page_fits_and_loads_cleanly(demo, watched, who, pin, viewport):
    w = watched(viewport)
    w.login(who, pin)
    assert walk_menus(w, who, str(viewport["width"])) == {}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_object_pages_fit(demo, watched, viewport):
    """The pages below the lists (an attendant's menu editor, a user, a phone) fit the screen as well."""
    w = watched(viewport)
    w.login("superadmin", "admin1234")
    w.open("/attendants/")
    w.page.locator("table.list tbody a[href^='/attendants/']").last.click()
    w.page.wait_for_load_state("networkidle")
    edit_pages = [w.page.url.removeprefix(w.base)]
    for listing in ("/users/", "/phones/", "/conferences/", "/phonebooks/"):
        w.open(listing)
        edit_pages.append(w.page.locator("table.list tbody td a").first.get_attribute("href"))
    for path in edit_pages:
        w.open(path)
        assert w.problems == [], (path, w.problems)
        assert w.overflow() <= 0, (path, w.overflow())
        w.shot(f"object-{viewport['width']}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-')}")


def test_attendant_menu_editor_on_a_phone(demo, watched):
    """At 390 px every key of the menu editor is readable and its action's name is not cut: the columns wrap into
    one block per key instead of squeezing a table."""
    w = watched(PHONE)
    w.login("superadmin", "admin1234")
    w.open("/attendants/add/")
    w.page.click("#add-menu-row")
    row = w.page.locator("#menu-rows tr[data-menu-row]:visible").first
    row.locator("select[name$='-key']").select_option("1")
    row.locator("select[name$='-action']").select_option(index=1)
    for name in ("key", "action", "parameter"):
        box = row.locator(f"[name$='-{name}']").bounding_box()
        assert box["width"] >= 60, (name, box)  # wide enough to read what was chosen
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
    remove = row.locator("[data-remove]").bounding_box()
    assert remove["x"] + remove["width"] <= PHONE["width"], remove
    assert w.overflow() <= 0
    w.shot("attendant-editor-390")


def test_the_phone_menu_folds_under_a_button(demo, watched):
    w = watched(PHONE)
    w.login("superadmin", "admin1234")
    w.open("/users/")
    users_link = w.page.locator("nav.site-nav a", has_text="Users")
    toggle = w.page.locator("#site-menu > summary")
    expect(toggle).to_be_visible()
    expect(users_link).to_be_hidden()  # folded: the content starts at the top of the screen
    assert w.page.locator("#site-menu").bounding_box()["height"] < 60
    toggle.click()
    expect(users_link).to_be_visible()
    expect(users_link).to_have_attribute("aria-current", "page")
    w.shot("menu-open-390")
    toggle.click()
    expect(users_link).to_be_hidden()
    w.page.set_viewport_size(DESKTOP)  # a wide window shows the menu, whatever the button said
    expect(users_link).to_be_visible()
    expect(toggle).to_be_hidden()


def test_the_account_menu_holds_the_administrators_own_pages(demo, watched):
    w = watched(DESKTOP)
    w.login("superadmin", "admin1234")
    w.open("/")
    own = w.page.locator("nav.user-nav a", has_text="My call forwarding")
    expect(own).to_be_hidden()
    w.page.click("details.user-menu > summary")
    expect(own).to_be_visible()
    w.shot("account-menu-1366")
    w.page.click("main h1")  # a click elsewhere closes it
    expect(own).to_be_hidden()
    w.page.click("details.user-menu > summary")
    own.click()
    expect(w.page.locator("h1")).to_contain_text("forwarding")
    assert w.page.locator("nav.user-nav a", has_text="My call forwarding").get_attribute("aria-current") == "page"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_header_names_the_logged_in_admin_on_another_users_pages(demo, watched, viewport):
    """Defect 1: on /users/<id>/ and /users/<id>/delete/ the page's user once took the layout's name `user`: the
    header said "Eve Adams | Log out" with Eve's portal menu and no admin menu."""
    w = watched(viewport)
    w.login("superadmin", "admin1234")
    alice = User.objects.get(username="200")
    for path in (f"/users/{alice.pk}/", f"/users/{alice.pk}/delete/"):
        w.open(path)
        expect(w.page.locator("header .whoami")).to_have_text("superadmin")
        w.page.locator("#site-menu > summary").click() if viewport is PHONE else None
        admin_menu = w.page.locator("nav.site-nav ul[aria-label='Administration']")
        expect(admin_menu.get_by_role("link", name="Users", exact=True)).to_be_visible()
        expect(admin_menu.get_by_role("link", name="Users", exact=True)).to_have_attribute("aria-current", "page")
        expect(admin_menu.get_by_role("link", name="Audit log")).to_be_visible()
        expect(w.page.locator("main h1")).to_contain_text("200")  # the page is still about alice (200)
        assert w.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_error_pages_are_the_layouts(demo, watched, viewport):
    """Defect 4: 403 was bare text, 404 Django's own page; now both are pages of the site, with its menus."""
    w = watched(viewport)
    w.login("alice", "1234")
    w.open("/users/", status=403)
    expect(w.page.locator("h1")).to_have_text("You may not open this page")
    expect(w.page.locator("header .whoami")).to_contain_text("Alice")
    expect(w.page.locator("link[rel=icon]")).to_have_count(1)
    assert w.problems == [] and w.overflow() <= 0
    w.shot(f"error-403-{viewport['width']}")
    w.open("/no/such/page/", status=404)
    expect(w.page.locator("h1")).to_have_text("Page not found")
    expect(w.page.locator("main")).to_contain_text("/no/such/page/")
    assert "urlpatterns" not in w.page.content() and "Using the URLconf" not in w.page.content()
    w.page.click("main a:has-text('Go to the home page')")
    expect(w.page.locator("h1")).to_contain_text("Welcome")
    assert w.problems == []
    w.shot(f"error-404-{viewport['width']}")


def test_admin_overview_shows_the_pbx_at_a_glance(demo, watched):
    alice = User.objects.get(username="200")
    CallAttempt.objects.create(
        key="x",
        agent=alice,
        calling_uri="sip:200@example.org",
        called_uri="sip:+16175550142@example.org",
        state=CallAttempt.State.FAILED,
        outcome="408 Request Timeout",
    )
    AuditEntry.objects.create(actor="root", channel=AuditEntry.Channel.IMPORT, kind="user", key="204", action="create")
    w = watched(DESKTOP)
    w.login("superadmin", "admin1234")  # the landing page after logging in
    expect(w.page.locator("h1")).to_have_text("The PBX at a glance")
    stats = w.page.locator(".stats")
    expect(stats.locator(".stat", has_text="Users").locator(".stat-value")).to_have_text(str(User.objects.count()))
    expect(w.page.locator("#failed-attempts")).to_contain_text("+16175550142@example.org (408 Request Timeout)")
    expect(w.page.locator("#recent-imports")).to_contain_text("root created user 204")
    w.shot("overview-1366")


def test_swagger_links_back_to_the_app(demo, watched):
    w = watched(DESKTOP)
    w.login("superadmin", "admin1234")
    w.open("/api/docs/")
    w.page.get_by_role("link", name="Back to sipxweb").click()
    expect(w.page.locator("h1")).to_have_text("The PBX at a glance")
