"""Periods of wall-clock time in a time zone, once or weekly: the one engine behind the users' away periods
(apps/users/availability.py) and the attendants' special-mode schedule (apps/attendants/schedule.py). Each app turns
its rows into `Recurrence`s (a period is a sequence of them: a weekly schedule on several days has one per day) and
keeps what is its own: its models, which period wins when several apply, its refusals and their sentences.

A period is written on the wall clock: "Fridays 14:00-18:00 in Europe/Berlin" is 14:00-18:00 local time every
Friday, summer and winter, so its instants move by an hour at a DST change, and an occurrence that spans a change
lasts an hour less or more ("nights 18:00-08:00" ends at 08:00 on the morning the clocks change). Each end of an
occurrence becomes an instant on its own, for the day it falls on.

Local times a DST change skips or repeats, one rule for both apps (RFC 5545's, and Python's fold=0):
* a time in the spring-forward gap (02:30 on a day the clocks jump from 02:00 to 03:00) is read with the offset
  before the change: 02:30 +01:00, the instant the clocks show 03:30. An occurrence from 01:00 to 02:30 that day
  still lasts an hour and a half;
* a time of the autumn's repeated hour is read as its first occurrence (summer time); a fold=1 wall time is read as
  fold 0 too, since the wall times the apps store keep no fold.
Everything else compares instants (aware, UTC), never wall times, so periods in different zones compare, and so does
a time in the gap: it comes after 03:00 that day. Two weekly periods "Sun 01:00-02:30" and "Sun 03:00-04:00" in
Berlin therefore both apply from 03:00 to 03:30 summer time on the day of the spring change: they overlap. (Before
this module the attendants' schedule compared its periods as wall times in the zone and did not see it, nor that a
one-off period from 02:30 to 03:15 on that day ends before it starts; the away periods compared instants.)

Two weekly periods are compared over years ahead, DST changes included, but only the weeks near a change are walked
(the shortcut's note below says why that finds what walking every week finds)."""

import functools
import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEK = timedelta(days=7)
# How far ahead two open-ended weekly periods are compared: the DST rules of two zones line up differently from one
# year to the next (a rule on a fixed date falls on each weekday in turn), so 53 weeks seven times, not one week.
OVERLAP_HORIZON = timedelta(weeks=371)
ZERO = timedelta(0)
TICK = timedelta(microseconds=1)  # datetime's resolution: "starts before when + TICK" is "starts at when or before"

Span = tuple[datetime, datetime]  # an occurrence: (start, end) instants, aware UTC, the end not included


def instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time in `tz` (gaps and repeated hours: see the module's note)."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def wall_clock(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in `tz`, to the second: an aware value converted into the zone, a naive one as it is."""
    if value.tzinfo is not None:
        value = value.astimezone(tz).replace(tzinfo=None)
    return value.replace(microsecond=0)


@dataclass(frozen=True)
class Recurrence:
    """One occurrence from `start` to `end` (naive wall-clock times in `tz`), or, `weekly`, the same wall-clock
    times every week: from the week of `start` on (`dated`), or in every week before as well (not `dated`: a
    schedule of weekdays without dates), through the week whose occurrence starts on `last_day` at the latest.
    A weekly occurrence lasts less than a week."""

    start: datetime
    end: datetime
    tz: ZoneInfo
    weekly: bool = False
    dated: bool = True
    last_day: date | None = None

    def occurrences(self, since: datetime, before: datetime) -> Iterator[Span]:
        """The occurrences that end after `since` and start before `before` (aware instants), in order."""
        if not self.weekly:
            start, end = instant(self.start, self.tz), instant(self.end, self.tz)
            if end > since and start < before:
                yield start, end
            return
        # The first occurrence that may still run at `since`: a week earlier than its week, for DST's hour.
        k = (wall_clock(since, self.tz) - self.start) // WEEK - 1
        if self.dated:
            k = max(0, k)
        while True:
            first = self.start + k * WEEK
            if self.last_day is not None and first.date() > self.last_day:
                return
            start, end = instant(first, self.tz), instant(self.end + k * WEEK, self.tz)
            if start >= before:
                return
            if end > since:
                yield start, end
            k += 1

    def first_start(self) -> datetime | None:
        """When the first occurrence starts (None: a weekly one without dates, which has no first)."""
        if self.weekly and not self.dated:
            return None
        return instant(self.start, self.tz)

    def last_end(self) -> datetime | None:
        """When the last occurrence ends (None: it repeats for ever)."""
        if not self.weekly:
            return instant(self.end, self.tz)
        if self.last_day is None or not self.dated:
            return None
        weeks = max(0, (datetime.combine(self.last_day, self.start.time()) - self.start) // WEEK)
        return instant(self.end + weeks * WEEK, self.tz)


Period = Sequence[Recurrence]


def occurrences(period: Period, since: datetime, before: datetime) -> Iterator[Span]:
    """The occurrences of all of `period`'s recurrences that end after `since` and start before `before`, in the
    order they start."""
    return heapq.merge(*(r.occurrences(since, before) for r in period))


def occurrence_at(period: Period, when: datetime) -> Span | None:
    """The occurrence of `period` that holds `when` (its start included, its end not), or None."""
    return next((o for o in occurrences(period, when, when + TICK) if o[0] <= when < o[1]), None)


def first_start(period: Period) -> datetime | None:
    """When the period's first occurrence starts (None: it has no first, a weekly schedule without dates)."""
    starts = [r.first_start() for r in period]
    return None if not starts or None in starts else min(starts)


def last_end(period: Period) -> datetime | None:
    """When the period's last occurrence ends (None: it repeats for ever)."""
    ends = [r.last_end() for r in period]
    return None if not ends or None in ends else max(ends)


def active[T](periods: Iterable[tuple[T, Period]], when: datetime) -> tuple[T, Span] | None:
    """The first of `periods` (the caller's order is its precedence) with an occurrence holding `when`, and that
    occurrence; None when none holds it."""
    for key, period in periods:
        found = occurrence_at(period, when)
        if found is not None:
            return key, found
    return None


def next_change[T](
    periods: Sequence[tuple[T, Period]], when: datetime, horizon: timedelta
) -> tuple[datetime | None, T | None]:
    """The first start or end after `when` where whether one of `periods` applies changes (one period ending as
    another starts is no change), and the period that applies then (`active`'s precedence); (None, None) when there
    is none. Weekly occurrences are looked at up to `when + horizon` (the caller knows how far ahead a weekly
    schedule must change, unless it never does); one-off ones however far ahead they are."""
    on = active(periods, when) is not None
    ahead = when + horizon
    boundaries: set[datetime] = set()
    for _, period in periods:
        for recurrence in period:
            if recurrence.weekly:
                spans = recurrence.occurrences(when, ahead + TICK)
                boundaries.update(b for span in spans for b in span if when < b <= ahead)
            else:
                ends = (recurrence.first_start(), recurrence.last_end())
                boundaries.update(b for b in ends if b is not None and b > when)
    for boundary in sorted(boundaries):
        found = active(periods, boundary)
        if (found is not None) != on:
            return boundary, (found[0] if found is not None else None)
    return None, None


def _window(a: Period, b: Period, now: datetime | None, horizon: timedelta) -> tuple[datetime, datetime] | None:
    """Where two periods are compared: from the later of the two first starts (`now` when neither has one, a schedule
    without dates: an overlap in the past would not matter) to the earlier of the last ends, `horizon` at most."""
    starts = [s for s in (first_start(a), first_start(b)) if s is not None]
    since = max(starts) if starts else (now or datetime.now(UTC))
    ends = [e for e in (last_end(a), last_end(b)) if e is not None]
    until = min([*ends, since + horizon])
    return (since, until) if since < until else None


def _meetings(
    a: Period, b: Period, since: datetime, until: datetime, stretches: Sequence[Span], reach: timedelta
) -> Iterator[tuple[Span, Span]]:
    """Each occurrence of `a` that runs in one of the `stretches` (in order, each occurrence once, in the order they
    start) with each occurrence of `b` it meets, in the order those start; `b`'s are looked for `reach` around a
    stretch. Only occurrences that run between `since` and `until` count."""
    walked = None  # the end of the stretch before: an occurrence that starts before it was met there
    for lo, hi in stretches:
        theirs = list(occurrences(b, max(since, lo - reach), min(until, hi + reach)))
        first = 0
        for mine in occurrences(a, lo, hi):
            if walked is not None and mine[0] < walked:
                continue
            # Occurrences start in order: one of theirs that ended before this one of mine starts meets no later one.
            while first < len(theirs) and theirs[first][1] <= mine[0]:
                first += 1
            for index in range(first, len(theirs)):
                start, end = theirs[index]
                if start >= mine[1]:
                    break
                if end > mine[0]:
                    yield mine, (start, end)
        walked = hi


def _met(a: Period, b: Period, since: datetime, until: datetime, every_week: bool) -> Iterator[tuple[Span, Span]]:
    """`_meetings` over the whole window (`every_week`), or over the stretches where they may meet (`_stretches`)."""
    plan = None if every_week else _stretches(a, b, since, until)
    if plan is None:
        return _meetings(a, b, since, until, [(since, until)], until - since)
    return _meetings(a, b, since, until, *plan)


def overlap(
    a: Period, b: Period, now: datetime | None = None, horizon: timedelta = OVERLAP_HORIZON, every_week: bool = False
) -> Span | None:
    """The first occurrence of `a` during which `b` applies too, at some instant (None: they never meet); looked for
    in `_window`. `every_week` walks every week, the reference the shortcut (`_stretches`) is tested against."""
    window = _window(a, b, now, horizon)
    if window is None:
        return None
    return next((mine for mine, _ in _met(a, b, *window, every_week)), None)


def first_meeting(
    a: Period, b: Period, now: datetime | None = None, horizon: timedelta = OVERLAP_HORIZON, every_week: bool = False
) -> Span | None:
    """The first time both `a` and `b` apply: from the earliest start of two occurrences that meet to the end of
    the earlier (None: they never meet; looked for in `_window`, as `overlap`, and None exactly when it is). Two
    occurrences that already run together at the window's start meet from when the later of them started."""
    window = _window(a, b, now, horizon)
    if window is None:
        return None
    best = None
    for mine, theirs in _met(a, b, *window, every_week):
        if best is not None and mine[0] >= best[0]:
            break  # a later occurrence of `a` meets `b` no earlier than it starts
        start = max(mine[0], theirs[0])
        if best is None or start < best[0]:
            best = (start, min(mine[1], theirs[1]))
    return best


# ---- the shortcut for weekly periods ---------------------------------------------------------------------------
#
# Walking two weekly periods week by week over the horizon costs thousands of conversions for every pair, and a data
# file with many weekly periods checks every pair. But far from the instants where something changes (a zone's
# offset, a dated period's first or last week, the window's ends), what an occurrence meets repeats from one week to
# the next: everything within an occurrence's length of it moves by exactly a week. So only the occurrences near
# those instants are walked, and, after each change of what a week looks like, one ordinary week; an ordinary
# occurrence that meets nothing there meets nothing in any later ordinary week before the next change. In a single
# zone an offset change changes nothing on the wall clock, so there it needs no ordinary week of its own, and two
# weekly periods whose wall-clock spans, widened by the zone's offsets' spread, never meet are not walked at all.

MARGIN = timedelta(weeks=5)  # beyond the reach of any weekly occurrence (less than a week and a DST shift)
DAY = timedelta(days=1)
# A zone's offsets are sampled daily and the changes bisected to the second: two changes less than a day apart
# (no zone has them) would be missed.
SECOND = timedelta(seconds=1)


@functools.lru_cache(maxsize=512)
def _year_changes(tz: ZoneInfo, year: int) -> tuple[tuple[datetime, timedelta], ...]:
    """The instants of `year` at which `tz`'s UTC offset changes, each with the offset from then on."""
    found = []
    when = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = when.astimezone(tz).utcoffset()
    while when < end:
        after = min(when + DAY, end)
        later = after.astimezone(tz).utcoffset()
        if later != offset:
            lo, hi = when, after  # the offset is `offset` at lo and no more at hi
            while hi - lo > SECOND:
                middle = lo + (hi - lo) // 2
                lo, hi = (middle, hi) if middle.astimezone(tz).utcoffset() == offset else (lo, middle)
            found.append((hi, hi.astimezone(tz).utcoffset()))
        when, offset = after, later
    return tuple(found)


def _changes(tz: ZoneInfo, since: datetime, until: datetime) -> tuple[list[datetime], timedelta]:
    """The instants from `since` to `until` at which `tz`'s offset changes, and how far its offsets then lie apart."""
    changes = [
        c for year in range(since.year, until.year + 1) for c in _year_changes(tz, year) if since <= c[0] <= until
    ]
    offsets = {since.astimezone(tz).utcoffset(), *(offset for _, offset in changes)}
    return [when for when, _ in changes], max(offsets) - min(offsets)


def _apart(a: Period, b: Period, spread: timedelta) -> bool:
    """Whether no occurrence of `a` can meet one of `b`, all weekly in one zone: instants differ from wall-clock
    times by the zone's offset, so two occurrences that meet have wall-clock spans that meet once widened by the
    offsets' `spread`."""
    for mine in a:
        for theirs in b:
            ahead = (theirs.start - mine.start) % WEEK  # where theirs starts in the week of mine, on the wall
            for weeks in (-2, -1, 0, 1, 2):
                start = ahead + weeks * WEEK
                if start < mine.end - mine.start + spread and start + (theirs.end - theirs.start) + spread > ZERO:
                    return False
    return True


def _stretches(a: Period, b: Period, since: datetime, until: datetime) -> tuple[list[Span], timedelta] | None:
    """The stretches of the window to walk: around each instant of change, and one ordinary week after each change
    of what a week looks like (none at all for weekly periods that lie apart on the wall clock); and how far around
    a stretch the occurrences of `b` that those of `a` in it may meet lie. None: walk every week (a one-off
    recurrence)."""
    recurrences = [*a, *b]
    if not all(r.weekly for r in recurrences):
        return None  # a one-off occurrence may be long: its whole window is short enough to walk
    zones = {r.tz for r in recurrences}
    changes: list[datetime] = []
    spread = ZERO
    for tz in zones:
        found, apart = _changes(tz, since - MARGIN, until + MARGIN)
        changes += found
        spread = max(spread, apart)
    if len(zones) == 1 and _apart(a, b, spread):
        return [], ZERO
    # The longest occurrence lasts `length`; one farther than `pad` from every instant of change is ordinary (what
    # it may meet lies within `length` of it, away from a change and from the wall times a change skips).
    length = max(r.end - r.start for r in recurrences) + spread
    pad = length + spread + timedelta(hours=1)
    reach = pad + length  # how far from an instant of change an occurrence that is not ordinary may run
    several = len(zones) > 1  # an offset change then moves one zone's periods against the other's
    events = [(since, True), (until, False), *((c, several) for c in changes)]
    for r in recurrences:
        events += [(edge, True) for edge in (r.first_start(), r.last_end()) if edge is not None]
    ordinary = WEEK + spread  # a stretch this long holds an occurrence of every weekly recurrence
    stretches: list[list[datetime]] = []
    owed = False  # an ordinary week is still to be walked: what a week looks like changed since the last one
    for when, new_week in sorted(e for e in events if since <= e[0] <= until):
        lo, hi = max(since, when - reach), min(until, when + reach)
        if stretches and lo <= stretches[-1][1] + (ordinary if owed else ZERO):
            stretches[-1][1] = max(stretches[-1][1], hi)  # an ordinary week owed was cut short: still owed
        else:
            if stretches and owed:
                stretches[-1][1] += ordinary
                owed = False
            stretches.append([lo, hi])
        owed = owed or new_week
    if owed:
        stretches[-1][1] = min(until, stretches[-1][1] + ordinary)
    return [(lo, hi) for lo, hi in stretches], reach
