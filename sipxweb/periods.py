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
one-off period from 02:30 to 03:15 on that day ends before it starts; the away periods compared instants.)"""

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEK = timedelta(days=7)
# How far ahead two open-ended weekly periods are compared: the DST rules of two zones line up differently from one
# year to the next (a rule on a fixed date falls on each weekday in turn), so 53 weeks seven times, not one week.
OVERLAP_HORIZON = timedelta(weeks=371)
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


def overlap(a: Period, b: Period, now: datetime | None = None, horizon: timedelta = OVERLAP_HORIZON) -> Span | None:
    """The first occurrence of `a` during which `b` applies too, at some instant (None: they never meet). Looked
    for from the later of the two first starts (`now` when neither has one, a schedule without dates: an overlap in
    the past would not matter) to the earlier of the last ends, `horizon` at most."""
    starts = [s for s in (first_start(a), first_start(b)) if s is not None]
    since = max(starts) if starts else (now or datetime.now(UTC))
    ends = [e for e in (last_end(a), last_end(b)) if e is not None]
    until = min([*ends, since + horizon])
    if until <= since:
        return None
    theirs = list(occurrences(b, since, until))
    first = 0
    for mine in occurrences(a, since, until):
        # Occurrences start in order: one of theirs that ended before this one of mine starts meets no later one.
        while first < len(theirs) and theirs[first][1] <= mine[0]:
            first += 1
        for index in range(first, len(theirs)):
            start, end = theirs[index]
            if start >= mine[1]:
                break
            if end > mine[0]:
                return mine
    return None
