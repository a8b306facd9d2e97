"""sipxweb/periods.py, the engine of wall-clock periods the away periods and the special-mode schedule share: local
times the DST changes skip (the spring gap) or repeat (the autumn fold) in Europe/Berlin and America/New_York,
occurrences that keep their local hours across a change, weekly periods across midnight and the week's end, dated
and undated weekly periods, the period that holds an instant, the next change, and overlaps (also between zones,
and in the spring gap, where wall times and instants do not go the same way)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sipxweb import periods as periods_module
from sipxweb.periods import (
    OVERLAP_HORIZON,
    WEEK,
    Recurrence,
    active,
    first_meeting,
    first_start,
    instant,
    last_end,
    next_change,
    occurrence_at,
    occurrences,
    overlap,
    wall_clock,
)

BERLIN = ZoneInfo("Europe/Berlin")  # 2026: summer time from Sun 29 March 02:00 CET, to Sun 25 October 03:00 CEST
NEW_YORK = ZoneInfo("America/New_York")  # 2026: from Sun 8 March 02:00 EST, to Sun 1 November 02:00 EDT


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def once(start: datetime, end: datetime, tz: ZoneInfo = BERLIN) -> tuple[Recurrence]:
    return (Recurrence(start, end, tz),)


def weekly(start: datetime, end: datetime, tz: ZoneInfo = BERLIN, **kw) -> tuple[Recurrence]:
    return (Recurrence(start, end, tz, weekly=True, **kw),)


def hours(span) -> float:
    return (span[1] - span[0]) / timedelta(hours=1)


# ---- wall time to instant ----------------------------------------------------------------------------------------


def test_a_time_in_the_spring_gap_is_read_with_the_offset_before_the_change():
    assert instant(datetime(2026, 3, 29, 2, 30), BERLIN) == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert instant(datetime(2026, 3, 29, 3, 0), BERLIN) == utc(2026, 3, 29, 1, 0)  # so after 03:00 CEST
    assert instant(datetime(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    # an occurrence that ends in the gap lasts as long as its wall times say
    (night,) = occurrences(
        once(datetime(2026, 3, 29, 1), datetime(2026, 3, 29, 2, 30)), utc(2026, 1, 1), utc(2027, 1, 1)
    )
    assert night == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1, 30))


def test_a_time_of_the_repeated_autumn_hour_is_its_first_occurrence_whatever_its_fold():
    assert instant(datetime(2026, 10, 25, 2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    assert instant(datetime(2026, 10, 25, 2, 30, fold=1), BERLIN) == utc(2026, 10, 25, 0, 30)
    assert instant(datetime(2026, 11, 1, 1, 30, fold=1), NEW_YORK) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    # from the first 02:30 to 03:00 CET: an hour and a half
    assert (
        hours(
            *occurrences(
                once(datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 3)), utc(2026, 1, 1), utc(2027, 1, 1)
            )
        )
        == 1.5
    )


def test_wall_clock_of_an_aware_value_and_a_naive_one():
    assert wall_clock(utc(2026, 10, 25, 1, 30, 5, 999), BERLIN) == datetime(2026, 10, 25, 2, 30, 5)  # CET
    assert wall_clock(datetime(2026, 1, 2, 3, 4, 5, 6), NEW_YORK) == datetime(2026, 1, 2, 3, 4, 5)


# ---- occurrences -------------------------------------------------------------------------------------------------


def test_a_weekly_period_keeps_its_local_hours_and_lasts_an_hour_less_or_more_on_the_changes():
    # Saturday 22:00 to Sunday 04:00 in New York: across midnight, and across both changes (Sunday 02:00)
    night = weekly(datetime(2026, 2, 28, 22), datetime(2026, 3, 1, 4), NEW_YORK)
    march = list(occurrences(night, utc(2026, 3, 1, 12), utc(2026, 3, 15, 12)))
    assert march == [(utc(2026, 3, 8, 3), utc(2026, 3, 8, 8)), (utc(2026, 3, 15, 2), utc(2026, 3, 15, 8))]
    assert [hours(o) for o in march] == [5, 6]
    (november,) = occurrences(night, utc(2026, 11, 1), utc(2026, 11, 2))
    assert november == (utc(2026, 11, 1, 2), utc(2026, 11, 1, 9)) and hours(november) == 7


def test_an_occurrence_that_still_runs_at_the_window_start_is_found_and_the_window_is_half_open():
    night = weekly(datetime(2026, 3, 28, 18), datetime(2026, 3, 29, 8))  # Saturdays 18:00 to Sundays 08:00
    assert list(occurrences(night, utc(2026, 3, 29, 5, 59), utc(2026, 3, 29, 6))) == [
        (utc(2026, 3, 28, 17), utc(2026, 3, 29, 6))  # 13 hours: the spring change
    ]
    assert list(occurrences(night, utc(2026, 3, 29, 6), utc(2026, 4, 4, 16))) == []  # ended; the next starts at 16:00
    assert occurrence_at(night, utc(2026, 4, 4, 16)) == (utc(2026, 4, 4, 16), utc(2026, 4, 5, 6))
    assert occurrence_at(night, utc(2026, 4, 5, 6)) is None


def test_a_dated_weekly_period_starts_in_its_first_week_and_ends_on_its_last_day():
    friday = weekly(datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18), last_day=date(2026, 12, 18))
    assert [o[0] for o in occurrences(friday, utc(2026, 1, 1), utc(2028, 1, 1))] == [
        utc(2026, 12, 4, 13),
        utc(2026, 12, 11, 13),
        utc(2026, 12, 18, 13),
    ]
    assert (first_start(friday), last_end(friday)) == (utc(2026, 12, 4, 13), utc(2026, 12, 18, 17))
    assert last_end(weekly(datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18))) is None  # for ever


def test_an_undated_weekly_period_occurs_in_every_week_across_the_week_end():
    # Sunday 22:00 to Monday 06:00, written in a week of 2001: it also runs in 2026 (and had no first)
    sunday = weekly(datetime(2001, 1, 7, 22), datetime(2001, 1, 8, 6), dated=False)
    assert occurrence_at(sunday, utc(2026, 12, 7, 4, 59)) == (utc(2026, 12, 6, 21), utc(2026, 12, 7, 5))  # Mon 05:59
    assert occurrence_at(sunday, utc(2026, 12, 7, 5)) is None
    assert occurrence_at(sunday, utc(1999, 1, 4, 4)) is not None  # Monday 05:00, before the week it is written in
    assert (first_start(sunday), last_end(sunday)) == (None, None)


def test_the_occurrences_of_a_period_on_several_days_come_in_order():
    days = tuple(
        Recurrence(datetime(2001, 1, d, 18), datetime(2001, 1, d + 1, 8), BERLIN, weekly=True, dated=False)
        for d in (5, 1, 3)  # Friday, Monday, Wednesday
    )
    starts = [o[0] for o in occurrences(days, utc(2026, 12, 7), utc(2026, 12, 14))]
    assert starts == [utc(2026, 12, 7, 17), utc(2026, 12, 9, 17), utc(2026, 12, 11, 17)]


# ---- the period that applies, the next change ----------------------------------------------------------------


def test_active_is_the_first_period_in_the_callers_order_that_holds_the_instant():
    nights = weekly(datetime(2001, 1, 1, 18), datetime(2001, 1, 2, 8), dated=False)  # Monday nights
    holiday = once(datetime(2026, 12, 21), datetime(2026, 12, 27))
    when = utc(2026, 12, 21, 20)  # a Monday night in the holidays
    assert active([("holiday", holiday), ("nights", nights)], when)[0] == "holiday"
    assert active([("nights", nights), ("holiday", holiday)], when)[0] == "nights"
    assert active([("nights", nights)], utc(2026, 12, 24, 12)) is None


def test_the_next_change_skips_a_period_that_takes_over_and_looks_at_instants_in_the_gap():
    # Sundays 01:00-02:30 and 03:00-04:00: on 29 March 2026 the second starts (03:00 CEST, 01:00 UTC) before the first
    # ends (the gap's 02:30 reads as 03:30 CEST, 01:30 UTC): special mode stays on until 04:00 CEST.
    early = weekly(datetime(2001, 1, 7, 1), datetime(2001, 1, 7, 2, 30), dated=False)
    late = weekly(datetime(2001, 1, 7, 3), datetime(2001, 1, 7, 4), dated=False)
    both = [("early", early), ("late", late)]
    assert next_change(both, utc(2026, 3, 29, 0, 30), timedelta(days=8)) == (utc(2026, 3, 29, 2), None)
    # an ordinary Sunday: off at 02:30, on again at 03:00 with the late one
    assert next_change(both, utc(2026, 3, 22, 0, 30), timedelta(days=8)) == (utc(2026, 3, 22, 1, 30), None)
    assert next_change(both, utc(2026, 3, 22, 1, 30), timedelta(days=8)) == (utc(2026, 3, 22, 2), "late")


def test_the_next_change_finds_a_one_off_period_beyond_the_weekly_horizon():
    holiday = once(datetime(2027, 12, 24), datetime(2027, 12, 27))
    assert next_change([("holiday", holiday)], utc(2026, 1, 1), timedelta(days=8)) == (utc(2027, 12, 23, 23), "holiday")
    nights = weekly(datetime(2001, 1, 1, 18), datetime(2001, 1, 2, 8), dated=False)  # Monday nights
    assert next_change([("nights", nights)], utc(2026, 12, 8, 8), timedelta(days=5)) == (None, None)
    assert next_change([("nights", nights)], utc(2026, 12, 8, 8), timedelta(days=8)) == (
        utc(2026, 12, 14, 17),
        "nights",
    )


# ---- overlaps ------------------------------------------------------------------------------------------------------


def test_two_weekly_periods_that_meet_only_in_the_spring_gap_overlap():
    early = weekly(datetime(2026, 1, 4, 1), datetime(2026, 1, 4, 2, 30))  # Sundays from 4 January 2026
    late = weekly(datetime(2026, 1, 4, 3), datetime(2026, 1, 4, 4))
    assert overlap(early, late) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1, 30))
    assert overlap(late, early) == (utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))
    # until the last Sunday before the change they do not meet
    assert (
        overlap(weekly(datetime(2026, 1, 4, 1), datetime(2026, 1, 4, 2, 30), last_day=date(2026, 3, 22)), late) is None
    )
    # undated, from `now` on
    early, late = (weekly(r.start, r.end, dated=False) for (r,) in (early, late))
    assert overlap(early, late, now=utc(2026, 6, 1)) == (utc(2027, 3, 28, 0), utc(2027, 3, 28, 1, 30))


def test_periods_in_two_zones_overlap_in_the_weeks_their_dst_rules_differ():
    # Mondays 14:00-15:00 in Berlin and 09:00-10:00 in New York follow each other, except between the American and
    # the European spring change, when New York is five hours behind Berlin, not six.
    berlin = weekly(datetime(2026, 1, 5, 14), datetime(2026, 1, 5, 15))
    new_york = weekly(datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10), NEW_YORK)
    assert overlap(berlin, new_york) == (utc(2026, 3, 9, 13), utc(2026, 3, 9, 14))
    ended = weekly(datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10), NEW_YORK, last_day=date(2026, 3, 2))
    assert overlap(berlin, ended) is None


def test_one_off_overlaps_are_half_open_and_the_first_occurrence_that_meets_is_named():
    day = once(datetime(2026, 12, 11, 9), datetime(2026, 12, 11, 17))
    assert overlap(day, once(datetime(2026, 12, 11, 17), datetime(2026, 12, 11, 18))) is None  # one ends, one starts
    assert overlap(day, once(datetime(2026, 12, 11, 16, 59), datetime(2026, 12, 11, 18))) is not None
    fridays = weekly(datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18))
    assert overlap(fridays, day) == (utc(2026, 12, 11, 13), utc(2026, 12, 11, 17))
    assert overlap(once(datetime(2026, 12, 1), datetime(2026, 12, 2)), fridays) is None  # over before the first


def test_the_first_meeting_is_the_earliest_instant_both_apply():
    # in the spring gap: both apply from 03:00 CEST (01:00 UTC) until the gap's 02:30 (03:30 CEST, 01:30 UTC)
    early = weekly(datetime(2026, 1, 4, 1), datetime(2026, 1, 4, 2, 30))
    late = weekly(datetime(2026, 1, 4, 3), datetime(2026, 1, 4, 4))
    assert first_meeting(early, late) == first_meeting(late, early) == (utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30))
    # the first occurrence of one that meets the other is not where they meet
    day = weekly(datetime(2026, 12, 7, 8), datetime(2026, 12, 7, 20))  # Mondays 08:00-20:00
    noon = weekly(datetime(2026, 12, 7, 12), datetime(2026, 12, 7, 13))
    assert overlap(day, noon) == (utc(2026, 12, 7, 7), utc(2026, 12, 7, 19))
    assert first_meeting(day, noon) == (utc(2026, 12, 7, 11), utc(2026, 12, 7, 12))
    # two that run together now meet from when the later of them started; two that never meet have no meeting
    day, noon = (weekly(r.start, r.end, dated=False) for (r,) in (day, noon))
    assert first_meeting(day, noon, now=utc(2027, 1, 4, 11, 30)) == (utc(2027, 1, 4, 11), utc(2027, 1, 4, 12))
    assert first_meeting(day, weekly(datetime(2001, 1, 1, 20), datetime(2001, 1, 1, 21), dated=False)) is None


# ---- the shortcut: only the weeks near a change are walked --------------------------------------------------------

TOKYO = ZoneInfo("Asia/Tokyo")  # no DST
SUNDAY = datetime(2001, 1, 7)  # an undated schedule's week: Monday 1 January 2001 to Sunday 7 January


def sun(text: str, days: int = 0) -> datetime:
    """A Sunday's wall time ("02:30"), `days` later."""
    return SUNDAY + timedelta(days=days) + (datetime.strptime(text, "%H:%M") - datetime(1900, 1, 1))


# Pairs of weekly spans whose instants do not follow their wall-clock times: in the spring gap (02:00-03:00 in
# Berlin and New York), in the repeated autumn hour (02:00-03:00 in Berlin, 01:00-02:00 in New York), across
# midnight, across the week's end (Sunday to Monday), nearly a week long.
TRICKY = [
    ((sun("01:00"), sun("02:30")), (sun("03:00"), sun("04:00"))),
    ((sun("01:00"), sun("02:00")), (sun("02:00"), sun("03:00"))),
    ((sun("02:00"), sun("03:00")), (sun("03:00"), sun("05:00"))),
    ((sun("02:30"), sun("03:30")), (sun("01:00"), sun("02:15"))),
    ((sun("00:30"), sun("02:30")), (sun("02:30"), sun("04:00"))),
    ((sun("01:00"), sun("01:30")), (sun("01:30"), sun("02:00"))),
    ((sun("20:00", -1), sun("02:59")), (sun("03:00"), sun("05:00"))),
    ((sun("22:00", -1), sun("02:30")), (sun("03:00"), sun("06:00"))),
    ((sun("22:00"), sun("03:00", 1)), (sun("03:00", 1), sun("04:00", 1))),
    ((sun("23:00"), sun("00:30", 1)), (sun("20:00"), sun("23:00"))),
    ((sun("03:00"), sun("02:30", 7)), (sun("02:30"), sun("03:00"))),
    ((sun("02:00"), sun("01:59", 7)), (sun("01:59"), sun("02:00"))),
]


def agree(a, b, now, horizon=OVERLAP_HORIZON) -> tuple:
    """What overlap and first_meeting say both ways, after asserting that the shortcut says what walking every
    week says."""
    found = []
    for mine, theirs in ((a, b), (b, a)):
        for ask in (overlap, first_meeting):
            shortcut, walk = (ask(mine, theirs, now, horizon, every_week=full) for full in (False, True))
            assert shortcut == walk, (ask.__name__, mine, theirs, now)
            found.append(shortcut)
    return tuple(found)


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK, TOKYO], ids=str)
def test_the_shortcut_finds_what_walking_every_week_finds(tz):
    met = set()
    for index, ((a_start, a_end), (b_start, b_end)) in enumerate(TRICKY):
        a = weekly(a_start, a_end, tz, dated=False)
        b = weekly(b_start, b_end, tz, dated=False)
        for now in (utc(2026, 1, 1), utc(2026, 3, 29, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 5, 30)):
            if agree(a, b, now)[0] is not None:
                met.add(index)
    # on the wall clock the spans touch or lie apart: only the spring gap makes them meet (an end in it reads as
    # after the start at 03:00)
    assert met == {BERLIN: {0, 6, 7}, NEW_YORK: {0, 6, 7}, TOKYO: set()}[tz]


def test_the_shortcut_finds_what_walking_every_week_finds_with_dates_and_two_zones():
    days = tuple(  # Monday to Sunday 22:00-06:00, from 2026 on
        Recurrence(datetime(2026, 1, d, 22), datetime(2026, 1, d + 1, 6), BERLIN, weekly=True) for d in range(5, 12)
    )
    mornings = weekly(datetime(2026, 1, 4, 6), datetime(2026, 1, 4, 7), last_day=date(2027, 10, 31))
    assert agree(days, mornings, None) == (None, None, None, None)
    new_york = (  # Sundays from 01:00 New York time, an hour before the Berlin night ends, and ending in the gap
        *weekly(datetime(2026, 1, 4, 0), datetime(2026, 1, 4, 1), NEW_YORK),
        *weekly(datetime(2026, 2, 1, 1), datetime(2026, 2, 1, 2, 30), NEW_YORK, last_day=date(2028, 1, 1)),
    )
    for a, b in ((days, new_york), (mornings, new_york), (weekly(*TRICKY[0][0], dated=False), new_york)):
        agree(a, b, utc(2026, 6, 1))
    berlin = weekly(datetime(2026, 1, 5, 14), datetime(2026, 1, 5, 15))
    assert agree(berlin, weekly(datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10), NEW_YORK), None)[1] == (
        utc(2026, 3, 9, 13),
        utc(2026, 3, 9, 14),
    )


def test_fifty_weekly_periods_are_compared_pairwise_with_little_work(monkeypatch):
    # A schedule of fifty touching spans around the week, as a data file may bring: some across midnight, the
    # week's end and Sunday 02:00 and 03:00 (the changes in Berlin). They never meet.
    bounds = [timedelta(hours=h) for h in range(0, 168, 4)]  # 42
    bounds += [timedelta(days=6, hours=h) for h in (2, 3, 5, 6, 7, 9, 11, 13)]  # Sunday's small hours and more
    bounds = sorted(set(bounds))
    assert len(bounds) == 50
    monday = datetime(2001, 1, 1, 1, 30)  # the week from Monday 01:30: the last span crosses the week's end
    periods = [
        weekly(monday + start, monday + end, dated=False)
        for start, end in zip(bounds, [*bounds[1:], bounds[0] + WEEK], strict=True)
    ]
    converted = 0

    def counting(wall, tz):
        nonlocal converted
        converted += 1
        return instant(wall, tz)

    monkeypatch.setattr(periods_module, "instant", counting)
    most = 0
    for index, period in enumerate(periods):
        for other in periods[:index]:
            before = converted
            assert overlap(period, other, now=utc(2026, 12, 2)) is None
            most = max(most, converted - before)
    # Walking every week of the horizon converts 2 x 2 x 371 wall times or more for each of the 1,225 pairs. Spans
    # that lie apart on the wall clock need none; touching ones are walked near the 14 changes and in one week.
    assert converted < 1225 * 20, converted
    assert most < 400, most
