"""What the landing pages summarise, each in a fixed number of queries whatever the size of the PBX."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.attendants.models import AutoAttendant
from apps.audit.models import AuditEntry
from apps.callcontrol.models import CallAttempt
from apps.cdrs import services as cdrs
from apps.cdrs.models import Cdr, Termination
from apps.conferences.models import Conference
from apps.phones.models import Phone
from apps.users import availability
from apps.users.models import User
from apps.voicemail.email import troubled as undelivered_voicemail_mail
from apps.voicemail.models import Folder, Message
from apps.voicemail.services import greeting_heard

RECENT = timedelta(days=7)  # how far back "recent" failures and missed calls go
SHOWN = 5  # rows of each recent list


def pbx(now=None) -> dict:
    """The administrator's overview: how much there is, what is going on, and what went wrong lately."""
    now = now or timezone.now()
    since = now - RECENT
    return {
        "counts": [
            (_("Users"), User.objects.count(), "users:user_list"),
            (_("Phones"), Phone.objects.count(), "phones:phone_list"),
            (_("Attendants"), AutoAttendant.objects.count(), "attendants:attendant_list"),
            (_("Conferences"), Conference.objects.count(), "conferences:conference_list"),
        ],
        "active_calls": cdrs.active_calls().count(),
        "failed_calls": Cdr.objects.filter(
            termination=Termination.FAILED, start_time__gte=now - timedelta(days=1)
        ).count(),
        "failed_attempts": list(
            CallAttempt.objects.filter(state=CallAttempt.State.FAILED, created__gte=since)
            .select_related("agent")
            .order_by("-created", "-id")[:SHOWN]
        ),
        "imports": list(AuditEntry.objects.filter(channel=AuditEntry.Channel.IMPORT, at__gte=since)[:SHOWN]),
        "voicemail_mail": list(undelivered_voicemail_mail().select_related("message__user")[:SHOWN]),
        "recent_days": RECENT.days,
    }


def personal(user, now=None) -> dict:
    """A user's home: new voicemail, the calls they missed lately, whether their calls are forwarded, and their
    availability (do not disturb, forward all, the away period active now and the next one) and the greeting callers
    hear."""
    now = now or timezone.now()
    missed = Cdr.objects.filter(
        Q(connect_time__isnull=True) & ~Q(termination=Termination.IN_PROGRESS),
        callee_user=user.username,
        start_time__gte=now - RECENT,
    ).order_by("-start_time", "-id")
    missed_rows = list(missed[: SHOWN + 1])  # one more than shown says whether there are more: no COUNT
    rings = [ring for ring in user.rings.all() if ring.enabled]
    periods = list(user.away_periods.all())
    return {
        "state": availability.availability_at(user, now, periods),
        "next": availability.next_away(user, now, periods),
        "voicemail": user.perm_voicemail,
        "greeting": greeting_heard(user) if user.perm_voicemail else None,
        "new_messages": (
            Message.objects.filter(user=user, folder=Folder.INBOX, heard=False).count() if user.perm_voicemail else 0
        ),
        "missed": missed_rows[:SHOWN],
        "more_missed": len(missed_rows) > SHOWN,
        "forwarding_rings": rings,
        "forward_timer": user.call_forward_timer,
        "recent_days": RECENT.days,
    }
