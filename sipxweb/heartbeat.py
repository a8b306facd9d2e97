"""A process's heartbeat in the shared cache, for the web side: the call-control agent and the media server each
write what they are doing every `interval` seconds (every web worker and host reads the same cache), and a report
older than three intervals means the process is not running (killed, or its host gone). One cache read, no query.

`status_section` is the process's line on the admins' landing page (settings.ADMIN_HOME_SECTIONS)."""

import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.template.loader import render_to_string


class Heartbeat:
    def __init__(self, key: str, interval: float):
        self.key = key
        self.interval = interval
        self.stale = 3 * interval

    def beat(self, report: dict) -> None:
        """`report` says who the process is and what it does (owner, address, calls now, when it started)."""
        cache.set(self.key, {**report, "seen": time.time()}, timeout=self.stale * 4)

    def stopped(self, owner: str | None = None) -> None:
        """A clean stop: the heartbeat goes at once — with an `owner`, only while it is still that process's (another
        one started meanwhile keeps its own)."""
        if owner is None or (cache.get(self.key) or {}).get("owner") == owner:
            cache.delete(self.key)

    def current(self) -> dict:
        """{"running": bool, ...the last report}: running when a report is at most `stale` seconds old."""
        report = cache.get(self.key) or {}
        return {**report, "running": bool(report) and time.time() - report.get("seen", 0) <= self.stale}

    def running(self) -> bool:
        return self.current()["running"]


def status_section(heartbeat: Heartbeat, template: str):
    """The landing page's section of a process: its template is given the last report, its start as a datetime
    and the staleness bound."""

    def section(request) -> str:
        report = heartbeat.current()
        started = report.get("started")
        context = {
            "report": report,
            "started": datetime.fromtimestamp(started, UTC) if started else None,
            "stale": heartbeat.stale,
        }
        return render_to_string(template, context, request=request)

    return section
