"""Active calls for the REST answers (B.3.13) and the pages (the history's filters are filtersets.py)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.cdrs import resolver
from apps.cdrs.models import Cdr, Termination


def active_calls(username: str | None = None) -> QuerySet:
    """Records with termination I and no end (after closing zombies), filtered like sipXcdr's `?name=`:
    the user part of the caller or callee AOR equals the name (aliases are not considered)."""
    resolver.housekeeping()
    qs = Cdr.objects.filter(termination=Termination.IN_PROGRESS, end_time__isnull=True)
    if username is not None:
        qs = qs.filter(Q(caller_user=username) | Q(callee_user=username))
    return qs.order_by("start_time", "id")


def epoch_ms(dt) -> int:
    """A time in epoch milliseconds, the resolution of sipXcdr's times."""
    return int(dt.timestamp() * 1000)


def active_duration_ms(cdr: Cdr, now=None) -> int:
    """How long an active call has lasted at `now` (default: now), in milliseconds (the REST answer and the pages
    say the same)."""
    return max(0, epoch_ms(now or timezone.now()) - epoch_ms(cdr.start_time))
