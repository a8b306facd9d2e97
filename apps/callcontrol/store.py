"""The agent's database side (synchronous; the agent runs these in its one database thread)."""

from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

from apps.callcontrol.models import CallAttempt, CallStatus
from apps.cdrs import resolver

STALE_QUEUED = timedelta(seconds=60)  # an attempt queued while no agent ran is not placed minutes later


def claim() -> list[dict]:
    """Queued attempts, oldest first, marked running; each as a plain dict for the event loop."""
    queued = list(CallAttempt.objects.filter(state=CallAttempt.State.QUEUED).order_by("id")[:50])
    if not queued:
        return []
    now = timezone.now()
    out = []
    for attempt in queued:
        if attempt.created < now - STALE_QUEUED:
            CallAttempt.objects.filter(pk=attempt.pk).update(
                state=CallAttempt.State.FAILED, outcome="not placed: no call-control agent was running", finished=now
            )
            continue
        if not CallAttempt.objects.filter(pk=attempt.pk, state=CallAttempt.State.QUEUED).update(
            state=CallAttempt.State.RUNNING, picked_up=now
        ):
            continue
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


def fail_running(reason: str) -> None:
    """At start and stop: attempts another agent run left running can no longer progress."""
    CallAttempt.objects.filter(state=CallAttempt.State.RUNNING).update(
        state=CallAttempt.State.FAILED, outcome=reason, finished=timezone.now()
    )


def purge(older_than: timedelta = timedelta(days=1)) -> None:
    CallAttempt.objects.filter(created__lt=timezone.now() - older_than).exclude(
        state__in=[CallAttempt.State.QUEUED, CallAttempt.State.RUNNING]
    ).delete()


def reset_connection() -> None:
    close_old_connections()
