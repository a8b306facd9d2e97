"""Django's cache backends with a cheaper read, for the lockout check that every authenticated request makes.

Database (the default): Django's DatabaseCache.get_many builds its SQL, a DateTimeField and the database's
converters on every call, even when no row comes back (the common case for the lockout: nobody has failed).
That was ~50 us of the ~480 us an authenticated request cost in-process (bench/auth.py). LeanDatabaseCache
prepares the statement once per number of keys and builds the converters only for rows that exist; the
rows, the values and the expiry rule are Django's, so everything else (set, delete, culling) is unchanged.

Redis (REDIS_URL): Django's RedisCache builds a new redis.Redis client object for every operation (~0.14 ms
with redis-py 8, as much as the round trip to Redis itself). LeanRedisCache keeps one client per connection
pool; redis-py clients are thread-safe and take their connections from the pool as before.

Both make `incr` atomic, which the lockout counters rely on (apps/users/lockout.py): Django's DatabaseCache
inherits BaseCache.incr (get, then set: parallel increments are lost), and its RedisCache checks that the key
exists before INCR, so a key expiring in between came back as a counter without an expiry.

Both also offer `advance(key, value, timeout, seen)`: store `value` only when it is larger than the stored one,
in one atomic step (the Digest nonce counts, apps/users/nonces.py). Django's `add` costs the database cache
five statements (a COUNT(*) of the whole table for culling, a savepoint, a SELECT, the INSERT, the release);
`advance` is one INSERT ... ON CONFLICT or one compare-and-set UPDATE against the value read earlier, and
one Lua call on Redis."""

import base64
import functools
import itertools
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


@functools.cache
def _select(alias: str, table: str, count: int) -> str:
    qn = connections[alias].ops.quote_name
    placeholders = ", ".join(["%s"] * count)
    return (
        f"SELECT {qn('cache_key')}, {qn('value')}, {qn('expires')} FROM {qn(table)} "
        f"WHERE {qn('cache_key')} IN ({placeholders})"
    )


# `advance(..., seen=UNREAD)`: the caller has not read the key; any other `seen` is what it read (None: absent).
UNREAD = object()

# One `advance` insert in this many also culls expired rows (Django culls on every set, after a COUNT(*)).
_CULL_EVERY = 500


class LeanDatabaseCache(DatabaseCache):
    _inserts = itertools.count(1)

    def get_many(self, keys, version=None):
        if not keys:
            return {}
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        alias = router.db_for_read(self.cache_model_class)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(_select(alias, self._table, len(key_map)), list(key_map))
            rows = cursor.fetchall()
        if not rows:
            return {}
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        result, expired = {}, []
        now = tz_now()
        for key, value, expires in rows:
            for converter in converters:
                expires = converter(expires, expression, connection)
            if expires < now:
                expired.append(key)
            else:
                value = connection.ops.process_clob(value)
                result[key_map.get(key)] = pickle.loads(base64.b64decode(value.encode(), validate=True))
        self._base_delete_many(expired)
        return result

    def incr(self, key, delta=1, version=None):
        """One transaction that locks the row (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take
        the write lock at BEGIN), so concurrent increments queue instead of overwriting each other."""
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        qn = connection.ops.quote_name
        table = qn(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn('value')}, {qn('expires')} FROM {table} WHERE {qn('cache_key')} = %s{lock}", [key]
            )
            row = cursor.fetchone()
            if row is not None:
                expression = models.Expression(output_field=models.DateTimeField())
                expires = row[1]
                for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(
                    connection
                ):
                    expires = converter(expires, expression, connection)
                if expires < tz_now():
                    row = None
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {qn('value')} = %s WHERE {qn('cache_key')} = %s", [encoded, key])
        return value

    def _encode(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def advance(self, key, value, timeout, seen=UNREAD, version=None) -> bool:
        """Stores the number `value` under `key` when nothing (or something smaller) is stored; True if it did.
        With `seen` (the value read a moment ago, None for absent) it is one statement, atomic on its own: a
        conditional INSERT, or an UPDATE that applies only while the row still holds `seen`. Losing a race
        reads the row again and retries (twice)."""
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        if connection.vendor not in ("postgresql", "sqlite"):
            return self._advance_slowly(key, value, timeout)
        qn = connection.ops.quote_name
        table = qn(self._table)
        now = tz_now().replace(microsecond=0)
        tz = UTC if settings.USE_TZ else None
        expires = datetime.fromtimestamp(self.get_backend_timeout(timeout), tz=tz).replace(microsecond=0)
        adapt = connection.ops.adapt_datetimefield_value
        stored = None if seen is UNREAD or seen is None else self._encode(seen)
        with connection.cursor() as cursor:
            for _ in range(3):
                if seen is UNREAD:
                    cursor.execute(
                        f"SELECT {qn('value')} FROM {table} WHERE {qn('cache_key')} = %s AND {qn('expires')} >= %s",
                        [key, adapt(now)],
                    )
                    row = cursor.fetchone()
                    stored = None if row is None else connection.ops.process_clob(row[0])
                    seen = None if stored is None else pickle.loads(base64.b64decode(stored.encode()))
                if seen is not None and not value > seen:
                    return False
                if seen is None:
                    # A row left behind expired counts as absent (ON CONFLICT ... WHERE: SQLite >= 3.24, PostgreSQL).
                    cursor.execute(
                        f"INSERT INTO {table} ({qn('cache_key')}, {qn('value')}, {qn('expires')}) VALUES (%s, %s, %s) "
                        f"ON CONFLICT ({qn('cache_key')}) DO UPDATE SET {qn('value')} = excluded.{qn('value')}, "
                        f"{qn('expires')} = excluded.{qn('expires')} WHERE {table}.{qn('expires')} < %s",
                        [key, self._encode(value), adapt(expires), adapt(now)],
                    )
                    if cursor.rowcount == 1:
                        if next(self._inserts) % _CULL_EVERY == 0:
                            cursor.execute(f"DELETE FROM {table} WHERE {qn('expires')} < %s", [adapt(now)])
                        return True
                else:
                    cursor.execute(
                        f"UPDATE {table} SET {qn('value')} = %s "
                        f"WHERE {qn('cache_key')} = %s AND {qn('value')} = %s AND {qn('expires')} >= %s",
                        [self._encode(value), key, stored, adapt(now)],
                    )
                    if cursor.rowcount == 1:
                        return True
                seen = UNREAD  # someone else wrote it in between: look again
        return False

    def _advance_slowly(self, key, value, timeout) -> bool:
        # Other databases: Django's add, then the row-locked incr by the difference.
        for _ in range(3):
            if self.add(key, value, timeout):
                return True
            seen = self.get(key)
            if seen is not None and not value > seen:
                return False
            if seen is not None:
                try:
                    return self.incr(key, value - seen) == value
                except ValueError:
                    pass
        return False


# Stores ARGV[1] when the key is absent (with an expiry of ARGV[2] s) or holds a smaller number (its expiry kept).
_ADVANCE = """
local current = redis.call('GET', KEYS[1])
if current then
  local n = tonumber(current)
  if n == nil or n >= tonumber(ARGV[1]) then return 0 end
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


# INCRBY only when the key still exists, in one server-side step (the key keeps its expiry).
_INCR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"


class _ReusedClients(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        value = self.get_client(key, write=True).eval(_INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def advance(self, key, value: int, timeout: int) -> bool:
        return bool(self.get_client(key, write=True).eval(_ADVANCE, 1, key, int(value), max(1, int(timeout))))


class LeanRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def advance(self, key, value, timeout, seen=UNREAD, version=None) -> bool:
        """As LeanDatabaseCache.advance, in one server-side step (`seen` is not needed)."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.advance(key, value, timeout)
