"""Whether a call-control agent is running, for the web side: the agent (`manage.py run_callcontrol`) writes a
heartbeat into the shared cache when it starts and every INTERVAL seconds after (every web worker and host reads
the same), and removes it when it stops cleanly; a heartbeat older than STALE seconds means no agent is running (it
was killed, or its host is gone). The media server's health works the same way (apps/mediaserver/health.py).

What follows from it (store.reap): a click-to-call attempt queued while no agent runs is failed at once, so the
person who clicked Call is told so instead of waiting for the queue's minute, and no phone rings later."""

import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

KEY = "sipxweb:callcontrol:health"
INTERVAL = 2
STALE = 3 * INTERVAL

# What the person who clicked Call is told when no agent runs (the progress line, the call box).
NOT_RUNNING = _(
    "Your call was not placed: no call-control agent is running, so calls cannot be placed now. "
    "Please tell your administrator."
)


def beat(report: dict) -> None:
    """The agent's heartbeat: `report` says who it is (owner, SIP address, calls now, when it started)."""
    cache.set(KEY, {**report, "seen": time.time()}, timeout=STALE * 4)


def stopped(owner: str) -> None:
    """A clean stop: the heartbeat goes at once (unless another agent's has replaced it meanwhile)."""
    if (cache.get(KEY) or {}).get("owner") == owner:
        cache.delete(KEY)


def current() -> dict:
    """{"running": bool, ...the last report}: running when a report is at most STALE seconds old."""
    report = cache.get(KEY) or {}
    return {**report, "running": bool(report) and time.time() - report.get("seen", 0) <= STALE}


def running() -> bool:
    return current()["running"]
