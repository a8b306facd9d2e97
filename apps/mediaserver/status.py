"""The media server's line on the admins' landing page (settings.ADMIN_HOME_SECTIONS): running or not, its calls
now and since its start, from its heartbeat (health.py)."""

from apps.mediaserver import health
from sipxweb.heartbeat import status_section

section = status_section(health.HEARTBEAT, "mediaserver/status.html")
