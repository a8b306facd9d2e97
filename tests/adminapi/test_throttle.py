"""Throttling of the admin JSON API (apps/adminapi/throttles.py): a budget of settings.API_THROTTLE_RATE requests per
token (per user for a PIN), in fixed windows counted in the shared cache; over it, 429 with Retry-After, until the
window ends. In process with a controlled clock; then through gunicorn with two workers, which must count together."""

import json
import math

import pytest
from django.core.cache import cache

from apps.adminapi import throttles
from apps.users import tokens
from tests.server.live import LiveServer, basic_header

WINDOW_START = 1_800_000_000  # a minute boundary (divisible by 60)


class Clock:
    def __init__(self, monkeypatch):
        self.now = WINDOW_START + 10.25
        monkeypatch.setattr(throttles.time, "time", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def three_a_minute(settings):
    settings.API_THROTTLE_RATE = "3/min"


@pytest.mark.django_db
def test_a_token_over_its_budget_gets_429_with_retry_after_until_the_window_ends(
    api, admin_user, clock, three_a_minute
):
    for _ in range(3):
        assert api.get("/groups").status_code == 200
    refused = api.get("/groups")
    assert refused.status_code == 429
    body = refused.json()
    assert body["type"] == "throttled" and "50 seconds" in body["error"], body
    # 49.75 s of the window remain: a client that waits Retry-After seconds is served again
    assert refused["Retry-After"] == str(math.ceil(60 - 10.25)) == "50"
    assert api.post("/groups", {"name": "sales"}).status_code == 429  # writes count too, and change nothing
    assert api.get("/groups/sales").status_code == 429
    clock.now += 49.8
    assert api.get("/groups").status_code == 200
    assert api.get("/groups/sales").status_code == 404


@pytest.mark.django_db
def test_another_token_and_another_user_keep_their_own_budget(api, admin_user, make_user, clock, three_a_minute):
    for _ in range(4):
        api.get("/groups")
    assert api.get("/groups").status_code == 429
    second = tokens.create_token(admin_user, "second", "read")[1]
    for _ in range(3):
        assert api.as_token(second).get("/groups").status_code == 200
    assert api.as_token(second).get("/groups").status_code == 429
    # an administrator with a PIN (Basic) counts as that user, apart from the user's tokens
    make_user("300", pin="9731", is_admin=True)
    for _ in range(3):
        assert api.as_pin("300", "9731").get("/groups").status_code == 200
    assert api.as_pin("300", "9731").get("/groups").status_code == 429


@pytest.mark.django_db
def test_the_count_lives_in_the_shared_cache(api, admin_user, admin_token, clock, three_a_minute):
    """The counter is the cache's (Redis or the database cache that every worker and host shares), not the
    process's: another process that adds to it is counted, and a new window starts from nothing."""
    token = tokens.usable(admin_token)
    key = f"api-throttle:t{token.pk}:{WINDOW_START}"
    assert api.get("/groups").status_code == 200
    assert cache.get(key) == 1
    cache.incr(key, 2)  # two requests served by another worker
    assert api.get("/groups").status_code == 429
    assert cache.get(key) == 4
    clock.now += 60
    assert api.get("/groups").status_code == 200
    assert cache.get(f"api-throttle:t{token.pk}:{WINDOW_START + 60}") == 1


@pytest.mark.django_db
def test_no_limit_when_the_rate_is_zero(api, admin_user, settings, clock):
    settings.API_THROTTLE_RATE = "0/min"
    assert all(api.get("/groups").status_code == 200 for _ in range(10))


@pytest.mark.server
def test_two_gunicorn_workers_count_one_budget():
    """Through gunicorn with two workers (requests on fresh connections land on either): exactly the budget of
    one token is served in a window, whichever worker serves it; another token has its own."""
    srv = LiveServer(
        secret_key="throttle-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("superadmin", "admin1234", [])],
        workers=2,
        # a day's window: the test cannot straddle two windows
        extra_env={"API_THROTTLE_RATE": "12/d"},
    )
    srv.start()
    try:
        srv.manage("shell", "-c", "from apps.users.models import User; User.objects.update(is_admin=True)")
        pin = {"Authorization": basic_header("superadmin", "admin1234"), "Content-Type": "application/json"}
        secrets = []
        for name in ("first", "second"):
            status, _, body = srv.request("POST", "/api/v1/tokens", pin, json.dumps({"name": name, "scope": "read"}))
            assert status == 201, body
            secrets.append(json.loads(body)["token"])
        first, second = ({"Authorization": f"Bearer {s}"} for s in secrets)
        answers = [srv.request("GET", "/api/v1/groups", first) for _ in range(20)]
        statuses = [status for status, _, _ in answers]
        assert statuses == [200] * 12 + [429] * 8, statuses
        retry_after = [dict(headers).get("Retry-After") for status, headers, _ in answers if status == 429]
        assert all(value and value.isdigit() and 1 <= int(value) <= 86400 for value in retry_after), retry_after
        assert srv.request("GET", "/api/v1/groups", second)[0] == 200
    finally:
        srv.stop()
