"""Resync: tell phones to fetch their files now, instead of at their next poll.

sipXconfig's way, which Polycom, Yealink, Snom, Grandstream, Cisco and Aastra phones all follow: a SIP `NOTIFY` with
`Event: check-sync` to the phone's registration. The call-control agent sends it (apps/callcontrol/notify.py) to
`sip:<first line's user>@SIPX_DOMAIN` through the proxy, which forks it to that user's registered phones; its final
response says whether it arrived: 200 from a phone, 404/480 from the proxy when no phone of that user is registered.
A phone without a line (or whose line users are all disabled) is not registered anywhere: it cannot be reached.

Note that every phone registered for that user gets it (a desk phone and a soft phone of one user both resync):
the proxy knows registrations by user, not by MAC address."""

from dataclasses import dataclass, field

from django.utils.translation import gettext

from apps.callcontrol import notifications
from apps.callcontrol.models import Notification
from apps.phones.models import Line, Phone

EVENT = "check-sync"
# One bulk resync (one insert); well under DATA_UPLOAD_MAX_NUMBER_FIELDS, so a larger selection gets our sentence.
MAX_PHONES = 500


def key_of(phone_id: int) -> str:
    return f"phone:{phone_id}"


def phone_of(key: str) -> int | None:
    prefix, _, number = key.partition(":")
    return int(number) if prefix == "phone" and number.isdigit() else None


@dataclass
class Queued:
    """What a resync request did: the phones whose NOTIFY was queued, and those skipped with the reason."""

    queued: list[Phone] = field(default_factory=list)
    skipped: list[tuple[Phone, str]] = field(default_factory=list)


def resync(phones: list[Phone]) -> Queued:
    """Queues a check-sync NOTIFY to each phone's first enabled line user (two queries whatever the number)."""
    first_user = {}
    lines = Line.objects.filter(phone__in=phones, user__is_active=True).select_related("user")
    for line in lines.order_by("phone_id", "position", "id"):
        first_user.setdefault(line.phone_id, line.user)
    result, items = Queued(), []
    for phone in phones:
        user = first_user.get(phone.pk)
        if user is None:
            result.skipped.append((phone, gettext("it has no line with an enabled user, so it is registered nowhere")))
            continue
        result.queued.append(phone)
        items.append((key_of(phone.pk), user, EVENT))
    notifications.queue(items)
    return result


def last_resyncs(phone_ids) -> dict[int, Notification]:
    """The newest resync of each phone (a constant number of queries)."""
    return {phone_of(key): row for key, row in notifications.latest(key_of(pk) for pk in phone_ids).items()}


def describe(row: Notification | None) -> tuple[str, str]:
    """(state, sentence) of a resync for the pages: state is `pending` (the page asks again), `ok` or `failed`."""
    if row is None:
        return "none", gettext("No resync sent recently.")
    if row.state == Notification.State.QUEUED:
        return "pending", gettext("Resync queued…")
    if row.state == Notification.State.RUNNING:
        return "pending", gettext("Resync being sent…")
    if row.status is None:
        return "failed", gettext("Resync failed: %(outcome)s") % {"outcome": row.outcome}
    answer = f"{row.status} {row.reason}".strip()
    if 200 <= row.status < 300:
        return "ok", gettext("Resync sent: %(answer)s") % {"answer": answer}
    if row.status in (404, 480):
        return "failed", gettext("Phone not registered (%(answer)s)") % {"answer": answer}
    if row.status == 408:
        return "failed", gettext("The phone did not answer (%(answer)s)") % {"answer": answer}
    return "failed", gettext("Resync refused: %(answer)s") % {"answer": answer}
