"""The agent's database side (synchronous; the agent runs these in its one database thread).

Claiming is crash-safe: one conditional UPDATE moves queued attempts to `running` with this agent as
`owner` and a lease (`lease_until`), so no two agents (nor one agent twice) place an attempt. The agent
renews the leases of its running attempts every second (`heartbeat`). An agent killed mid-call (SIGKILL,
OOM, power) stops renewing: once the lease runs out, the next agent (or a GET of its status) closes the
attempt as failed (`reap`). It is never placed again: its phone may already have rung, and ringing it a
second time minutes later is worse than a clear failure the caller can retry.

While no agent runs at all (no heartbeat, health.py), the web side's `reap` fails queued attempts at once, with the
same outcome as those nobody took within STALE_QUEUED: whoever clicked Call learns it now rather than after a
minute, and an agent started later never rings a phone for a click its user was told had failed."""

import os
import socket
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

from apps.callcontrol import health
from apps.callcontrol.models import CallAttempt, CallStatus
from apps.cdrs import resolver

STALE_QUEUED = timedelta(seconds=60)  # an attempt queued while no agent ran is not placed minutes later
LEASE = timedelta(seconds=5)  # renewed every HEARTBEAT seconds; 5 missed renewals = the agent is gone
HEARTBEAT = 1.0
NOT_PLACED = "not placed: no call-control agent was running"
ABANDONED = "failed: the call-control agent stopped mid-call (killed or crashed); the attempt is not placed again"


def new_owner() -> str:
    """This agent run's name in `CallAttempt.owner`: host, process and a random part (pids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{os.urandom(4).hex()}"


def claim(owner: str) -> list[dict]:
    """Queued attempts, oldest first, claimed by `owner` in one UPDATE; each as a plain dict for the loop."""
    now = timezone.now()
    CallAttempt.objects.filter(state=CallAttempt.State.QUEUED, created__lt=now - STALE_QUEUED).update(
        state=CallAttempt.State.FAILED, outcome=NOT_PLACED, finished=now
    )
    ids = list(
        CallAttempt.objects.filter(state=CallAttempt.State.QUEUED).order_by("id").values_list("id", flat=True)[:50]
    )
    if not ids:
        return []
    # The condition `state=queued` makes the claim atomic: a row another agent took in between is skipped.
    CallAttempt.objects.filter(pk__in=ids, state=CallAttempt.State.QUEUED).update(
        state=CallAttempt.State.RUNNING, owner=owner, picked_up=now, lease_until=now + LEASE
    )
    claimed = CallAttempt.objects.filter(pk__in=ids, state=CallAttempt.State.RUNNING, owner=owner)
    out = []
    for attempt in claimed.select_related("agent").order_by("id"):
        agent = attempt.agent
        out.append(
            {
                "id": attempt.pk,
                "key": attempt.key,
                "agent": agent.username,
                "display_name": " ".join(p for p in (agent.first_name, agent.last_name) if p),
                "password": agent.sip_password,
                "calling_uri": attempt.calling_uri,
                "called_uri": attempt.called_uri,
                "forwarding_allowed": attempt.forwarding_allowed,
                "subject": attempt.subject,
                "timeout": attempt.timeout,
                "sip_method": attempt.sip_method,
            }
        )
    return out


def heartbeat(owner: str) -> int:
    """Renews the leases of `owner`'s running attempts; the number renewed."""
    return CallAttempt.objects.filter(state=CallAttempt.State.RUNNING, owner=owner).update(
        lease_until=timezone.now() + LEASE
    )


def reap(owner: str | None = None) -> int:
    """Closes running attempts whose lease ran out (their agent is dead) and queued ones nobody took within
    STALE_QUEUED, or at once when no agent is running (the web side, `owner` None, asks health.py; an agent is
    one); `owner`'s own attempts are left alone. Any process may call it (the web side does before it shows a
    status), because a live agent's leases never run out. The number closed."""
    now = timezone.now()
    # Only claims with a lease: a running row without one was never claimed by this code (the agent before
    # leases failed all running attempts when it stopped or started).
    running = CallAttempt.objects.filter(state=CallAttempt.State.RUNNING, lease_until__lt=now)
    if owner is not None:
        running = running.exclude(owner=owner)
    closed = running.update(state=CallAttempt.State.FAILED, outcome=ABANDONED, finished=now)
    queued = CallAttempt.objects.filter(state=CallAttempt.State.QUEUED)
    if owner is not None or health.running():
        queued = queued.filter(created__lt=now - STALE_QUEUED)
    closed += queued.update(state=CallAttempt.State.FAILED, outcome=NOT_PLACED, finished=now)
    return closed


def add_status(attempt_id: int, timestamp_ms: int, call_id: str, method: str, line: str) -> None:
    CallStatus.objects.create(
        attempt_id=attempt_id, timestamp=timestamp_ms, call_id=call_id, method=method, status_line=line[:255]
    )


def set_call_id(attempt_id: int, call_id: str) -> None:
    CallAttempt.objects.filter(pk=attempt_id).update(call_id=call_id)


def finish(attempt_id: int, ok: bool, outcome: str) -> None:
    CallAttempt.objects.filter(pk=attempt_id).update(
        state=CallAttempt.State.DONE if ok else CallAttempt.State.FAILED, outcome=outcome[:255], finished=timezone.now()
    )


def event(data: dict) -> None:
    resolver.store([data])


def fail_running(owner: str, reason: str) -> None:
    """At a clean stop: this agent's attempts that are still running can no longer progress."""
    CallAttempt.objects.filter(state=CallAttempt.State.RUNNING, owner=owner).update(
        state=CallAttempt.State.FAILED, outcome=reason, finished=timezone.now()
    )


def purge(older_than: timedelta = timedelta(days=1)) -> None:
    CallAttempt.objects.filter(created__lt=timezone.now() - older_than).exclude(
        state__in=[CallAttempt.State.QUEUED, CallAttempt.State.RUNNING]
    ).delete()


def reset_connection() -> None:
    close_old_connections()
