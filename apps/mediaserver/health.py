"""The media server's heartbeat, for the admin home page: the process writes what it is doing every INTERVAL seconds
into the shared cache (every web worker and host reads the same), and a report older than STALE seconds means it is
not running."""

import time

from django.core.cache import cache

KEY = "sipxweb:mediaserver:health"
INTERVAL = 5
STALE = 3 * INTERVAL


def beat(report: dict) -> None:
    cache.set(KEY, {**report, "seen": time.time()}, timeout=STALE * 4)


def stopped() -> None:
    cache.delete(KEY)


def current() -> dict:
    """{"running": bool, ...the last report}: running when a report is at most STALE seconds old."""
    report = cache.get(KEY) or {}
    return {**report, "running": bool(report) and time.time() - report.get("seen", 0) <= STALE}
