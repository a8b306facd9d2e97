"""The phones' time zone: an IANA zone name (PHONE_TIME_ZONE) turned into what phone configurations ask for, an
offset from UTC and the summer-time rule as month / week / weekday / hour.

The rule is the POSIX TZ string at the end of the zone's TZif file (RFC 8536 section 3.3, e.g.
`CET-1CEST,M3.5.0,M10.5.0/3`): the rule the zone follows from now on, which is what a phone repeating it every year
needs. Read from the system's zoneinfo or the `tzdata` package, as Python's zoneinfo does."""

import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
_TIME = r"[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?"
_RULE = rf"M(\d{{1,2}})\.(\d)\.(\d)(?:/({_TIME}))?"
_POSIX = re.compile(rf"^{_NAME}({_TIME})(?:{_NAME}({_TIME})?(?:,{_RULE},{_RULE})?)?$")


def _seconds(text: str | None, default: int = 0) -> int:
    if not text:
        return default
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


@dataclass(frozen=True)
class Transition:
    """When summer time starts or ends: the `week`th (5: the last) `weekday` (0 = Sunday) of `month`, at `seconds`
    after local midnight."""

    month: int
    week: int
    weekday: int
    seconds: int

    @property
    def hour(self) -> int:
        return self.seconds // 3600

    @property
    def weekday_monday_first(self) -> int:
        """1 = Monday ... 7 = Sunday (Yealink, Snom, Cisco)."""
        return self.weekday or 7

    @property
    def weekday_sunday_first(self) -> int:
        """1 = Sunday ... 7 = Saturday (Polycom, Aastra)."""
        return self.weekday + 1

    @property
    def week_or_last(self) -> int:
        """1-4, or -1 for the last (Cisco, Aastra)."""
        return -1 if self.week == 5 else self.week

    @property
    def last(self) -> bool:
        return self.week == 5

    @property
    def first_date(self) -> int:
        """The first day of the month the weekday is looked for from (Polycom's `date`)."""
        return (min(self.week, 4) - 1) * 7 + 1


@dataclass(frozen=True)
class PhoneTimeZone:
    name: str
    posix: str
    offset: int  # seconds east of UTC in standard time
    summer_offset: int  # seconds east of UTC in summer time (= offset without summer time)
    start: Transition | None = None
    end: Transition | None = None

    @property
    def dst(self) -> bool:
        return self.start is not None

    @property
    def offset_minutes(self) -> int:
        return self.offset // 60

    @property
    def dst_minutes(self) -> int:
        return (self.summer_offset - self.offset) // 60

    @property
    def hours(self) -> str:
        """The offset as Yealink writes it: +1, -5, +5:30, 0."""
        sign = "-" if self.offset < 0 else "+"
        hours, minutes = divmod(abs(self.offset) // 60, 60)
        if not hours and not minutes:
            return "0"
        return f"{sign}{hours}" + (f":{minutes:02d}" if minutes else "")

    @property
    def gmt(self) -> str:
        """GMT+01:00 (Cisco)."""
        sign = "-" if self.offset < 0 else "+"
        hours, minutes = divmod(abs(self.offset) // 60, 60)
        return f"GMT{sign}{hours:02d}:{minutes:02d}"


def parse_posix(name: str, posix: str) -> PhoneTimeZone:
    """The zone from its POSIX TZ string. A rule in the rare Julian-day forms is left out (no summer time)."""
    match = _POSIX.match(posix)
    if match is None:
        return PhoneTimeZone(name, posix, 0, 0)
    std, summer = match.group(1), match.group(2)
    offset = -_seconds(std)  # POSIX counts west of UTC
    rules = match.groups()[2:]
    if rules[0] is None:  # no summer time, or a summer time without an M rule (then its dates are unknown)
        return PhoneTimeZone(name, posix, offset, offset)
    summer_offset = -_seconds(summer) if summer else offset + 3600
    start = Transition(int(rules[0]), int(rules[1]), int(rules[2]), _seconds(rules[3], 7200))
    end = Transition(int(rules[4]), int(rules[5]), int(rules[6]), _seconds(rules[7], 7200))
    return PhoneTimeZone(name, posix, offset, summer_offset, start, end)


def _tzif(name: str) -> bytes:
    zoneinfo.ZoneInfo(name)  # refuses a name that is no zone (and any path trick) before a file is opened
    for root in zoneinfo.TZPATH:
        path = Path(root, *name.split("/"))
        if path.is_file():
            return path.read_bytes()
    return importlib.resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).read_bytes()


@lru_cache(maxsize=64)
def phone_time_zone(name: str) -> PhoneTimeZone:
    """The zone `name` (an IANA name such as Europe/Berlin); raises ValueError for a name that is no zone."""
    try:
        data = _tzif(name)
    except (zoneinfo.ZoneInfoNotFoundError, OSError, ValueError) as exc:
        raise ValueError(f'"{name}" is not a time zone name (such as Europe/Berlin or UTC).') from exc
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace") if data.startswith(b"TZif") else ""
    return parse_posix(name, footer)
