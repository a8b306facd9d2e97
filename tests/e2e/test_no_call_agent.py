"""No call-control agent running, as a user and an administrator meet it in Chromium: the call box says at once that
calls cannot be placed now and keeps the number for later, and the administrators' landing page says the agent is
not running and how to start it; with the agent's heartbeat there, it says where the agent runs."""

import time

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from apps.callcontrol import health, store
from apps.callcontrol.models import CallAttempt

pytestmark = pytest.mark.e2e


@pytest.fixture
def no_agent(transactional_db):
    cache.delete(health.KEY)  # an agent of an earlier test may have left its heartbeat: the cache table outlives it


def test_the_call_box_says_at_once_that_calls_cannot_be_placed(no_agent, alice, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/cdrs/my/call/")
    page.fill("#id_number", "(555) 123-4567")
    clicked = time.monotonic()
    page.click("#call-box button:has-text('Call')")
    expect(page.locator("main .messages")).to_have_text(str(health.NOT_RUNNING), timeout=5000)
    assert time.monotonic() - clicked < 5
    expect(page.locator("#id_number")).to_have_value("5551234567")  # to try again later
    expect(page.locator("#call-progress")).to_have_count(0)  # nothing is waiting for a call that will not come
    assert CallAttempt.objects.get().outcome == store.NOT_PLACED


def test_the_admin_home_shows_the_agents_state(no_agent, admin_user, page, live_server, login, monkeypatch):
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/")
    line = page.locator("#callcontrol-status")
    expect(line).to_contain_text("not running")
    expect(line).to_contain_text("manage.py run_callcontrol")
    monkeypatch.setattr(health, "STALE", 3600)  # the live server runs in this process: a beat that stays fresh
    health.beat({"owner": "e2e", "address": "127.0.0.1:5180", "proxy": "127.0.0.1:5060", "calls": 1, "started": 0})
    page.reload()
    expect(line).to_contain_text("Call-control agent on 127.0.0.1:5180 (proxy 127.0.0.1:5060): 1 call being placed")
    expect(line).not_to_contain_text("not running")
    health.stopped("e2e")
