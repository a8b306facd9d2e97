"""Django's cache backends with a cheaper read, for the lockout check that every authenticated request makes.

Database (the default): Django's DatabaseCache.get_many builds its SQL, a DateTimeField and the database's
converters on every call, even when no row comes back (the common case for the lockout: nobody has failed).
That was ~50 us of the ~480 us an authenticated request cost in-process (bench/auth.py). LeanDatabaseCache
prepares the statement once per number of keys and builds the converters only for rows that exist; the
rows, the values and the expiry rule are Django's, so everything else (set, delete, culling) is unchanged.

Redis (REDIS_URL): Django's RedisCache builds a new redis.Redis client object for every operation (~0.14 ms
with redis-py 8, as much as the round trip to Redis itself). LeanRedisCache keeps one client per connection
pool; redis-py clients are thread-safe and take their connections from the pool as before.

Both make `incr` atomic, which the lockout counters rely on (sipxweb/rest/lockout.py): Django's DatabaseCache
inherits BaseCache.incr (get, then set: parallel increments are lost), and its RedisCache checks that the key
exists before INCR, so a key expiring in between came back as a counter without an expiry."""

import base64
import functools
import pickle

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


class LeanDatabaseCache(DatabaseCache):
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


class LeanRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
