"""Active calls for the REST answers (B.3.13) and the pages, and call history queries."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.cdrs import resolver
from apps.cdrs.models import Cdr, Termination
from apps.cdrs.sipuri import display_name, recipient_of, user_of


def active_calls(username: str | None = None) -> QuerySet:
    """Records with termination I and no end (after closing zombies), filtered like sipXcdr's `?name=`:
    the user part of the caller or callee AOR equals the name (aliases are not considered)."""
    resolver.housekeeping()
    qs = Cdr.objects.filter(termination=Termination.IN_PROGRESS, end_time__isnull=True)
    if username is not None:
        qs = qs.filter(Q(caller_user=username) | Q(callee_user=username))
    return qs.order_by("start_time", "id")


def _ms(dt) -> int:
    return int(dt.timestamp() * 1000)


def wire_cdr(cdr: Cdr, now=None) -> dict:
    """One `<cdr>` of B.3.13, in wire order; None members are omitted by the renderer. As in sipXecs's REST
    path, active calls always say INCOMING / false / Unknown (docs/compatibility.md#b313-active-calls)."""
    now = now or timezone.now()
    # sipXcdr's rule: the name comes from the caller AOR only, and a resolved AOR is bare, so the agent's and
    # the demo's calls say just the user ("200"), as sipXconfig clients see them. The stored caller_name is for
    # the history pages.
    name = display_name(cdr.caller_aor)
    caller = user_of(cdr.caller_aor)
    return {
        "from": f"{name} - {caller}" if name else caller,
        "from-aor": cdr.caller_aor,
        "to": user_of(cdr.callee_aor),
        "to-aor": cdr.callee_aor,
        "route": cdr.callee_route or None,
        "direction": "INCOMING",
        "recipient": recipient_of(cdr.callee_contact) if cdr.callee_contact else None,
        "internal": False,
        "type": "Unknown",
        "start-time": _ms(cdr.start_time),
        "duration": max(0, _ms(now) - _ms(cdr.start_time)),
    }


def history(user: str = "", start=None, end=None, direction: str = "") -> QuerySet:
    """Call history for the pages: finished and active records in a date range, for a user, by direction
    (`out` = the user called, `in` = the user was called)."""
    qs = Cdr.objects.all()
    if start is not None:
        qs = qs.filter(start_time__gte=start)
    if end is not None:
        qs = qs.filter(start_time__lt=end)
    if user:
        if direction == "out":
            qs = qs.filter(caller_user=user)
        elif direction == "in":
            qs = qs.filter(callee_user=user)
        else:
            qs = qs.filter(Q(caller_user=user) | Q(callee_user=user))
    return qs.order_by("-start_time", "-id")
