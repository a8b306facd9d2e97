"""The lockout's cache backend (sipxweb.cache.LeanDatabaseCache) reads what Django's DatabaseCache wrote and
answers get_many exactly as Django's would: missing keys absent, live values unpickled, expired rows gone."""

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache

from sipxweb.cache import LeanDatabaseCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock():
    """Django's own backend on the same table, as the reference."""
    return DatabaseCache(cache._table, {})


def test_the_configured_cache_is_the_lean_one():
    assert isinstance(caches["default"], LeanDatabaseCache)


def test_get_many_matches_djangos(stock):
    cache.clear()
    cache.set_many({"a": (3, 1700000000.5), "b": {"nested": ["x", 1]}, "c": "text"}, timeout=60)
    keys = ["a", "b", "c", "missing"]
    assert (
        cache.get_many(keys)
        == stock.get_many(keys)
        == {
            "a": (3, 1700000000.5),
            "b": {"nested": ["x", 1]},
            "c": "text",
        }
    )
    assert cache.get_many(["missing", "also-missing"]) == {}
    assert cache.get_many([]) == {}
    assert cache.get("a") == (3, 1700000000.5)


def test_expired_rows_are_not_returned_and_are_deleted(stock, clock):
    cache.clear()
    cache.set("old", 1, timeout=1)
    cache.set("new", 2, timeout=60)
    assert cache.get_many(["old", "new"]) == {"old": 1, "new": 2}
    clock.advance(2)  # the database cache stores whole seconds
    assert cache.get_many(["old", "new"]) == {"new": 2}
    with _cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {cache._table} WHERE cache_key LIKE %s", ["%:old"])
        assert cursor.fetchone()[0] == 0
    assert stock.get("old") is None


def test_versions_and_key_validation_are_djangos(stock):
    cache.clear()
    cache.set("k", "v1", version=1)
    cache.set("k", "v2", version=2)
    assert cache.get_many(["k"], version=2) == {"k": "v2"} == stock.get_many(["k"], version=2)
    with pytest.warns(Warning):
        cache.get_many(["has space"])


def _cursor():
    from django.db import connection

    return connection.cursor()


def test_the_redis_backend_reuses_its_client_and_behaves_as_djangos(redis_url):
    from django.core.cache.backends.redis import RedisCache

    from sipxweb.cache import LeanRedisCache

    params = {"KEY_PREFIX": "sipxweb-test-lean"}
    lean, stock = LeanRedisCache(redis_url, params), RedisCache(redis_url, params)
    try:
        lean.set_many({"a": (3, 1700000000.5), "b": {"x": [1]}}, timeout=30)
        assert (
            lean.get_many(["a", "b", "missing"])
            == stock.get_many(["a", "b", "missing"])
            == {
                "a": (3, 1700000000.5),
                "b": {"x": [1]},
            }
        )
        lean.delete("a")
        assert stock.get("a") is None and lean.get("b") == {"x": [1]}
        client = lean._cache.get_client()
        assert lean._cache.get_client() is client and lean._cache.get_client(write=True) is client
        assert stock._cache.get_client() is not stock._cache.get_client()  # what the lean one avoids
    finally:
        lean.delete_many(["a", "b"])
