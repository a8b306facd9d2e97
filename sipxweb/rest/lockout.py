"""Brute-force protection (D7) through Django's cache framework, so every worker and host shares it.

After LOCKOUT_MAX_PER_NAME failures for one login name from one address within the window, that
name is locked for that address; after LOCKOUT_MAX_PER_ADDRESS failures from one address, every
login from it is. A locked attempt raises `Locked` (HTTP 429 with Retry-After) without checking the
PIN. A success resets the name's counter. Other addresses are never affected."""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


class Locked(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"locked for {retry_after} s")
        self.retry_after = retry_after


@dataclass
class Attempt:
    name_key: str
    address_key: str
    had_failures: bool


def _keys(address: str, name: str) -> tuple[str, str]:
    digest = hashlib.sha256(name.lower().encode()).hexdigest()[:24]
    return f"lockout:name:{address}:{digest}", f"lockout:addr:{address}"


def begin(address: str, name: str, now: float | None = None) -> Attempt:
    """Raises Locked when this address may not try this name now; else returns the attempt's state."""
    now = now or time.time()
    name_key, address_key = _keys(address, name)
    found = cache.get_many([name_key, address_key])
    window = settings.LOCKOUT_WINDOW_SECONDS
    for key, limit in ((name_key, settings.LOCKOUT_MAX_PER_NAME), (address_key, settings.LOCKOUT_MAX_PER_ADDRESS)):
        count, started = found.get(key, (0, now))
        if count >= limit and now < started + window:
            raise Locked(max(1, int(started + window - now + 0.999)))
    return Attempt(name_key, address_key, had_failures=name_key in found)


def failed(attempt: Attempt, now: float | None = None) -> None:
    now = now or time.time()
    window = settings.LOCKOUT_WINDOW_SECONDS
    found = cache.get_many([attempt.name_key, attempt.address_key])
    updates = {}
    for key in (attempt.name_key, attempt.address_key):
        count, started = found.get(key, (0, now))
        if now >= started + window:
            count, started = 0, now
        updates[key] = (count + 1, started)
    # The entry lives as long as its window (plus a second: the database cache stores whole seconds);
    # set_many takes one timeout, the longest remaining one. `begin` compares times itself.
    ttl = int(max(s for _, s in updates.values()) + window - now) + 2
    cache.set_many(updates, timeout=ttl)


def succeeded(attempt: Attempt) -> None:
    if attempt.had_failures:
        cache.delete(attempt.name_key)


def client_address(request) -> str:
    """The client's address. Behind a trusted reverse proxy (TRUST_PROXY_HEADERS) every request comes from
    the proxy, so the address it appended last to X-Forwarded-For is the one that counts."""
    if settings.TRUST_PROXY_HEADERS:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
