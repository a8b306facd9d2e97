"""Digest nonces issued and verified by the server (D8): `<issued ms>:<HMAC>` in base64, and the use of each
nonce's counter `nc`, kept in the shared cache.

A nonce carries the time it was issued, signed; its lifetime (DIGEST_NONCE_SECONDS) is applied when it is
checked, so a shorter setting takes effect at once and no nonce can claim a lifetime of its own. A nonce from
the future is not one of ours. An expired but genuine nonce is "stale".

Replays: RFC 7616 lets the server refuse a request whose `nc` it has seen for that nonce. `use()` records the
highest `nc` per nonce in Django's cache (the database cache or Redis: every worker and host sees it) and
accepts only a larger one, with one atomic write (sipxweb/cache.py `advance`), so the same header sent twice,
in sequence or in parallel, works once."""

import base64
import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from sipxweb.cache import UNREAD

# A nonce issued up to this many seconds "in the future" is accepted (clocks of several hosts differ a little).
_CLOCK_SKEW = 5


def _sign(issued: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"nonce:{issued}".encode(), hashlib.sha256).hexdigest()[:32]


def issue(now: float | None = None) -> str:
    issued = str(int((now or time.time()) * 1000))
    return base64.b64encode(f"{issued}:{_sign(issued)}".encode()).decode()


def check(nonce: str, now: float | None = None) -> str:
    """ "ok", "stale" (genuine but expired) or "bad"."""
    try:
        issued, _, signature = base64.b64decode(nonce.encode("ascii"), validate=True).decode("ascii").partition(":")
        if not issued.isascii() or not issued.isdigit():
            return "bad"
        issued_s = int(issued) / 1000
    except (ValueError, UnicodeError):
        return "bad"
    if not hmac.compare_digest(signature.encode(), _sign(issued).encode()):
        return "bad"
    now = now or time.time()
    if issued_s > now + _CLOCK_SKEW:
        return "bad"
    return "ok" if now <= issued_s + settings.DIGEST_NONCE_SECONDS else "stale"


def nc_key(nonce: str) -> str:
    """The cache key of the highest `nc` used with this nonce (read together with the lockout counters)."""
    return "digest:nc:" + hashlib.sha256(nonce.encode("ascii", "replace")).hexdigest()[:32]


def use(nonce: str, nc: int, seen=UNREAD) -> bool:
    """Records that `nc` was used with this (genuine, unexpired) nonce; False when it is not larger than every
    count used with it before (a replay, or a counter that went backwards). `seen` is the highest count read a
    moment ago (None: none yet), so that the record is a single write."""
    ttl = settings.DIGEST_NONCE_SECONDS + _CLOCK_SKEW + 2
    advance = getattr(cache, "advance", None)
    if advance is not None:
        return advance(nc_key(nonce), nc, ttl, seen)
    return _use_slowly(nc_key(nonce), nc, ttl)


def _use_slowly(key: str, nc: int, ttl: int) -> bool:
    # A cache backend other than sipxweb/cache.py's (settings CACHES changed): add, get and incr.
    if cache.add(key, nc, timeout=ttl):
        return True
    highest = cache.get(key)
    if highest is None or nc <= highest:
        return False  # (expired in between: the nonce is at the end of its life; the client asks again)
    try:
        # Raise the stored count to exactly `nc`. If another request moved it at the same moment, the sum is not
        # `nc` and this request is refused (it raced a request with the same nonce; the client asks again).
        return cache.incr(key, nc - highest) == nc
    except ValueError:
        return False
