"""Claiming call attempts (issue 9, agent crash): one conditional UPDATE per claim, leases renewed by the
live agent, attempts of a dead agent closed as failed once their lease runs out, never claimed twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.callcontrol import services, store
from apps.callcontrol.models import CallAttempt


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], sip_password="s3cret", first_name="Bob")


def queue(bob, n=1):
    return [services.click_to_call(bob, f"90{i}") for i in range(n)]


def test_a_claim_takes_each_attempt_once_whoever_asks(bob):
    queue(bob, 3)
    first = store.claim("agent-a")
    assert [a["called_uri"] for a in first] == ["sip:900@example.org", "sip:901@example.org", "sip:902@example.org"]
    assert store.claim("agent-b") == [] and store.claim("agent-a") == []
    rows = CallAttempt.objects.all()
    assert {(r.state, r.owner) for r in rows} == {("running", "agent-a")}
    assert all(r.lease_until > timezone.now() for r in rows)


def test_heartbeat_renews_only_the_owners_leases(bob):
    queue(bob, 2)
    store.claim("agent-a")
    CallAttempt.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert store.heartbeat("agent-b") == 0
    assert store.heartbeat("agent-a") == 2
    assert store.reap("agent-b") == 0  # renewed: agent-a is alive


def test_a_dead_agents_attempts_are_failed_not_placed_again(bob):
    [attempt] = queue(bob)
    store.claim("dead-agent")
    CallAttempt.objects.update(lease_until=timezone.now() - timedelta(milliseconds=1))
    assert store.reap("new-agent") == 1
    attempt.refresh_from_db()
    assert attempt.state == "failed" and attempt.outcome == store.ABANDONED and attempt.finished
    assert store.claim("new-agent") == []  # never queued again


def test_an_agent_never_reaps_its_own_attempts_and_the_web_reaps_any(bob):
    queue(bob)
    store.claim("agent-a")
    CallAttempt.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert store.reap("agent-a") == 0
    assert services.latest_attempt("201:201:900").state == "failed"  # a status read closes it


def test_stale_queued_attempts_fail_instead_of_ringing_late(bob):
    [old, new] = queue(bob, 2)
    CallAttempt.objects.filter(pk=old.pk).update(created=timezone.now() - store.STALE_QUEUED - timedelta(seconds=1))
    assert [a["id"] for a in store.claim("agent-a")] == [new.pk]
    old.refresh_from_db()
    assert (old.state, old.outcome) == ("failed", store.NOT_PLACED)


def test_a_clean_stop_fails_only_its_own_running_attempts(bob):
    queue(bob, 2)
    store.claim("agent-a")
    CallAttempt.objects.filter(pk=CallAttempt.objects.order_by("id").first().pk).update(owner="agent-b")
    store.fail_running("agent-a", "stopped")
    assert sorted(CallAttempt.objects.values_list("owner", "state")) == [("agent-a", "failed"), ("agent-b", "running")]
