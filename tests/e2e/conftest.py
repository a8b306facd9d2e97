"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against pytest-django's
live_server. Django's live server thread and Playwright's sync API (which runs an event loop) share the
process, so Django's async-safety check is switched off here."""

import io
import os

import pytest
from django.core.management import call_command

from tests.e2e.watch import Watched

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; the live server serves static/ straight through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def login(page, live_server):
    """login("alice", "1234") logs the browser page in through the login form."""

    def do(name: str, pin: str):
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", name)
        page.fill("#id_password", pin)
        page.click("button:has-text('Log in')")
        page.wait_for_load_state()
        assert "/login/" not in page.url, page.content()

    return do


@pytest.fixture
def demo(transactional_db):
    """The demo PBX (`manage.py seed_demo`): superadmin / admin1234, alice / 1234, bob, carol, dave, ..."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def watched(browser, live_server):
    """watched(PHONE) -> a Watched page (tests/e2e/watch.py) of its own browser context at that screen size."""
    opened = []

    def make(viewport: dict) -> Watched:
        opened.append(Watched(browser, live_server.url, viewport))
        return opened[-1]

    yield make
    for w in opened:
        w.close()
