"""What the special-mode schedule's weekly-overlap refusal names: the day the periods first both apply, from now."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def coming(weekdays: Iterable[int], at: str, lasting: timedelta, zone: str = "Europe/Berlin") -> str:
    """ "Fri 2026-12-04": the first day on one of `weekdays` (0 Monday) whose meeting from `at` (local time) for
    `lasting` is not over yet (a meeting that runs now is named by the day it started)."""
    tz, now = ZoneInfo(zone), datetime.now(UTC)
    days = set(weekdays)
    today = now.astimezone(tz).date()
    for offset in range(-7, 15):
        day = today + timedelta(days=offset)
        start = datetime.combine(day, time.fromisoformat(at), tz).astimezone(UTC)
        if day.weekday() in days and start + lasting > now:
            return f"{DAY_NAMES[day.weekday()]} {day:%Y-%m-%d}"
    raise AssertionError("no such day")


def spring_change(zone: str = "Europe/Berlin") -> date:
    """The next day on which `zone`'s clocks go forward (today's until 04:00, when the changed hour is over)."""
    tz, now = ZoneInfo(zone), datetime.now(UTC)
    day = now.astimezone(tz).date()
    while True:
        forward = datetime.combine(day, time(12), tz).utcoffset() > datetime.combine(day, time(0), tz).utcoffset()
        if forward and datetime.combine(day, time(4), tz) > now:
            return day
        day += timedelta(days=1)
