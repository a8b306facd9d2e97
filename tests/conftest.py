"""Shared test helpers, each defined once: users built explicitly, REST calls with real Basic credentials, the
logged-in administrator's client, the golden files, the query counter and a clock tests move instead of sleeping;
and the `slow` marker that `make test` leaves out (`make test ALL=1` runs everything)."""

import base64
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.users import services
from apps.users.models import User

REST = "/sipxconfig/rest"


def basic(name: str, pin: str) -> dict:
    """Django test-client headers carrying Basic credentials."""
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode()}


GOLDEN = Path(__file__).parent / "golden"


def golden(name: str) -> bytes:
    """The bytes sipXconfig 4.6 answers (tests/golden/<name>): what a wire test compares with, byte for byte."""
    return (GOLDEN / name).read_bytes()


def listed(client, url: str, attr: str = "name") -> list:
    """What a list page lists: `attr` of each object on the page (`listed(admin_client, url + "?enabled=true")`)."""
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [getattr(row, attr) for row in response.context["object_list"]]


def count_queries(call, *args, status: int = 200, **kwargs) -> int:
    """The SQL queries one call costs: `count_queries(client.get, url)`, `count_queries(import_file, document)`.
    When the call answers an HTTP response it must have `status` (a page that fails early costs fewer queries and
    would pass any comparison), and a streamed body is read inside the count, where its queries run."""
    with CaptureQueriesContext(connection) as captured:
        result = call(*args, **kwargs)
        if isinstance(result, HttpResponseBase):
            assert result.status_code == status, (result.status_code, getattr(result, "content", b"")[:500])
            if result.streaming:
                b"".join(result.streaming_content)
    return len(captured)


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


def unlabelled(page: str) -> str:
    """A page's HTML without what only the phone layout of a stacked table reads (table.stack): the cells'
    `data-label` (their column's name) and the `wide` class (a cell across the row). A test that looks for a cell
    by its own class compares its content alone."""
    page = re.sub(r' data-label="[^"]*"', "", page)
    page = re.sub(r'<td class="([^"]*?) wide"', r'<td class="\1"', page)
    return page.replace('<td class="wide">', "<td>")


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


@pytest.fixture(scope="session")
def media_roots(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def private_media_root(settings, media_roots):
    """Uploaded and generated files (voicemail, prompts, the demo's audio) go to a throw-away folder of each test's
    own. Made with mkdtemp: pytest's numbered folders list their parent on every call, which grows with the suite."""
    import tempfile

    settings.MEDIA_ROOT = tempfile.mkdtemp(dir=media_roots)


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


@pytest.fixture
def admin_client(client, admin_user):
    """`client` logged in as the administrator (the same object: a test may use both names). Replaces
    pytest-django's fixture of this name, which builds a Django superuser of its own."""
    client.force_login(admin_user)
    return client


class Clock:
    """The wall clock as the lockout windows and the cache expiry read it, moved forward by `advance(seconds)`."""

    def __init__(self, monkeypatch):
        import time
        from types import SimpleNamespace

        from django.core.cache.backends import base as django_base_cache
        from django.core.cache.backends import db as django_db_cache
        from django.utils import timezone

        from apps.users import lockout
        from sipxweb import cache

        self.offset = 0.0
        wall, tz_now = time.time, timezone.now
        # The seams: the lockout's clock() (its windows, Retry-After and hints), the lean cache's expiry checks,
        # Django's database cache (`add` over an expired row) and the expiry every cache backend writes
        # (BaseCache.get_backend_timeout reads time.time()), so what is stored and what is read agree.
        moved = SimpleNamespace(time=lambda: wall() + self.offset)
        monkeypatch.setattr(lockout, "clock", moved.time)
        monkeypatch.setattr(django_base_cache, "time", moved)
        monkeypatch.setattr(cache, "tz_now", lambda: tz_now() + timedelta(seconds=self.offset))
        monkeypatch.setattr(django_db_cache, "tz_now", lambda: tz_now() + timedelta(seconds=self.offset))

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    """clock.advance(901): the lockout window and the cached counters expire without waiting for them."""
    return Clock(monkeypatch)


# What `make test` leaves out (the `slow` marker; `make test ALL=1` and .ci/run run it): the trees that start a
# browser, gunicorn, the SIP agent or SIPp, or a private PostgreSQL, and the long generated or scale tests (a
# file, or one test of it). Paths are relative to tests/; a test elsewhere that starts gunicorn carries the
# `server` marker and is slow too.
SLOW_TREES = ("e2e/", "server/", "sip/", "media/", "reliability/")
SLOW_TESTS = (
    "floor/test_openapi.py",
    "floor/test_openapi_stateful.py",
    "floor/test_fuzz.py",
    "pbxdata/test_roundtrip_property.py",
    "phonebooks/test_import.py::test_ten_thousand_rows",
)
SLOW_MARKERS = ("e2e", "server", "sip", "reliability")
# Run after the parallel part, alone (the Makefile's second pytest): they time recovery under their own load.
SERIAL_TREES = ("reliability/",)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks (--dist loadgroup)
def pytest_collection_modifyitems(items):
    """Marks the slow tests (above) and keeps each slow module on one xdist worker, so that a server its tests
    share (a module-scoped fixture) starts once; the fast tests are spread one by one."""
    tests_dir = Path(__file__).parent
    for item in items:
        relative = item.path.relative_to(tests_dir).as_posix() if item.path.is_relative_to(tests_dir) else ""
        test = f"{relative}::{item.originalname if hasattr(item, 'originalname') else item.name}"
        if (
            relative.startswith(SLOW_TREES)
            or relative in SLOW_TESTS
            or test in SLOW_TESTS
            or any(item.get_closest_marker(name) for name in SLOW_MARKERS)
        ):
            item.add_marker(pytest.mark.slow)
            # The media tests' rigs run one after another on one worker: two at once measured audio on a loaded
            # machine, and one rig's RTP reached the other's media server through a reused port (PJSIP adopts a
            # new RTP source after a few packets), leaving a tone in a recording of silence.
            item.add_marker(pytest.mark.xdist_group("media/" if relative.startswith("media/") else relative))
        if relative.startswith(SERIAL_TREES):
            item.add_marker(pytest.mark.serial)
    _refuse_stray_playwright_fixtures(items)


def _refuse_stray_playwright_fixtures(items):
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
