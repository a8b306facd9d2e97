"""Click-to-call while no call-control agent runs (apps/callcontrol/health.py): PUT /my/call answers as sipXconfig
does (200, empty), and the person who clicked Call learns at the first look at the call's progress that calls cannot
be placed now, instead of "Waiting for the call agent…" for a minute; the attempt is failed then, so an agent
started later never rings the phone. The agent's heartbeat in the shared cache says whether one runs, and the
admins' landing page shows it."""

import asyncio
import json
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.callcontrol import health, store
from apps.callcontrol.agent import Agent
from apps.callcontrol.models import CallAttempt
from sipxweb import heartbeat
from tests.conftest import REST, basic

PROGRESS = "/cdrs/my/call/progress/"
NO_AGENT = (
    "Your call was not placed: no call-control agent is running, so calls cannot be placed now. "
    "Please tell your administrator."
)


def place(client, number="202"):
    return client.put(REST + "/my/call/" + number, **basic("bob", "1234"))


def progress(client, number="202"):
    response = client.get(PROGRESS, {"number": number})
    return response.status_code, json.loads(response.content)


def rest_answer(response):
    return response.status_code, response.content, response.get("Content-Type")


def test_without_an_agent_the_caller_is_told_at_once_and_the_call_is_never_placed(client, users, no_agent):
    response = place(client)
    assert rest_answer(response) == (200, b"", None)  # the sipXconfig answer: the REST contract is unchanged
    client.force_login(users["bob"])
    status, body = progress(client)
    assert status == 200 and body == {
        "phase": "failed",
        "text": NO_AGENT,
        "done": True,
        "callee": "202",
        "number": "202",
    }
    attempt = CallAttempt.objects.get()
    assert (attempt.state, attempt.outcome) == ("failed", store.NOT_PLACED) and attempt.finished
    # An agent started afterwards finds nothing to place: the phone does not ring for a call its user gave up on.
    health.beat({"owner": "late-agent"})
    assert store.claim("late-agent") == []
    assert progress(client)[1]["text"] == NO_AGENT


def test_with_an_agent_the_call_waits_for_it(client, users, agent_running):
    with_agent = place(client)
    client.force_login(users["bob"])
    status, body = progress(client)
    assert (status, body["phase"], body["text"], body["done"]) == (200, "queued", "Waiting for the call agent…", False)
    assert CallAttempt.objects.get().state == "queued"
    [row] = store.claim("test-agent")
    assert row["called_uri"] == "sip:202@example.org"
    cache.delete(health.KEY)
    assert rest_answer(place(client, "203")) == rest_answer(with_agent)  # the same answer with or without one


def test_a_heartbeat_goes_stale_when_the_agent_is_killed(client, users, agent_running, monkeypatch):
    assert health.running()
    later = time.time() + health.STALE + 1
    monkeypatch.setattr(heartbeat.time, "time", lambda: later)  # no beat for longer than STALE: killed, host gone
    assert not health.running()
    place(client)
    client.force_login(users["bob"])
    assert progress(client)[1]["text"] == NO_AGENT


def test_the_agents_own_reap_leaves_queued_calls_to_it(users, no_agent):
    """An agent reaps too (its loop): it is running, whatever the cache says, so it never fails what it may claim."""
    attempt = CallAttempt.objects.create(
        key="201:201:202", agent=users["bob"], calling_uri="sip:201@example.org", called_uri="sip:202@example.org"
    )
    assert store.reap("an-agent") == 0
    attempt.refresh_from_db()
    assert attempt.state == "queued"
    assert store.reap() == 1  # the web side's
    attempt.refresh_from_db()
    assert (attempt.state, attempt.outcome) == ("failed", store.NOT_PLACED)


def test_the_call_controller_shows_the_closed_attempt(client, users, no_agent):
    """GET /callcontroller reads the same rows: an INVITE-mode attempt nobody can place is TERMINATED, not EARLY."""
    assert client.post("/callcontroller/201/202?sipMethod=invite", **basic("bob", "1234")).status_code == 200
    body = client.get("/callcontroller/201/202", **basic("bob", "1234")).content.decode()
    assert "<dialog-state>TERMINATED</dialog-state>" in body and "EARLY" not in body


def test_one_agent_stopping_does_not_remove_anothers_heartbeat(db):
    health.beat({"owner": "new"})
    health.stopped("old")
    assert health.current()["owner"] == "new" and health.running()
    health.stopped("new")
    assert health.current() == {"running": False}


@pytest.mark.django_db(transaction=True)
def test_the_agent_beats_from_its_start_and_removes_its_heartbeat_when_it_stops():
    cache.delete(health.KEY)
    seen = {}

    async def main():
        agent = Agent(bind="127.0.0.1", port=0, proxy="127.0.0.1:9")
        task = asyncio.create_task(agent.run())
        for _ in range(200):  # start() beats before the agent says it is ready
            await asyncio.sleep(0.02)
            report = await agent.db(health.current)
            if report["running"]:
                seen.update(report, agent=agent.owner, port=agent.port)
                break
        agent.stopping.set()
        await asyncio.wait_for(task, 20)

    asyncio.run(main())
    assert seen["running"] and seen["owner"] == seen["agent"]
    assert seen["address"] == f"127.0.0.1:{seen['port']}" and seen["calls"] == 0
    assert health.current() == {"running": False}  # a clean stop: calls clicked now are refused at once


def test_the_admin_home_shows_whether_the_agent_runs(admin_client, no_agent):
    page = admin_client.get(reverse("users:user_list")).content.decode()
    assert 'id="callcontrol-status"' in page
    assert "Call-control agent</strong>: no heartbeat" in page and "manage.py run_callcontrol" in page
    health.beat({"owner": "a", "address": "127.0.0.1:5180", "proxy": "127.0.0.1:5060", "calls": 2, "started": 0})
    page = admin_client.get(reverse("users:user_list")).content.decode()
    assert "on 127.0.0.1:5180 (proxy 127.0.0.1:5060): 2 calls being placed now" in page
    assert "run_callcontrol" not in page


def test_the_call_box_says_so_at_once_and_keeps_the_number(client, users, no_agent):
    client.force_login(users["bob"])
    response = client.post("/cdrs/my/call/", {"number": "(555) 123-4567"})
    assert response.status_code == 302 and response["Location"] == "/cdrs/my/call/?number=5551234567"
    page = client.get(response["Location"]).content.decode()
    assert NO_AGENT in page and 'value="5551234567"' in page and "your phone rings first" not in page
    assert CallAttempt.objects.get().outcome == store.NOT_PLACED
