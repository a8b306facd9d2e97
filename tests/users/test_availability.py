"""apps/users/availability.py: what applies at an instant. Away periods are wall-clock times in a zone: a weekly
period keeps its local hours across Europe/Berlin's DST changes (last Sundays of March and October), an
occurrence that spans a change lasts an hour less or more, a period may cross midnight, overlaps are refused with
a sentence, the switches' `until` reads as off once passed, and every write is in the audit log."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.users import availability
from apps.users.availability import PeriodData
from apps.users.models import AwayPeriod

BERLIN = "Europe/Berlin"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def berliner(make_user):
    return make_user("300", pin="1234", time_zone=BERLIN)


def away(user, start, end, **kw) -> AwayPeriod:
    return availability.save_period(user, PeriodData(start=start, end=end, **kw), now=utc(2026, 1, 1))


def test_a_one_off_period_across_the_spring_change_lasts_an_hour_less(berliner):
    # Sat 28 March 2026 20:00 to Sun 29 March 10:00 local: 20:00 CET = 19:00 UTC, 10:00 CEST = 08:00 UTC.
    period = away(berliner, datetime(2026, 3, 28, 20), datetime(2026, 3, 29, 10))
    (occ,) = availability.occurrences(period, utc(2026, 3, 1), utc(2026, 4, 1))
    assert (occ.start, occ.end) == (utc(2026, 3, 28, 19), utc(2026, 3, 29, 8))
    assert occ.end - occ.start == timedelta(hours=13)
    assert availability.availability_at(berliner, utc(2026, 3, 29, 7, 59)).reason == availability.AWAY
    assert availability.availability_at(berliner, utc(2026, 3, 29, 8)).reason == ""


def test_a_weekly_period_keeps_its_local_hours_across_both_changes(berliner):
    # Fridays 14:00-18:00 Berlin: 13:00 UTC in winter, 12:00 UTC in summer.
    period = away(berliner, datetime(2026, 3, 20, 14), datetime(2026, 3, 20, 18), weekly=True)
    starts = [o.start for o in availability.occurrences(period, utc(2026, 3, 19), utc(2026, 4, 4))]
    assert starts == [utc(2026, 3, 20, 13), utc(2026, 3, 27, 13), utc(2026, 4, 3, 12)]
    october = [o.start for o in availability.occurrences(period, utc(2026, 10, 20), utc(2026, 11, 7))]
    assert october == [utc(2026, 10, 23, 12), utc(2026, 10, 30, 13), utc(2026, 11, 6, 13)]
    assert availability.availability_at(berliner, utc(2026, 4, 3, 12, 30)).reason == availability.AWAY
    assert availability.availability_at(berliner, utc(2026, 4, 3, 16, 0)).reason == ""  # 18:00 local


def test_a_weekly_night_crosses_midnight_and_the_autumn_change(berliner):
    # Saturdays 22:00 to Sunday 06:00; on 24/25 October 2026 the clocks go back: that night lasts nine hours.
    period = away(berliner, datetime(2026, 10, 17, 22), datetime(2026, 10, 18, 6), weekly=True, forward_to="+4930123")
    night = availability.occurrence_at(period, utc(2026, 10, 25, 3))
    assert night is not None and night.end - night.start == timedelta(hours=9)
    assert (night.start, night.end) == (utc(2026, 10, 24, 20), utc(2026, 10, 25, 5))
    state = availability.availability_at(berliner, utc(2026, 10, 25, 4, 59))
    assert (state.reason, state.forward_to, state.voicemail_only) == (availability.AWAY, "+4930123", False)
    assert availability.availability_at(berliner, utc(2026, 10, 25, 5)).reason == ""
    # Sunday 00:30 local belongs to Saturday's occurrence; Sunday 22:00 to none.
    assert availability.availability_at(berliner, utc(2026, 10, 31, 23, 30)).reason == availability.AWAY
    assert availability.availability_at(berliner, utc(2026, 11, 1, 21)).reason == ""


def test_repeat_until_is_the_last_day_an_occurrence_starts(berliner):
    period = away(
        berliner, datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18), weekly=True, repeat_until=date(2026, 12, 11)
    )
    assert len(list(availability.occurrences(period, utc(2026, 12, 1), utc(2027, 2, 1)))) == 2
    assert availability.last_end(period) == utc(2026, 12, 11, 17)


@pytest.mark.parametrize(
    ("start", "end", "weekly", "met"),
    [
        (datetime(2026, 12, 11, 17), datetime(2026, 12, 11, 19), False, "Fri 11 Dec 2026 at 17:00"),
        (datetime(2027, 3, 26, 10), datetime(2027, 3, 26, 14, 30), False, "Fri 26 Mar 2027 at 14:00"),
        (datetime(2026, 12, 9, 12), datetime(2026, 12, 12, 12), True, "Fri 11 Dec 2026 at 14:00"),
    ],
)
def test_an_overlap_is_refused_with_a_sentence_and_nothing_stored(berliner, start, end, weekly, met):
    away(berliner, datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18), weekly=True)
    with pytest.raises(ValidationError) as refused:
        away(berliner, start, end, weekly=weekly)
    (message,) = refused.value.messages
    assert message.startswith("This period overlaps the away period Fri 4 Dec 2026 14:00 to 18:00, weekly")
    assert met in message
    assert berliner.away_periods.count() == 1


def test_weekly_periods_that_meet_only_in_the_spring_gap_overlap(berliner):
    # Sundays 01:00-02:30 and 03:00-04:00: on 29 March 2026 the skipped 02:30 reads as 03:30 CEST (sipxweb/periods.py)
    away(berliner, datetime(2026, 1, 4, 1), datetime(2026, 1, 4, 2, 30), weekly=True)
    with pytest.raises(ValidationError) as refused:
        away(berliner, datetime(2026, 1, 4, 3), datetime(2026, 1, 4, 4), weekly=True)
    assert "both would apply on Sun 29 Mar 2026 at 03:00" in refused.value.messages[0]


def test_a_time_of_the_repeated_autumn_hour_is_checked_as_it_is_stored(berliner):
    # 01:30 UTC is the second 02:30 of 25 October 2026 (CET); the period keeps the wall time 02:30, which reads as the
    # first (CEST, 00:30 UTC): so it ends after it starts, at 02:45 CEST.
    period = away(berliner, utc(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 2, 45))
    (occ,) = availability.occurrences(period, utc(2026, 10, 1), utc(2026, 11, 1))
    assert (occ.start, occ.end) == (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 0, 45))


def test_periods_that_touch_do_not_overlap(berliner):
    away(berliner, datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18), weekly=True)
    away(berliner, datetime(2026, 12, 4, 18), datetime(2026, 12, 4, 20))
    assert berliner.away_periods.count() == 2


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (PeriodData(datetime(2026, 5, 2), datetime(2026, 5, 1)), "The end must come after the start."),
        (PeriodData(datetime(2026, 5, 1), datetime(2026, 5, 8), weekly=True), "A weekly period lasts less than a week"),
        (PeriodData(datetime(2026, 5, 1), datetime(2026, 5, 2), forward_to="my cell"), "is not a phone number"),
        (PeriodData(datetime(2026, 5, 1), datetime(2026, 5, 2), greeting="standard"), "is not an away greeting"),
        (PeriodData(datetime(2026, 5, 1), datetime(2026, 5, 2), time_zone="Mars/Olympus"), "is not a time zone"),
        (PeriodData(datetime(2025, 5, 1), datetime(2025, 5, 2)), "This period is over already"),
        (PeriodData(datetime(2026, 5, 1), datetime(2026, 5, 2), repeat_until=date(2026, 6, 1)), "Only a weekly"),
    ],
)
def test_bad_periods_are_refused(berliner, data, sentence):
    with pytest.raises(ValidationError) as refused:
        availability.save_period(berliner, data, now=utc(2026, 1, 1))
    assert sentence in " ".join(refused.value.messages)
    assert not AwayPeriod.objects.exists()


def test_the_switches_win_over_an_away_period_and_read_as_off_once_until_passed(berliner):
    away(berliner, datetime(2026, 12, 24), datetime(2027, 1, 2), greeting="extendedabsence")
    now = utc(2026, 12, 25, 9)
    availability.set_availability(berliner, True, None, utc(2026, 12, 25, 12), now=now)
    state = availability.availability_at(berliner, now)
    assert (state.reason, state.voicemail_only, state.greeting) == (availability.DND, True, "extendedabsence")
    later = availability.availability_at(berliner, utc(2026, 12, 25, 12))
    assert (later.reason, later.dnd, later.until, later.voicemail_only) == (availability.AWAY, False, None, True)
    availability.set_availability(berliner, False, " 0301234 ", None, now=now)
    assert availability.availability_at(berliner, now).forward_to == "0301234"


@pytest.mark.parametrize(
    ("forward", "until", "sentence"),
    [
        ("my cell", None, "is not a phone number"),
        ("+49 30 1234", None, "write the number without spaces"),
        (None, utc(2026, 12, 1), "The end time is in the past"),
        (None, datetime(2027, 1, 1), "needs a time zone"),
    ],
)
def test_bad_switches_are_refused_and_nothing_changes(berliner, forward, until, sentence):
    with pytest.raises(ValidationError) as refused:
        availability.set_availability(berliner, True, forward, until, now=utc(2026, 12, 2))
    assert sentence in " ".join(refused.value.messages)
    berliner.refresh_from_db()
    assert (berliner.dnd, berliner.forward_all) == (False, None)


def test_every_write_is_audited(berliner):
    period = away(berliner, datetime(2026, 12, 24), datetime(2027, 1, 2))
    availability.save_period(
        berliner, PeriodData(datetime(2026, 12, 23), datetime(2027, 1, 2)), period, now=utc(2026, 1, 1)
    )
    availability.delete_period(period)
    availability.set_availability(berliner, True, None, None)
    availability.set_time_zone(berliner, "America/New_York")
    entries = list(AuditEntry.objects.order_by("id").values_list("kind", "action"))
    assert entries[-5:] == [
        ("away period", "create"),
        ("away period", "update"),
        ("away period", "delete"),
        ("user", "update"),
        ("user", "update"),
    ]


def test_a_time_zone_must_be_known(berliner):
    with pytest.raises(ValidationError):
        availability.set_time_zone(berliner, "Europe/Atlantis")
    berliner.refresh_from_db()
    assert berliner.time_zone == BERLIN
