"""D7 across processes: gunicorn with two workers and the lockout counters in Redis (REDIS_URL), as a
multi-host installation runs. Failures counted by whichever worker served them lock the name on every
worker, and the counters are in Redis, not in a process.

Needs a Redis server (REDIS_TEST_URL, default redis://127.0.0.1:6379/15). Without one the test is skipped on
a developer's machine; .ci/run starts Redis and sets SIPXWEB_REQUIRE_REDIS=1, so there it fails instead."""

import os

import pytest

from tests.server.live import LiveServer

pytestmark = pytest.mark.server

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
LOGIN = "/sipxconfig/rest/my/logindetails"


@pytest.fixture(scope="module")
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("SIPXWEB_REQUIRE_REDIS"):
            pytest.fail(f"No Redis at {REDIS_TEST_URL}, and SIPXWEB_REQUIRE_REDIS is set.")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    for key in client.scan_iter("*lockout:*"):
        client.delete(key)
    yield client
    for key in client.scan_iter("*lockout:*"):
        client.delete(key)


@pytest.fixture(scope="module")
def server(redis_db):
    srv = LiveServer(
        secret_key="redis-lockout-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("200", "1234", ["alice"]), ("201", "1234", ["bob"])],
        workers=2,
        extra_env={"REDIS_URL": REDIS_TEST_URL},
    )
    srv.start()
    yield srv
    srv.stop()


def test_failures_on_any_worker_lock_the_name_on_every_worker(server, redis_db):
    # Each request on a fresh connection: the two workers take them as they come.
    codes = [server.request("GET", LOGIN, basic=("bob", "wrong"))[0] for _ in range(10)]
    assert codes == [401] * 10
    assert any(b"lockout:name:" in key for key in redis_db.scan_iter("*lockout:*"))
    for _ in range(6):
        status, headers, body = server.request("GET", LOGIN, basic=("bob", "1234"))
        assert status == 429, body
        assert int(dict((k.lower(), v) for k, v in headers)["retry-after"]) > 0
    # Another name from the same address is not locked; a success leaves no counter behind for it.
    assert server.request("GET", LOGIN, basic=("alice", "1234"))[0] == 200


def test_a_success_clears_the_name_counter_in_redis(server, redis_db):
    for _ in range(3):
        assert server.request("GET", LOGIN, basic=("alice", "nope"))[0] == 401
    names = {key for key in redis_db.scan_iter("*lockout:name:*")}
    assert server.request("GET", LOGIN, basic=("alice", "1234"))[0] == 200
    assert len(set(redis_db.scan_iter("*lockout:name:*"))) == len(names) - 1
