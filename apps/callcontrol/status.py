"""The call-control agent's line on the admins' landing page (settings.ADMIN_HOME_SECTIONS): running or not, where,
its calls now and since when, from the heartbeat it writes to the shared cache (health.py). One cache read, no
query."""

from datetime import UTC, datetime

from django.template.loader import render_to_string

from apps.callcontrol import health


def section(request) -> str:
    report = health.current()
    started = report.get("started")
    context = {
        "report": report,
        "started": datetime.fromtimestamp(started, UTC) if started else None,
        "stale": health.STALE,
    }
    return render_to_string("callcontrol/status.html", context, request=request)
