"""The special-mode schedule and the one answer to "is special mode on at this instant, and why":
`special_mode_at(when)`, which the routing (dialplan.playing_now, settings.DIALPLAN_ATTENDANT), the attendant pages
and the admin JSON API all ask.

How the manual switch and the schedule combine: the manual switch **on** forces special mode; otherwise the schedule
decides (special mode is on while the PBX's clock is inside a period). The manual switch off does not end a
scheduled period early: edit or delete the period for that. The sipXconfig special-mode URIs keep reporting and
setting the manual switch alone, as 4.6 did (docs/compatibility.md B.2.6).

Periods are wall-clock times in the PBX's time zone (settings.TIME_ZONE), turned into instants for the day they fall
on, so a period follows daylight saving time: "nights 18:00-08:00" ends at 08:00 local time on the morning the
clocks change, 13 or 15 hours after it started. Occurrences, the period that holds an instant, the next change,
overlaps and the local times a DST change skips or repeats are sipxweb/periods.py's (the users' away periods share
it); what is the schedule's own is here: a row as a `periods.Recurrence` per weekday (without dates, an occurrence
up to the next end time, a whole day when the end is the start), the precedence, the sentences.

Two one-off periods may not overlap, nor two weekly ones; a one-off period may lie over weekly ones (holidays over
nights: the holiday is named as the reason while both apply)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from apps.attendants.models import AutoAttendant, SpecialMode, SpecialModePeriod
from sipxweb import periods as timeperiods

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the wire's names; stored as "0".."6"
# The days as the pages name them (in the page's language; the APIs' sentences are English).
DAY_NAMES = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)
# A Monday: the week a weekly period's recurrences are written in (they have no dates: every week is the same).
MONDAY = date(2001, 1, 1)
# How far ahead the next change is looked for among weekly periods (a change of a weekly schedule comes within a
# week, unless the weekly periods cover the whole week).
LOOKAHEAD = timedelta(days=8)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def days_of(period: SpecialModePeriod) -> list[int]:
    return sorted(int(d) for d in period.weekdays)


def weekly_minutes(period: SpecialModePeriod) -> int:
    """How long an occurrence of a weekly period lasts on the wall clock: up to the next end time, 24 hours when the
    end is the start."""
    start = period.start_time.hour * 60 + period.start_time.minute
    end = period.end_time.hour * 60 + period.end_time.minute
    return (end - start) % (24 * 60) or 24 * 60


def recurrences(period: SpecialModePeriod, tz: ZoneInfo) -> timeperiods.Period:
    """The period as the shared engine's: a one-off one from its start to its end; a weekly one a recurrence per
    day, without dates."""
    if not period.weekly:
        start = datetime.combine(period.start_date, period.start_time)
        return (timeperiods.Recurrence(start, datetime.combine(period.end_date, period.end_time), tz),)
    length = timedelta(minutes=weekly_minutes(period))
    found = []
    for day in days_of(period):
        start = datetime.combine(MONDAY + timedelta(days=day), period.start_time)
        found.append(timeperiods.Recurrence(start, start + length, tz, weekly=True, dated=False))
    return tuple(found)


def one_off(period: SpecialModePeriod, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A one-off period's (start, end) instants (UTC)."""
    (recurrence,) = recurrences(period, tz)
    return recurrence.first_start(), recurrence.last_end()


def _ordered(periods: Sequence[SpecialModePeriod], tz: ZoneInfo) -> list[tuple]:
    """The periods in the order they win: one-off ones before weekly ones (the holiday is named over the night)."""
    return [(p, recurrences(p, tz)) for p in sorted(periods, key=lambda p: (p.weekly, p.pk or 0))]


def active_period(periods: Sequence[SpecialModePeriod], when: datetime, tz: ZoneInfo) -> SpecialModePeriod | None:
    """The period `when` is inside (half-open: the end is not included); a one-off one before weekly ones."""
    found = timeperiods.active(_ordered(periods, tz), when)
    return None if found is None else found[0]


@dataclass(frozen=True)
class SpecialState:
    """Special mode at one instant: `on`; `reason` "manual" (the switch), "schedule" (`period`) or "" (off);
    `attendant` the special attendant that plays while on (the selected one, else `afterhour`, as D11 selects);
    `next_change` the instant the state flips next (None: not by the schedule; the manual switch is on, or no
    period ahead); `next_period` the period that starts then, when it is a start."""

    when: datetime
    on: bool
    reason: str
    period: SpecialModePeriod | None
    attendant: AutoAttendant | None
    manual: bool
    next_change: datetime | None = None
    next_period: SpecialModePeriod | None = None


def state_of(
    mode: SpecialMode | None,
    periods: Sequence[SpecialModePeriod],
    when: datetime,
    afterhour: AutoAttendant | None = None,
    with_next: bool = True,
) -> SpecialState:
    """The rule itself, on rows already read (the list page and the API read them once)."""
    tz = zone()
    manual = bool(mode is not None and mode.enabled)
    period = None if manual else active_period(periods, when, tz)
    on = manual or period is not None
    reason = "manual" if manual else ("schedule" if period is not None else "")
    selected = mode.attendant if mode is not None and mode.attendant_id else None
    attendant = (selected or afterhour) if on else None
    next_change = next_period = None
    if with_next and not manual:
        next_change, next_period = timeperiods.next_change(_ordered(periods, tz), when, LOOKAHEAD)
    return SpecialState(when, on, reason, period, attendant, manual, next_change, next_period)


def special_mode_at(when: datetime | None = None, with_next: bool = False) -> SpecialState:
    """Is special mode on at `when` (an aware instant; now when None), why, and which attendant plays. Reads the
    mode row, the periods and (only when special mode is on and nothing is selected) the afterhour attendant."""
    when = when or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("special_mode_at needs an aware datetime")
    mode = SpecialMode.objects.select_related("attendant").filter(pk=1).first()
    periods = list(SpecialModePeriod.objects.all())
    state = state_of(mode, periods, when, with_next=with_next)
    if state.on and state.attendant is None:
        afterhour = AutoAttendant.objects.filter(system_id=AutoAttendant.SystemId.AFTERHOUR).first()
        state = state_of(mode, periods, when, afterhour, with_next=with_next)
    return state


# ---- overlaps ---------------------------------------------------------------------------------------------------


def first_meeting(a: SpecialModePeriod, b: SpecialModePeriod, tz: ZoneInfo | None = None) -> datetime | None:
    """When two periods of the same kind first both apply, from now on (weekly ones: in the coming years, DST
    changes included; when they run together now, when the later of the two started); None: they never meet."""
    if a.weekly != b.weekly:
        return None
    tz = tz or zone()
    met = timeperiods.first_meeting(recurrences(a, tz), recurrences(b, tz), now=timezone.now())
    return None if met is None else met[0]


def first_overlap(
    period: SpecialModePeriod, others: Iterable[SpecialModePeriod], tz: ZoneInfo | None = None
) -> tuple[SpecialModePeriod, datetime] | None:
    """The first of `others` that `period` overlaps, and when they first both apply."""
    for other in others:
        if other is period or (period.pk is not None and other.pk == period.pk):
            continue
        met = first_meeting(period, other, tz)
        if met is not None:
            return other, met
    return None


# ---- words --------------------------------------------------------------------------------------------------------


def day_list(period: SpecialModePeriod) -> str:
    """ "Mon–Fri", "Sat, Sun", "Mon, Wed–Fri": runs of three days or more as a range."""
    days = days_of(period)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(str(DAY_NAMES[d]) for d in run)
    return ", ".join(parts)


def describe(period: SpecialModePeriod) -> str:
    """The period in words: "Mon–Fri 18:00–08:00 (next day)", "2026-12-24 00:00 – 2027-01-03 00:00"."""
    if period.weekly:
        start, end = period.start_time, period.end_time
        later = " " + gettext("(next day)") if (end.hour, end.minute) <= (start.hour, start.minute) else ""
        return f"{day_list(period)} {start:%H:%M}–{end:%H:%M}{later}"
    start = datetime.combine(period.start_date, period.start_time)
    end = datetime.combine(period.end_date, period.end_time)
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def day_of(when: datetime) -> str:
    """An instant's day as the pages say it, in the PBX's time zone: "Thu 2026-12-03"."""
    at = when.astimezone(zone())
    return f"{DAY_NAMES[at.weekday()]} {at:%Y-%m-%d}"


def moment(when: datetime | None) -> str:
    """An instant as the pages say it, in the PBX's time zone: "Thu 2026-12-03 08:00"."""
    if when is None:
        return ""
    return f"{day_of(when)} {when.astimezone(zone()):%H:%M}"


# ---- the data file's text forms (apps/pbxdata/sections/attendants.py names the keys) ---------------------------

TIME_FORMAT = "%H:%M"
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def weekday_names(period: SpecialModePeriod) -> list[str]:
    return [WEEKDAYS[d] for d in days_of(period)]


def wall_text(period: SpecialModePeriod) -> tuple[str, str]:
    """(start, end) as the data file writes them: "18:00" for a weekly period, "2026-12-24T00:00" for a one-off."""
    if period.weekly:
        return period.start_time.strftime(TIME_FORMAT), period.end_time.strftime(TIME_FORMAT)
    start = datetime.combine(period.start_date, period.start_time)
    end = datetime.combine(period.end_date, period.end_time)
    return start.strftime(MOMENT_FORMAT), end.strftime(MOMENT_FORMAT)


def parse_wall(value: str, weekly: bool) -> tuple[date | None, time]:
    """(date, time) of "18:00" (weekly) or "2026-12-24T00:00" (one-off); ValueError with a sentence otherwise."""
    try:
        if weekly:
            return None, datetime.strptime(value, TIME_FORMAT).time()
        moment_ = datetime.strptime(value, MOMENT_FORMAT)
        return moment_.date(), moment_.time()
    except ValueError:
        if weekly:
            raise ValueError(f'"{value}" is not a time of day such as "18:00" (a weekly period has no date)') from None
        raise ValueError(f'"{value}" is not a local date and time such as "2026-12-24T00:00"') from None
