"""D7 across processes: gunicorn with two workers and the lockout counters in Redis (REDIS_URL), as a
multi-host installation runs. Failures counted by whichever worker served them lock the name on every
worker, and the counters are in Redis, not in a process.

Needs a Redis server: see the `redis_url` fixture (tests/conftest.py)."""

import pytest

from tests.server.live import LiveServer

pytestmark = pytest.mark.server

LOGIN = "/sipxconfig/rest/my/logindetails"


@pytest.fixture(scope="module")
def redis_db(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("*lockout:*"):
        client.delete(key)
    yield client
    for key in client.scan_iter("*lockout:*"):
        client.delete(key)


@pytest.fixture(scope="module")
def server(redis_url, redis_db):
    srv = LiveServer(
        secret_key="redis-lockout-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("200", "1234", ["alice"]), ("201", "1234", ["bob"])],
        workers=2,
        extra_env={"REDIS_URL": redis_url},
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
