"""The phones' time zone from an IANA name: the offset and the summer-time rule of the zone's POSIX TZ string."""

import pytest

from apps.provisioning.timezones import Transition, parse_posix, phone_time_zone


def test_berlin():
    zone = phone_time_zone("Europe/Berlin")
    assert (zone.posix, zone.offset, zone.summer_offset, zone.hours, zone.gmt) == (
        "CET-1CEST,M3.5.0,M10.5.0/3",
        3600,
        7200,
        "+1",
        "GMT+01:00",
    )
    assert zone.start == Transition(3, 5, 0, 7200) and zone.end == Transition(10, 5, 0, 10800)
    assert (zone.start.last, zone.start.week_or_last, zone.start.weekday_monday_first) == (True, -1, 7)
    assert zone.dst and zone.dst_minutes == 60


def test_new_york_second_sunday():
    zone = phone_time_zone("America/New_York")
    assert (zone.offset, zone.hours, zone.gmt) == (-18000, "-5", "GMT-05:00")
    assert zone.start == Transition(3, 2, 0, 7200) and zone.start.first_date == 8


def test_without_summer_time_and_half_hours():
    kolkata = phone_time_zone("Asia/Kolkata")
    assert (kolkata.offset, kolkata.hours, kolkata.gmt, kolkata.dst) == (19800, "+5:30", "GMT+05:30", False)
    utc = phone_time_zone("UTC")
    assert (utc.offset, utc.hours, utc.dst) == (0, "0", False)


def test_quoted_names_and_minutes():
    zone = parse_posix("Pacific/Chatham", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45")
    assert (zone.offset, zone.summer_offset, zone.start.seconds) == (45900, 49500, 9900)


def test_a_julian_rule_is_left_out():
    assert not parse_posix("X", "XST3XDT,J60,J300").dst


@pytest.mark.parametrize("name", ["Nowhere/City", "../../etc/passwd", "", "Europe/"])
def test_not_a_zone(name):
    with pytest.raises(ValueError, match="not a time zone"):
        phone_time_zone(name)
