"""The portal in German, walked in Chromium: a user whose language is German (User.language, chosen on the time
zone page) and a user with no choice whose browser asks for de-DE see German headings on home, call forwarding,
voicemail, phonebook, away periods and PIN pages, none of the English ones, with no console error, failed request
or overflow (tests/e2e/watch.py). Needs the compiled German catalogue (locale/de/LC_MESSAGES/django.mo)."""

import pytest

from apps.users import availability, services
from tests.e2e.watch import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

# path -> a German text the page shows (its heading), and the English heading that must be gone.
PAGES = [
    ("/portal/", "Willkommen, Greta", "Welcome,"),
    ("/portal/forward/", "Meine Rufumleitung", "My call forwarding"),
    ("/portal/voicemail/", "Meine Voicemail", "My voicemail"),
    ("/portal/phonebook/", "Mein Telefonbuch", "My phonebook"),
    ("/portal/away/", "Meine Abwesenheiten", "My away periods"),
    ("/portal/pin/", "PIN ändern", "Change PIN"),
]
ENGLISH = [
    "Your settings",
    "My call forwarding",
    "My away periods",
    "My contact information",
    "Change PIN",
    "Available: your calls ring as usual.",
    "Missed calls",
    "Do not disturb",
    "Add an away period",
    "Please correct the errors below.",
]


@pytest.fixture
def greta(transactional_db):
    return services.create_user("greta", pin="greta1234", first_name="Greta", time_zone="Europe/Berlin")


def walk_in_german(w):
    for path, german, english in PAGES:
        w.open(path)
        main = w.page.locator("main").inner_text()
        assert german in main, (path, main[:400])
        assert english not in main, path
        assert [t for t in ENGLISH if t in main] == [], path
        assert w.page.locator("html").get_attribute("lang") == "de"
        w.step(path.strip("/").replace("/", "-") or "home")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_a_german_user_walks_the_portal_in_german(greta, watched, viewport):
    availability.set_language(greta, "de")
    w = watched(viewport)
    w.walk = "walk-portal-german"
    w.login("greta", "greta1234")  # the login page follows the browser (English here), the portal the user
    w.visited.clear()  # the login page and the redirect: the walk checks the portal's pages
    walk_in_german(w)
    # The forwarding form refused in German (Django's own message and ours), nothing stored.
    w.open("/portal/forward/")
    w.step("forward again")
    w.page.fill("#id_timer", "")
    w.page.locator("#forward-form button[type=submit]").last.click()
    w.page.wait_for_load_state()
    main = w.page.locator("main").inner_text()
    assert "Bitte korrigieren Sie" in main and "Please correct" not in main
    w.step("forward refused")


def test_a_german_browser_gets_the_portal_in_german(greta, browser, live_server):
    context = browser.new_context(locale="de-DE", viewport=DESKTOP)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert "Dieses Feld ist zwingend erforderlich." not in page.content()
    page.fill("#id_username", "greta")
    page.fill("#id_password", "greta1234")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    for path, german, english in PAGES:
        page.goto(live_server.url + path)
        main = page.locator("main").inner_text()
        assert german in main and english not in main, (path, main[:400])
    # Her own choice wins over the browser's.
    availability.set_language(greta, "en")
    page.goto(live_server.url + "/portal/")
    assert "Your settings" in page.locator("main").inner_text()
    assert errors == []
    context.close()
