"""The media server's line on the admins' landing page: from its heartbeat in the shared cache."""

import time

from django.urls import reverse

from apps.mediaserver import health
from sipxweb import heartbeat


def test_without_a_heartbeat_the_media_server_is_not_running(admin_client):
    health.stopped()
    page = admin_client.get(reverse("users:user_list")).content.decode()
    assert "not running" in page and "manage.py run_mediaserver" in page


def test_a_fresh_heartbeat_shows_the_calls(admin_client):
    health.beat({"address": "127.0.0.1:5070", "calls": 3, "answered": 57, "max_calls": 40, "started": time.time()})
    # the media server's own section: the call-control agent's, beside it, says whether that one runs
    page = admin_client.get(reverse("users:user_list")).content.decode().split('aria-label="Media server"')[1]
    page = page.split("</section>")[0]
    assert "running" in page and "not running" not in page
    assert "3 calls now (at most 40)" in page and "57 answered" in page


def test_a_stale_heartbeat_is_not_running(admin_client, monkeypatch):
    health.beat({"address": "127.0.0.1:5070", "calls": 0, "answered": 0, "max_calls": 40, "started": time.time()})
    later = time.time() + health.STALE + 1
    monkeypatch.setattr(heartbeat.time, "time", lambda: later)
    assert "not running" in admin_client.get(reverse("users:user_list")).content.decode()
