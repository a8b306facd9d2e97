"""The call-control agent's line on the admins' landing page (settings.ADMIN_HOME_SECTIONS): running or not, where,
its calls now and since when, from its heartbeat (health.py)."""

from apps.callcontrol import health
from sipxweb.heartbeat import status_section

section = status_section(health.HEARTBEAT, "callcontrol/status.html")
