"""A user's availability: the one-click switches (do not disturb, forward all calls to a number, optionally until a
time) and the away periods, and `availability_at(user, when)`, what applies at an instant. The portal's pages and
home, GET/PUT /api/v1/my/availability and /api/v1/my/away-periods, the PBX data file, the SIP proxy's routing
(apps/sipproxy/routing.py, through `state`) and the voicemail's greeting (`away_greeting`) all use these functions.

What applies, first match wins:
1. do not disturb (switched on, its `until` not reached): calls go straight to voicemail;
2. forward all (a number, its `until` not reached): calls ring that number instead of the user's phones;
3. an away period whose occurrence holds the instant: its `forward_to`, or voicemail only when it has none.
The greeting of an active away period plays whatever the switches say. An `until` in the past reads as off: the
decision is taken when the state is read, so nothing needs to rewrite it when it expires.

Away periods are wall-clock times in a time zone (the user's when written): a weekly one repeats the same local
times every week, so "Fridays 14:00-18:00" stays 14:00-18:00 across a DST change, and an occurrence that spans a
change lasts an hour more or less. Their occurrences, overlaps and the local times a DST change skips or repeats
are sipxweb/periods.py's (the attendants' schedule shares it); what is the users' own is here: a period's row as a
`periods.Recurrence` (dated, through `repeat_until`), which away period wins (the first), the switches, the
refusals. The wall-clock times are stored as if they were UTC (AwayPeriod.start/end), their zone beside them."""

import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from apps.audit import services as audit
from apps.users.models import AwayPeriod, User
from apps.users.services import (
    UserError,
    forward_all_rule,
    forward_number_rule,
    language_rule,
    text_rule,
    time_zone_rule,
    until_rule,
)
from sipxweb import periods as timeperiods
from sipxweb.periods import OVERLAP_HORIZON, WEEK, instant, wall_clock

GREETINGS = tuple(AwayPeriod.Greeting.values)
YEARS = (1970, 2999)  # far enough for any absence; the occurrences' arithmetic stays inside datetime's range
# The reasons `Availability.reason` gives, in the order they win.
DND, FORWARD, AWAY = "dnd", "forward", "away"


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)


def user_zone(user: User) -> zoneinfo.ZoneInfo:
    return zone(user.time_zone)


# ---- wall-clock times ------------------------------------------------------------------------------------------


def stored(wall: datetime) -> datetime:
    """How a wall-clock time is kept in a DateTimeField: as if it were UTC."""
    return wall.replace(tzinfo=UTC)


def unstored(value: datetime) -> datetime:
    """The wall-clock time a DateTimeField holds (stored())."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


# ---- away periods: occurrences ---------------------------------------------------------------------------------


@dataclass
class PeriodData:
    """An away period as people write it: `start` and `end` wall-clock times in `time_zone` (an aware value is
    converted into it), `weekly` with an optional last day `repeat_until` (the last day an occurrence starts),
    `forward_to` (None: voicemail only), `greeting` (a voicemail greeting kind)."""

    start: datetime
    end: datetime
    time_zone: str = ""
    weekly: bool = False
    repeat_until: date | None = None
    forward_to: str | None = None
    greeting: str = AwayPeriod.Greeting.OUT_OF_OFFICE.value


@dataclass(frozen=True)
class Occurrence:
    period: Any  # an AwayPeriod (or anything with its attributes: the routing's rows)
    start: datetime  # aware, UTC
    end: datetime

    def holds(self, when: datetime) -> bool:
        return self.start <= when < self.end


def _walls(period) -> tuple[datetime, datetime]:
    return unstored(period.start), unstored(period.end)


def recurrence(period) -> timeperiods.Period:
    """An away period (or a row with its attributes) as the shared engine's period: dated, weekly through
    `repeat_until`."""
    start, end = _walls(period)
    tz = zone(period.time_zone)
    last_day = period.repeat_until if period.weekly else None
    return (timeperiods.Recurrence(start, end, tz, weekly=bool(period.weekly), last_day=last_day),)


def occurrences(period, since: datetime, before: datetime) -> Iterator[Occurrence]:
    """The occurrences of `period` that end after `since` and start before `before` (aware instants), in order."""
    for start, end in timeperiods.occurrences(recurrence(period), since, before):
        yield Occurrence(period, start, end)


def occurrence_at(period, when: datetime) -> Occurrence | None:
    found = timeperiods.occurrence_at(recurrence(period), when)
    return None if found is None else Occurrence(period, *found)


def last_end(period) -> datetime | None:
    """When the period's last occurrence ends (None: it repeats for ever)."""
    return timeperiods.last_end(recurrence(period))


def first_start(period) -> datetime:
    return timeperiods.first_start(recurrence(period))


# ---- what applies ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """What applies at an instant. `reason`: DND, FORWARD, AWAY or "" (calls ring as usual); `forward_to` the number
    that rings instead of the user's phones; `voicemail_only` calls go straight to voicemail; `greeting` the away
    period's greeting (None: the mailbox's own choice); `away` the active occurrence; the switches as they read now
    (`dnd`, `forward_all`, `until`: off and None once `until` passed)."""

    reason: str = ""
    forward_to: str | None = None
    voicemail_only: bool = False
    greeting: str | None = None
    away: Occurrence | None = None
    dnd: bool = False
    forward_all: str | None = None
    until: datetime | None = None


def switches(dnd: bool, forward_all: str | None, until: datetime | None, when: datetime):
    """The one-click switches as they read at `when`: (dnd, forward_all, until), all off once `until` passed."""
    if until is not None and until <= when:
        return False, None, None
    if not dnd and not forward_all:
        return False, None, None
    return dnd, forward_all or None, until


def state(dnd: bool, forward_all: str | None, until: datetime | None, periods: Iterable, when: datetime):
    """The rule itself, from stored values: what applies at `when` (see the module's note)."""
    dnd, forward_all, until = switches(dnd, forward_all, until, when)
    found = timeperiods.active(((p, recurrence(p)) for p in periods), when)  # the first one that holds `when`
    away = None if found is None else Occurrence(found[0], *found[1])
    greeting = away.period.greeting if away is not None else None
    common = {"greeting": greeting, "away": away, "dnd": dnd, "forward_all": forward_all, "until": until}
    if dnd:
        return Availability(DND, voicemail_only=True, **common)
    if forward_all:
        return Availability(FORWARD, forward_to=forward_all, **common)
    if away is not None:
        target = away.period.forward_to or None
        return Availability(AWAY, forward_to=target, voicemail_only=target is None, **common)
    return Availability(**common)


def availability_at(user: User, when: datetime | None = None, periods: Sequence | None = None) -> Availability:
    """What applies to `user`'s calls at `when` (now by default): the portal, REST and the routing preview.
    `periods`: the user's away periods when the caller has them already."""
    when = when or timezone.now()
    periods = list(user.away_periods.all()) if periods is None else periods
    return state(user.dnd, user.forward_all, user.availability_until, periods, when)


def away_greeting(user: User, when: datetime | None = None) -> str | None:
    """The greeting the voicemail plays for `user` at `when` because of an away period (None: none is active)."""
    when = when or timezone.now()
    for period in user.away_periods.all():
        if occurrence_at(period, when) is not None:
            return period.greeting
    return None


def next_away(user: User, when: datetime | None = None, periods: Sequence | None = None) -> Occurrence | None:
    """The next occurrence of one of `user`'s away periods that starts after `when`."""
    when = when or timezone.now()
    found = []
    for period in user.away_periods.all() if periods is None else periods:
        occ = next((o for o in occurrences(period, when, when + OVERLAP_HORIZON) if o.start > when), None)
        if occ is not None:
            found.append(occ)
    return min(found, key=lambda o: o.start, default=None)


# ---- the switches: one writer -----------------------------------------------------------------------------------


def availability_fields(user: User) -> dict:
    return {"dnd": user.dnd, "forward_all": user.forward_all, "availability_until": user.availability_until}


@transaction.atomic
def set_availability(
    user: User, dnd: bool, forward_all: str | None, until: datetime | None, now: datetime | None = None
) -> User:
    """Switches do not disturb and forward-all (None: off), both until `until` (aware; None: until switched off).
    Refused (UserError, nothing stored): a forward-all number the ring list would refuse, an `until` not in the
    future or without a time zone."""
    now = now or timezone.now()
    errors = []
    if forward_all is not None:
        forward_all = forward_all.strip()
        problem = forward_all_rule(forward_all)
        if problem:
            errors.append(UserError(problem[0].upper() + problem[1:], "forward_all"))
    if until is not None:
        if until_rule(until):
            errors.append(UserError(until_rule(until), "until"))
        elif until.tzinfo is None:
            errors.append(UserError(gettext("The end time needs a time zone (such as Z or +01:00)."), "until"))
        elif until <= now:
            errors.append(
                UserError(gettext("The end time is in the past: give a time in the future, or none."), "until")
            )
    if errors:
        raise ValidationError(errors)
    if not dnd and forward_all is None:
        until = None  # nothing is on: nothing to end
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = availability_fields(locked)
    user.dnd, user.forward_all, user.availability_until = bool(dnd), forward_all, until
    user.save(update_fields=["dnd", "forward_all", "availability_until"])
    audit.record("user", user.username, before, availability_fields(user))
    return user


# ---- the time zone --------------------------------------------------------------------------------------------


@transaction.atomic
def set_time_zone(user: User, name: str) -> User:
    """The zone the user's pages show times in and new away periods are written in ("": the server's)."""
    name = (name or "").strip()
    problem = time_zone_rule(name)
    if problem:
        raise ValidationError([UserError(problem, "time_zone")])
    before = {"time_zone": User.objects.select_for_update().values_list("time_zone", flat=True).get(pk=user.pk)}
    user.time_zone = name
    user.save(update_fields=["time_zone"])
    audit.record("user", user.username, before, {"time_zone": name})
    return user


@transaction.atomic
def set_language(user: User, code: str) -> User:
    """The language of the user's pages: a code of settings.LANGUAGES, or "": the browser's."""
    code = (code or "").strip()
    problem = language_rule(code)
    if problem:
        raise ValidationError([UserError(problem, "language")])
    before = {"language": User.objects.select_for_update().values_list("language", flat=True).get(pk=user.pk)}
    user.language = code
    user.save(update_fields=["language"])
    audit.record("user", user.username, before, {"language": code})
    return user


# ---- away periods: rules and writers -----------------------------------------------------------------------------


def period_fields(period) -> dict:
    """An away period as the audit log shows it."""
    start, end = _walls(period)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "time_zone": period.time_zone,
        "weekly": period.weekly,
        "repeat_until": period.repeat_until.isoformat() if period.repeat_until else None,
        "forward_to": period.forward_to,
        "greeting": period.greeting,
    }


def describe(period) -> str:
    """ "Fri 4 Dec 2026 14:00 to 18:00, weekly": a period in words, in its own zone."""
    start, end = _walls(period)
    same_day = start.date() == end.date()
    # Django's date format: the day and month names of the active language ("Fri 4 Dec" in English, as strftime).
    first, last = date_format(start, "D j M Y H:i"), date_format(end, "H:i" if same_day else "D j M Y H:i")
    text = gettext("%(start)s to %(end)s") % {"start": first, "end": last}
    if period.weekly and period.repeat_until:
        text = gettext("%(period)s, weekly until %(day)s") % {
            "period": text,
            "day": date_format(period.repeat_until, "j M Y"),
        }
    elif period.weekly:
        text = gettext("%(period)s, weekly") % {"period": text}
    return text


def _clean_period(data: PeriodData, default_zone: str) -> AwayPeriod:
    """The period as it would be stored (unsaved, no user); raises ValidationError of UserErrors. No queries."""
    errors: list[UserError] = []
    zone_name = data.time_zone or default_zone
    problem = time_zone_rule(zone_name)
    if problem:
        raise ValidationError([UserError(problem, "time_zone")])
    tz = zone(zone_name)
    lo, hi = YEARS
    for name in ("start", "end"):
        if not lo <= getattr(data, name).year <= hi:
            sentence = {
                "start": gettext("The start must be a date between the years %(lo)s and %(hi)s."),
                "end": gettext("The end must be a date between the years %(lo)s and %(hi)s."),
            }[name]
            errors.append(UserError(sentence % {"lo": lo, "hi": hi}, name))
    if errors:
        raise ValidationError(errors)
    start, end = wall_clock(data.start, tz), wall_clock(data.end, tz)
    if instant(end, tz) <= instant(start, tz):
        errors.append(UserError(gettext("The end must come after the start."), "end"))
    if data.weekly and end - start >= WEEK:
        errors.append(UserError(gettext("A weekly period lasts less than a week (it would never end)."), "end"))
    if data.repeat_until is not None:
        if not data.weekly:
            errors.append(UserError(gettext("Only a weekly period repeats until a day."), "repeat_until"))
        elif data.repeat_until < start.date():
            errors.append(
                UserError(gettext("The last day of the repetition comes before the first one."), "repeat_until")
            )
    forward_to = (data.forward_to or "").strip() or None
    if forward_to is not None:
        problem = text_rule(forward_to, gettext("The number")) or forward_number_rule(forward_to)
        if problem:
            errors.append(UserError(problem, "forward_to"))
    if data.greeting not in GREETINGS:
        choices = ", ".join(f'"{g}"' for g in GREETINGS)
        sentence = gettext('"%(greeting)s" is not an away greeting; use one of %(choices)s.')
        errors.append(UserError(sentence % {"greeting": data.greeting, "choices": choices}, "greeting"))
    if errors:
        raise ValidationError(errors)
    return AwayPeriod(
        start=stored(start),
        end=stored(end),
        time_zone=zone_name,
        weekly=bool(data.weekly),
        repeat_until=data.repeat_until if data.weekly else None,
        forward_to=forward_to,
        greeting=data.greeting,
    )


def clean_period(data: PeriodData, default_zone: str = "") -> AwayPeriod:
    return _clean_period(data, default_zone or settings.TIME_ZONE)


def overlap_problem(period, others: Sequence) -> str | None:
    """The sentence refusing `period` because it overlaps one of `others`, or None."""
    for other in others:
        # When both apply first (not when the new period's occurrence starts: that may be before the other begins).
        met = timeperiods.first_meeting(recurrence(period), recurrence(other))
        if met is not None:
            tz = zone(period.time_zone)
            when = met[0].astimezone(tz)
            return gettext(
                "This period overlaps the away period %(period)s (%(zone)s): both would apply on %(day)s at "
                "%(time)s. Change one of them so that they do not overlap."
            ) % {
                "period": describe(other),
                "zone": other.time_zone,
                "day": date_format(when, "D j M Y"),
                "time": date_format(when, "H:i"),
            }
    return None


def _past_problem(period, now: datetime) -> str | None:
    end = last_end(period)
    if end is not None and end <= now:
        return gettext("This period is over already: its end is in the past.")
    return None


@transaction.atomic
def save_period(
    user: User, data: PeriodData, period: AwayPeriod | None = None, now: datetime | None = None
) -> AwayPeriod:
    """Creates an away period of `user` (or changes `period`, one of theirs). Refused (ValidationError of UserErrors,
    nothing stored): a bad value, a period that is over, one that overlaps another of the user's periods."""
    now = now or timezone.now()
    cleaned = _clean_period(data, user.zone_name)
    User.objects.select_for_update().filter(pk=user.pk).exists()  # one writer of a user's periods at a time
    problem = _past_problem(cleaned, now)
    if problem:
        raise ValidationError([UserError(problem, "end")])
    others = AwayPeriod.objects.filter(user=user)
    if period is not None:
        others = others.exclude(pk=period.pk)
    problem = overlap_problem(cleaned, list(others))
    if problem:
        raise ValidationError([UserError(problem, "start")])
    before = period_fields(period) if period is not None else None
    row = period or AwayPeriod(user=user)
    for name in ("start", "end", "time_zone", "weekly", "repeat_until", "forward_to", "greeting"):
        setattr(row, name, getattr(cleaned, name))
    row.user = user
    row.save()
    audit.record("away period", f"{user.username}/{row.pk}", before, period_fields(row))
    return row


@transaction.atomic
def delete_period(period: AwayPeriod) -> None:
    before = period_fields(period)
    key = f"{period.user.username}/{period.pk}"
    period.delete()
    audit.record("away period", key, before, None)


def check_periods(periods: Sequence[AwayPeriod]) -> None:
    """Periods of one user given together (the data file): none overlaps another. Raises a UserError naming the
    later one's index (`index`)."""
    for index, period in enumerate(periods):
        problem = overlap_problem(period, periods[:index])
        if problem:
            raise UserError(problem, "away_periods", index)


def replace_periods(periods_of: dict[User, Sequence[AwayPeriod]]) -> None:
    """The data file: each user's away periods replaced by the given ones (checked by clean_period and
    check_periods before). A fixed number of queries for any number of users."""
    users = list(periods_of)
    ids = [u.pk for u in users]
    names = {u.pk: u.username for u in users}
    old = list(AwayPeriod.objects.filter(user_id__in=ids))
    AwayPeriod.objects.filter(user_id__in=ids).delete()
    rows = []
    for user, periods in periods_of.items():
        for p in periods:
            p.user = user
            rows.append(p)
    AwayPeriod.objects.bulk_create(rows, batch_size=500)
    changes = [audit.Change("away period", f"{names[p.user_id]}/{p.pk}", period_fields(p), None) for p in old]
    changes += [audit.Change("away period", f"{p.user.username}/{p.pk}", None, period_fields(p)) for p in rows]
    audit.record_many(changes)
