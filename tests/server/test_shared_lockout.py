"""D7 across processes: gunicorn with two workers and the lockout counters in Redis (REDIS_URL), as a
multi-host installation runs. Failures counted by whichever worker served them lock the name on every
worker, and the counters are in Redis, not in a process.

Needs a Redis server: see the `redis_url` fixture (tests/conftest.py)."""

import uuid

import pytest

from tests.server.live import LiveServer

pytestmark = pytest.mark.server

LOGIN = "/sipxconfig/rest/my/logindetails"


# This run's own keys (CACHE_KEY_PREFIX): another test run sharing the Redis database (a second checkout, CI beside
# a developer) neither sees nor deletes them.
PREFIX = f"lockout-test-{uuid.uuid4().hex[:12]}"
LOCKOUT_KEYS = f"{PREFIX}:*lockout:*"
ACCOUNT_KEYS = f"{PREFIX}:*lockout:acct:*"


@pytest.fixture(scope="module")
def redis_db(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    for key in client.scan_iter(LOCKOUT_KEYS):
        client.delete(key)


@pytest.fixture(scope="module")
def server(redis_url, redis_db):
    srv = LiveServer(
        secret_key="redis-lockout-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("200", "1234", ["alice"]), ("201", "1234", ["bob"]), ("203", "1234", ["dave"])],
        workers=2,
        extra_env={"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": PREFIX},
    )
    srv.start()
    yield srv
    srv.stop()


def test_failures_on_any_worker_lock_the_name_on_every_worker(server, redis_db):
    # Each request on a fresh connection: the two workers take them as they come.
    codes = [server.request("GET", LOGIN, basic=("bob", "wrong"))[0] for _ in range(10)]
    assert codes == [401] * 10
    assert any(b"lockout:acct:" in key for key in redis_db.scan_iter(LOCKOUT_KEYS))
    for _ in range(6):
        status, headers, body = server.request("GET", LOGIN, basic=("bob", "1234"))
        # On failure, the counters as Redis holds them. CI saw a 200 here; once certainly while another test run
        # shared the Redis database and deleted every lockout key (hence this run's own prefix).
        counters = {k.decode(): (redis_db.get(k), redis_db.ttl(k)) for k in redis_db.scan_iter(LOCKOUT_KEYS)}
        assert status == 429, f"{status} {body!r}\ncounters (value, ttl): {counters}\n{server.output()[-3000:]}"
        assert int(dict((k.lower(), v) for k, v in headers)["retry-after"]) > 0
    # Another name from the same address is not locked; a success leaves no counter behind for it.
    assert server.request("GET", LOGIN, basic=("alice", "1234"))[0] == 200


def test_a_success_clears_the_name_counter_in_redis(server, redis_db):
    for _ in range(3):
        assert server.request("GET", LOGIN, basic=("alice", "nope"))[0] == 401
    names = {key for key in redis_db.scan_iter(ACCOUNT_KEYS)}
    assert server.request("GET", LOGIN, basic=("alice", "1234"))[0] == 200
    # the account's counter and its window start are gone
    assert len(set(redis_db.scan_iter(ACCOUNT_KEYS))) == len(names) - 2


# ---- parallel guesses: the limit holds exactly (issue 9), with Redis and with the database cache -----------


def _parallel_wrong_pins(server, names, count=20):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(
            pool.map(
                lambda i: server.request("GET", LOGIN, basic=(names[i % len(names)], "0000"), timeout=180)[0],
                range(count),
            )
        )


def test_parallel_wrong_pins_check_at_most_ten_with_redis(server, redis_db):
    codes = _parallel_wrong_pins(server, ["dave", "dave@example.org", "example.org\\dave", "203"])
    assert codes.count(401) == 10 and codes.count(429) == 10, codes
    counters = [int(redis_db.get(k)) for k in redis_db.scan_iter(ACCOUNT_KEYS) if not k.endswith(b":since")]
    # 10 checked, and every attempt that reached the counter counted (those refused by the first read did not)
    assert any(10 <= c <= 20 for c in counters), counters


@pytest.fixture(scope="module")
def db_server():
    srv = LiveServer(
        secret_key="db-lockout-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("203", "1234", ["dave"]), ("204", "1234", ["erin"])],
        workers=2,
        extra_env={"GUNICORN_THREADS": "8"},
    )
    srv.start()
    yield srv
    srv.stop()


def test_parallel_wrong_pins_check_at_most_ten_with_the_database_cache(db_server):
    codes = _parallel_wrong_pins(db_server, ["dave", "203", "DAVE@example.org"])
    assert codes.count(401) == 10 and codes.count(429) == 10, codes
    assert db_server.request("GET", LOGIN, basic=("dave", "1234"))[0] == 429


def test_unknown_user_costs_as_much_as_a_wrong_pin_on_gunicorn(db_server):
    """The server's real hasher (PBKDF2): a missing user used to answer in 0.01 s against 0.8 s."""
    import statistics
    import time

    def timed(name):
        start = time.perf_counter()
        assert db_server.request("GET", LOGIN, basic=(name, "9"))[0] == 401
        return time.perf_counter() - start

    # Alternating, so a burst of load from other work on the machine weighs on both sides alike (two medians taken
    # one after the other once differed 2.5 times under a loaded CI). The defect this guards against is a factor
    # of ~80; the bounds leave room for a loaded machine's noise and still catch it.
    pairs = [(timed("erin"), timed("nobody-here")) for _ in range(6)]
    known = statistics.median(k for k, _ in pairs)
    unknown = statistics.median(u for _, u in pairs)
    assert known > 0.02, known  # a real hash runs
    assert 1 / 3 < unknown / known < 3, (unknown, known, pairs)
