"""Shared test helpers: users built explicitly, and REST calls with real Basic credentials."""

import base64
import os

import pytest
from django.test import Client

from apps.users import services
from apps.users.models import User

REST = "/sipxconfig/rest"


def basic(name: str, pin: str) -> dict:
    """Django test-client headers carrying Basic credentials."""
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode()}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):  # noqa: ARG001
    """SQLite's test database is a file, not Django's shared in-memory one: with an in-memory database the
    browser tests' live server hands one connection to all its request threads, and a page that fetches
    audio while it POSTs then interleaves two transactions on it. With a file each request thread has its
    own connection, as each gunicorn worker does in production (WAL, IMMEDIATE, busy timeout)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def redis_url():
    """The Redis the tests may use (REDIS_TEST_URL, default database 15 on localhost). Without one the test is
    skipped on a developer's machine; under .ci/run (SIPXWEB_REQUIRE_REDIS=1) it fails instead."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("SIPXWEB_REQUIRE_REDIS"):
            pytest.fail(f"No Redis at {REDIS_TEST_URL}, and SIPXWEB_REQUIRE_REDIS is set.")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    return REDIS_TEST_URL


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Production hashing is slow on purpose; the tests check behaviour, not the hasher's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def forget_lockout_hints():
    """The lockout counters roll back with each test's database; the process's hint of recent failures
    (apps/users/lockout.py `suspect`) goes with them, as it would once the counters expire."""
    from apps.users import lockout

    lockout._SUSPECT.clear()


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path_factory):
    """Uploaded and generated files (voicemail, prompts, the demo's audio) go to a throw-away folder."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The manifest storage needs `collectstatic` first; tests serve static files straight from static/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db):
    """make_user("200", pin="1234", aliases=["alice"], first_name="Alice", ...) -> User."""

    def make(username: str, pin: str = "1234", aliases=(), **fields) -> User:
        return services.create_user(username=username, pin=pin, aliases=list(aliases), **fields)

    return make


@pytest.fixture
def alice(make_user):
    user = make_user(
        "200",
        aliases=["alice"],
        first_name="Alice",
        last_name="Smith",
        sip_password="alicesip200",
        im_id="alice",
        im_enabled=True,
    )
    services.set_forwarding(
        user,
        20,
        [
            services.RingData("5551234", 30, "If no response", True),
            services.RingData("sip:alice@mobile.example.net", 20, "At the same time", False),
        ],
    )
    profile = user.profile
    profile.job_title, profile.company_name = "Sales Lead", "Example Inc"
    profile.email_address, profile.office_address = "alice@example.org", {"city": "Boston"}
    profile.save()
    return user


@pytest.fixture
def admin_user(make_user):
    return make_user("superadmin", pin="admin1234", is_admin=True)


@pytest.fixture
def client():
    return Client()


def pytest_collection_modifyitems(items):
    """Only the browser tests may ask for Playwright's fixtures. pytest-playwright makes any test that asks for
    a fixture named `page`, `browser`, `context`... a session-parametrised browser test, and pytest then moves
    the whole browser group next to it: the live-server tests (which flush the database) end up in the middle
    of the ordinary ones, and Playwright's event loop is left running under later asyncio tests."""
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(item, "fixturenames", ()) and "/e2e/" not in item.nodeid
    ]
    if strays:
        raise pytest.UsageError(
            "Only tests under tests/e2e/ may use Playwright's fixtures (page, browser, context); rename the "
            f"fixture these tests ask for: {', '.join(strays[:5])}"
        )
