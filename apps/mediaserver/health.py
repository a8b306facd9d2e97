"""The media server's heartbeat (sipxweb/heartbeat.py), for the admin home page."""

from sipxweb.heartbeat import Heartbeat

HEARTBEAT = Heartbeat("sipxweb:mediaserver:health", interval=5)
KEY, INTERVAL, STALE = HEARTBEAT.key, HEARTBEAT.interval, HEARTBEAT.stale
beat, stopped, current = HEARTBEAT.beat, HEARTBEAT.stopped, HEARTBEAT.current
