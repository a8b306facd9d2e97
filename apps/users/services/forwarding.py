"""Call forwarding: what a ring may call (`forward_number_rule`), the ring list and the forward timer
(`validate_forwarding`, written by `set_forwarding`), and the availability switches' targets and end (forward all,
`until_rule`: apps.users.availability stores them)."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from apps.audit import services as audit
from apps.users.models import Ring, User
from apps.users.services.errors import UserError
from apps.users.services.text import text_rule


@dataclass
class RingData:
    number: str
    expiration: int = 30
    type: str = Ring.Type.DELAYED
    enabled: bool = True


FORWARD_TIMER_RANGE = (1, 999)
RING_EXPIRATION_RANGE = (1, 999)
# Rings in one user's forwarding list. sipXconfig set no bound; ten numbers rung one after another at up to
# 999 s each is already more than a caller waits through, and the list is read on every call. A property of
# the stored list, so REST, the portal page and the data file all refuse more through ring_count_problem.
MAX_RINGS = 10
_RING_TYPES = tuple(Ring.Type.values)
# What a ring may call (the sipproxy rings it as `sip:<number>@<domain>` unless it is a SIP URI): a number (digits,
# a leading +, * and #), an extension or a login name (a SIP user part: nothing a URI would need to escape) or a SIP
# URI. White space is in none of them, so "my cell phone" is refused, and so is "+1 617 555 0142" (with a hint to
# write it without spaces: the value is stored as given, as sipXconfig clients read it back).
_SIP_URI = re.compile(r"sips?:[^@\s<>\"]+@[A-Za-z0-9.\-]+(:\d{1,5})?(;[^\s<>\"]*)?", re.IGNORECASE)
_USER_PART = re.compile(r"[^\s@<>\"\\]+")
_DIALLED = re.compile(r"\+?[0-9*#]+")
_SPACED_NUMBER = re.compile(r"\+?[0-9*#][0-9*#\s().\-/]*")


def forward_number_rule(number: str) -> str | None:
    """Why `number` (stripped) is no ring target, or None: the one rule of the portal's ring list, PUT /my/forward,
    the PBX data file and the admin JSON API."""
    if number.lower().startswith(("sip:", "sips:")):
        if _SIP_URI.fullmatch(number):
            return None
        return gettext('"%(number)s" is not a SIP URI of the form sip:user@host.') % {"number": number}
    if _DIALLED.fullmatch(number) or _USER_PART.fullmatch(number):
        return None
    if _SPACED_NUMBER.fullmatch(number):
        bare = re.sub(r"[\s().\-/]", "", number)
        return gettext('"%(number)s": write the number without spaces, e.g. %(bare)s.') % {
            "number": number,
            "bare": bare,
        }
    return gettext('"%(number)s" is not a phone number, an extension or a SIP URI (sip:user@host).') % {
        "number": number
    }


def forward_all_rule(number: str) -> str | None:
    """Why `number` (stripped) cannot be the forward-all target, or None: a ring's number (forward_number_rule)."""
    if not number:
        return gettext("a number is required to forward all calls (or switch forwarding off).")
    return text_rule(number, gettext("The forward-all number")) or forward_number_rule(number)


def until_rule(value) -> str | None:
    """Why an aware date and time cannot end the availability switches (a year this server cannot store), or None."""
    if value is not None and not 1970 < value.year < 3000:
        return gettext("The end time must be a date between the years 1970 and 2999.")
    return None


def ring_count_problem(count: int) -> str | None:
    """The sentence refusing a forwarding list of `count` rings, or None when it may be stored."""
    if count > MAX_RINGS:
        return gettext("A forwarding list holds at most %(most)s rings; this one has %(count)s.") % {
            "most": MAX_RINGS,
            "count": count,
        }
    return None


def _forwarding_errors(timer: int | None, rings: Sequence[RingData]) -> list[UserError]:
    # Counted before the rings are looked at: eleven numbers are refused as a list, not ring by ring.
    too_many = ring_count_problem(len(rings))
    if too_many:
        return [UserError(too_many, "rings")]
    errors = []
    lo, hi = FORWARD_TIMER_RANGE
    if timer is not None and not lo <= timer <= hi:
        message = gettext(
            "expiration (ring my phones for) must be between %(lo)s and %(hi)s seconds, not %(value)s."
        ) % {"lo": lo, "hi": hi, "value": timer}
        errors.append(UserError(message, "forward_timer"))
    lo, hi = RING_EXPIRATION_RANGE
    for i, ring in enumerate(rings):
        number = (ring.number or "").strip()
        ring_no = {"n": i + 1}
        problem = (
            gettext("ring %(n)s: a number is required.") % ring_no
            if not number
            else text_rule(number, gettext("ring %(n)s: the number") % ring_no)
        )
        if problem is None:
            problem = forward_number_rule(number)
            problem = gettext("ring %(n)s: %(problem)s") % {**ring_no, "problem": problem} if problem else None
        if problem:
            errors.append(UserError(problem, "rings", i, "number"))
        if not lo <= ring.expiration <= hi:
            message = gettext("ring %(n)s: expiration must be between %(lo)s and %(hi)s seconds, not %(value)s.") % {
                **ring_no,
                "lo": lo,
                "hi": hi,
                "value": ring.expiration,
            }
            errors.append(UserError(message, "rings", i, "expiration"))
        if ring.type not in _RING_TYPES:
            message = gettext('ring %(n)s: type "%(type)s" is not one of "If no response", "At the same time".') % {
                **ring_no,
                "type": ring.type,
            }
            errors.append(UserError(message, "rings", i, "type"))
    return errors


def validate_forwarding(timer: int | None, rings: Iterable[RingData]) -> None:
    """Raises ValidationError (a list of UserErrors) when the timer or the ring list may not be stored."""
    errors = _forwarding_errors(timer, list(rings))
    if errors:
        raise ValidationError(errors)


def _ring_rows(user_id: int, rings: Sequence[RingData]) -> list[Ring]:
    return [
        Ring(
            user_id=user_id,
            position=i,
            number=r.number.strip(),
            expiration=r.expiration,
            type=r.type,
            enabled=r.enabled,
        )
        for i, r in enumerate(rings)
    ]


def _ring_fields(ring) -> dict[str, Any]:
    """A ring as the audit log shows it (a stored Ring or a RingData)."""
    return {"number": ring.number.strip(), "expiration": ring.expiration, "type": ring.type, "enabled": ring.enabled}


@transaction.atomic
def set_forwarding(user: User, timer: int | None, rings: Sequence[RingData]) -> None:
    """Replaces the ring list (in the given order) and, when `timer` is given, the forward timer."""
    validate_forwarding(timer, rings)
    before = {"call_forward_timer": user.call_forward_timer, "rings": [_ring_fields(r) for r in user.rings.all()]}
    if timer is not None:
        user.call_forward_timer = timer
        user.save(update_fields=["call_forward_timer"])
    user.rings.all().delete()
    Ring.objects.bulk_create(_ring_rows(user.pk, rings))
    after = {"call_forward_timer": user.call_forward_timer, "rings": [_ring_fields(r) for r in rings]}
    audit.record("user", user.username, before, after)
