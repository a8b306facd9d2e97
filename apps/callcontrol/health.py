"""Whether a call-control agent is running, for the web side: the agent (`manage.py run_callcontrol`) writes a
heartbeat into the shared cache when it starts and every INTERVAL seconds after (every web worker and host reads
the same), and removes it when it stops cleanly; a heartbeat older than STALE seconds means no agent is running (it
was killed, or its host is gone). The media server's health works the same way (apps/mediaserver/health.py).

What follows from it (store.reap): a click-to-call attempt queued while no agent runs is failed at once, so the
person who clicked Call is told so instead of waiting for the queue's minute, and no phone rings later."""

from django.utils.translation import gettext_lazy as _

from sipxweb.heartbeat import Heartbeat

HEARTBEAT = Heartbeat("sipxweb:callcontrol:health", interval=2)
KEY, INTERVAL, STALE = HEARTBEAT.key, HEARTBEAT.interval, HEARTBEAT.stale
beat, stopped, current, running = HEARTBEAT.beat, HEARTBEAT.stopped, HEARTBEAT.current, HEARTBEAT.running

# What the person who clicked Call is told when no agent runs (the progress line, the call box).
NOT_RUNNING = _(
    "Your call was not placed: no call-control agent is running, so calls cannot be placed now. "
    "Please tell your administrator."
)
