"""Out-of-dialog NOTIFYs to a user's registered phones (`Notification`): the web side queues them (`queue`) and
reads the latest per key (`latest`); the agent claims them (`claim`), sends each through the proxy
(`apps/callcontrol/notify.py`) and writes the final response back (`finish`). The same hand-over through the
database as click-to-call's attempts (docs/architecture.md): any web worker on any host queues, the one agent
sends, the answer is there whichever worker reads it.

A NOTIFY is a non-INVITE transaction: it has its final response, or none, within Timer F (32 s). So a row
another agent took and still calls running after RUNNING_MAX belongs to an agent that died; one nobody took within
STALE_QUEUED was queued while no agent ran. Either is closed as failed (`reap`) and never sent later: a phone told
to resync minutes after the admin asked is a surprise, and the admin can press again."""

import re
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.callcontrol.models import Notification

STALE_QUEUED = timedelta(seconds=60)
RUNNING_MAX = timedelta(seconds=45)  # Timer F (32 s), a challenge round and the database writes
NOT_SENT = "not sent: no call-control agent was running"
ABANDONED = "failed: the call-control agent stopped before the phone answered"
_EVENT = re.compile(r"[A-Za-z0-9.!%*_+`'~-]{1,64}")  # an event-type token (RFC 6665), written into a header


class NotifyError(ValueError):
    """A NOTIFY that cannot be queued, with a sentence for the page."""


def _checked(user, event: str) -> None:
    if not _EVENT.fullmatch(event or ""):
        raise NotifyError(_('"%(event)s" is not a SIP event name.') % {"event": event})
    if not user.is_active:
        raise NotifyError(
            _("user %(username)s is disabled: no phone of theirs is registered.") % {"username": user.username}
        )


def queue(items: Iterable[tuple[str, object, str]]) -> list[Notification]:
    """Queues one NOTIFY per (key, user, event), in one insert; the agent sends them within its poll interval.
    Raises NotifyError (and queues nothing) for a disabled user or an event that is no SIP token."""
    rows = []
    for key, user, event in items:
        _checked(user, event)
        rows.append(Notification(key=key[:100], user=user, event=event))
    return Notification.objects.bulk_create(rows)


def reap(owner: str | None = None) -> int:
    """Closes the rows that will never be answered (see the module's note); `owner`'s own running rows are left to
    it. Any process may call it: a live agent finishes its rows well within RUNNING_MAX."""
    now = timezone.now()
    running = Notification.objects.filter(state=Notification.State.RUNNING, picked_up__lt=now - RUNNING_MAX)
    if owner is not None:
        running = running.exclude(owner=owner)
    closed = running.update(state=Notification.State.FAILED, outcome=ABANDONED, finished=now)
    closed += Notification.objects.filter(state=Notification.State.QUEUED, created__lt=now - STALE_QUEUED).update(
        state=Notification.State.FAILED, outcome=NOT_SENT, finished=now
    )
    return closed


def latest(keys: Iterable[str]) -> dict[str, Notification]:
    """The newest row of each key (two queries whatever the number of keys), after closing abandoned ones."""
    keys = list(keys)
    if not keys:
        return {}
    reap()
    newest = (
        Notification.objects.filter(key__in=keys).values("key").annotate(last=Max("id")).values_list("last", flat=True)
    )
    return {row.key: row for row in Notification.objects.filter(pk__in=list(newest))}


# ---- the agent's side (its one database thread) -------------------------------------------------------------


def claim(owner: str, limit: int = 100) -> list[dict]:
    """Queued rows, oldest first, claimed by `owner` with one conditional UPDATE (a row another agent took in
    between is skipped); each as a plain dict with the user's name and SIP password."""
    reap(owner)
    ids = list(
        Notification.objects.filter(state=Notification.State.QUEUED).order_by("id").values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    Notification.objects.filter(pk__in=ids, state=Notification.State.QUEUED).update(
        state=Notification.State.RUNNING, owner=owner, picked_up=timezone.now()
    )
    claimed = Notification.objects.filter(pk__in=ids, state=Notification.State.RUNNING, owner=owner)
    return [
        {"id": row.pk, "user": row.user.username, "password": row.user.sip_password, "event": row.event}
        for row in claimed.select_related("user").order_by("id")
    ]


def finish(row_id: int, status: int | None, reason: str, outcome: str) -> None:
    """The final response (`status`, `reason`), or none (`status` None, `outcome` says why)."""
    Notification.objects.filter(pk=row_id).update(
        state=Notification.State.FAILED if status is None else Notification.State.DONE,
        status=status,
        reason=reason[:255],
        outcome=outcome[:255],
        finished=timezone.now(),
    )


def fail_running(owner: str, reason: str) -> None:
    """At a clean stop: the rows this agent has not finished will not be."""
    Notification.objects.filter(state=Notification.State.RUNNING, owner=owner).update(
        state=Notification.State.FAILED, outcome=reason[:255], finished=timezone.now()
    )


def purge(older_than: timedelta = timedelta(days=7)) -> None:
    Notification.objects.filter(created__lt=timezone.now() - older_than).exclude(
        state__in=[Notification.State.QUEUED, Notification.State.RUNNING]
    ).delete()
