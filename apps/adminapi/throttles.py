"""Throttling per API token (or per user for PIN and session clients): a fixed window counted in the shared cache
(Redis or the database cache), so every gunicorn worker and host counts together. One atomic add/incr per request,
not DRF's list of timestamps, which would rewrite a growing list into the cache on every request."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle


def _rate() -> tuple[int, int]:
    count, _, period = settings.API_THROTTLE_RATE.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}[period]
    return int(count), seconds


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        limit, window = _rate()
        if limit <= 0:
            return True
        token_id = getattr(request.auth, "pk", None)
        user_id = getattr(request.user, "pk", None)
        who = f"t{token_id}" if token_id is not None else f"u{user_id}" if user_id else self.get_ident(request)
        now = time.time()
        start = int(now // window * window)
        key = f"api-throttle:{who}:{start}"
        try:  # the common case first: the window's counter exists
            count = cache.incr(key)
        except ValueError:  # the window's first request (or a race with another worker's first: then count again)
            count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
        self._wait = start + window - now
        return count <= limit

    def wait(self):
        return max(1.0, self._wait)
