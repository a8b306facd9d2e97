"""The special-mode schedule's rule (apps/attendants/schedule.py, services.save_period): weekly periods across
midnight and the week's end, one-off periods, daylight saving time in Europe/Berlin inside a period, overlaps refused
with a sentence, how the manual switch and the schedule combine, when the state next changes, the audit log, and the
schedule in the PBX data file (its checker, refusals by path, a round trip)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from apps.attendants import services
from apps.attendants.models import AutoAttendant, SpecialModePeriod
from apps.attendants.schedule import describe, special_mode_at
from apps.audit.models import AuditEntry
from apps.pbxdata.schema import json_schema
from apps.pbxdata.sections import attendants as section
from sipxweb import periods as timeperiods
from sipxweb.periods import instant
from tests.attendants.helpers import coming, spring_change
from tests.pbxdata.helpers import doc, export, export_text, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekly(name: str, days: str, start: str, end: str) -> SpecialModePeriod:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return services.save_period(
        SpecialModePeriod(name=name, weekdays=days, start_time=time(h1, m1), end_time=time(h2, m2))
    )


def once(name: str, start: datetime, end: datetime) -> SpecialModePeriod:
    return services.save_period(
        SpecialModePeriod(
            name=name, start_date=start.date(), start_time=start.time(), end_date=end.date(), end_time=end.time()
        )
    )


def on_at(when: datetime) -> tuple[bool, str | None]:
    state = special_mode_at(when)
    return state.on, (state.period.name if state.period else state.reason or None)


# ---- recurrence ------------------------------------------------------------------------------------------------


def test_nights_cross_midnight_into_the_next_day():
    weekly("night", "01234", "18:00", "08:00")  # Mon-Fri 18:00 until 08:00 the next morning
    # 2026-12-04 is a Friday; Berlin is UTC+1 in winter
    assert on_at(utc(2026, 12, 4, 16, 59)) == (False, None)  # Fri 17:59
    assert on_at(utc(2026, 12, 4, 17, 0)) == (True, "night")  # Fri 18:00
    assert on_at(utc(2026, 12, 4, 23, 30)) == (True, "night")  # Sat 00:30: Friday's night, after midnight
    assert on_at(utc(2026, 12, 5, 6, 59)) == (True, "night")  # Sat 07:59
    assert on_at(utc(2026, 12, 5, 7, 0)) == (False, None)  # Sat 08:00: the end is not included
    assert on_at(utc(2026, 12, 5, 18, 0)) == (False, None)  # Sat 19:00: no night starts on Saturday
    assert on_at(utc(2026, 12, 6, 23, 30)) == (False, None)  # Mon 00:30: Sunday had no night
    assert on_at(utc(2026, 12, 7, 6, 0)) == (False, None)  # Mon 07:00


def test_a_sunday_night_runs_into_monday_across_the_week_boundary():
    weekly("sunday night", "6", "22:00", "06:00")
    assert on_at(utc(2026, 12, 6, 21, 0)) == (True, "sunday night")  # Sun 22:00
    assert on_at(utc(2026, 12, 7, 4, 59)) == (True, "sunday night")  # Mon 05:59
    assert on_at(utc(2026, 12, 7, 5, 0)) == (False, None)


def test_an_end_equal_to_the_start_is_a_whole_day():
    weekly("weekend", "56", "00:00", "00:00")
    assert on_at(utc(2026, 12, 4, 23, 0)) == (True, "weekend")  # Sat 00:00
    assert on_at(utc(2026, 12, 6, 22, 59)) == (True, "weekend")  # Sun 23:59
    assert on_at(utc(2026, 12, 6, 23, 0)) == (False, None)  # Mon 00:00


# ---- daylight saving time ------------------------------------------------------------------------------------


def test_a_night_that_spans_the_spring_change_ends_at_eight_local_time():
    # 2026-03-29, a Sunday: at 02:00 CET (01:00 UTC) the clocks go to 03:00 CEST. Saturday's 18:00-08:00 night
    # lasts 13 hours: from 17:00 UTC to 06:00 UTC.
    weekly("night", "5", "18:00", "08:00")
    assert on_at(utc(2026, 3, 28, 16, 59)) == (False, None)
    assert on_at(utc(2026, 3, 28, 17, 0)) == (True, "night")
    assert on_at(utc(2026, 3, 29, 5, 59)) == (True, "night")  # 07:59 CEST
    assert on_at(utc(2026, 3, 29, 6, 0)) == (False, None)  # 08:00 CEST (a fixed +1 would say 07:00: still on)
    assert on_at(utc(2026, 3, 29, 6, 30)) == (False, None)


def test_a_one_off_period_over_the_autumn_change_ends_at_local_midnight():
    # 2026-10-25: at 03:00 CEST (01:00 UTC) the clocks go back to 02:00 CET.
    once("long weekend", datetime(2026, 10, 24, 0, 0), datetime(2026, 10, 26, 0, 0))
    assert on_at(utc(2026, 10, 23, 21, 59)) == (False, None)  # Fri 23:59 CEST
    assert on_at(utc(2026, 10, 23, 22, 0)) == (True, "long weekend")  # Sat 00:00 CEST
    assert on_at(utc(2026, 10, 25, 22, 30)) == (True, "long weekend")  # Sun 23:30 CET (with +2: Mon 00:30)
    assert on_at(utc(2026, 10, 25, 23, 0)) == (False, None)  # Mon 00:00 CET
    state = special_mode_at(utc(2026, 10, 24, 12, 0), with_next=True)
    assert state.next_change == utc(2026, 10, 25, 23, 0)  # 49 hours after the start


def test_the_next_change_follows_the_clock_change():
    weekly("night", "5", "18:00", "08:00")
    state = special_mode_at(utc(2026, 3, 28, 20, 0), with_next=True)
    assert (state.on, state.next_change) == (True, utc(2026, 3, 29, 6, 0))
    state = special_mode_at(utc(2026, 3, 29, 12, 0), with_next=True)
    assert (state.on, state.next_change, state.next_period.name) == (False, utc(2026, 4, 4, 16, 0), "night")


# The spring gap (sipxweb/periods.py): a local time the clocks skip reads with the offset before the change, so
# 02:30 on 29 March 2026 is the instant the clocks show 03:30 CEST, after 03:00. The schedule compares instants.


def test_a_one_off_period_ending_in_the_gap_runs_on_with_a_weekly_one_that_starts_at_three():
    once("maintenance", datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 2, 30))  # to 01:30 UTC
    weekly("early sunday", "6", "03:00", "04:00")  # from 01:00 UTC that day
    assert on_at(utc(2026, 3, 29, 1, 15)) == (True, "maintenance")  # both apply: the one-off one is named
    state = special_mode_at(utc(2026, 3, 29, 0, 30), with_next=True)
    assert state.next_change == utc(2026, 3, 29, 2, 0)  # not 01:30: the weekly one runs on to 04:00 CEST
    assert on_at(utc(2026, 3, 29, 1, 45)) == (True, "early sunday")


def test_weekly_periods_that_meet_only_in_the_gap_overlap():
    weekly("small hours", "6", "01:00", "02:30")
    with pytest.raises(services.PeriodError, match="two weekly periods may not overlap") as refused:
        weekly("early sunday", "6", "03:00", "04:00")
    # the refusal names the day the clocks go forward: both apply from 03:00 to 03:30 summer time then
    assert f"both would apply on Sun {spring_change():%Y-%m-%d} at 03:00" in refused.value.messages[0]
    weekly("later sunday", "6", "03:30", "04:00")  # starts after 02:30 has come, whatever day it is


def test_a_one_off_period_from_the_gap_to_before_it_ends_before_it_starts():
    with pytest.raises(services.PeriodError, match="must end after it starts"):
        once("odd", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 3, 15))  # 01:30 UTC to 01:15 UTC


def test_an_instant_in_the_repeated_autumn_hour_is_compared_as_an_instant():
    once("short", datetime(2026, 10, 25, 2, 0), datetime(2026, 10, 25, 2, 45))  # 02:45 CEST, 00:45 UTC
    berlin = ZoneInfo("Europe/Berlin")
    assert on_at(datetime(2026, 10, 25, 2, 30, tzinfo=berlin)) == (True, "short")  # 02:30 CEST
    assert on_at(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)) == (False, None)  # 02:30 CET, an hour later


# ---- one-off periods, holidays over nights, the manual switch ---------------------------------------------------


def test_holidays_over_nights_and_the_manual_switch():
    afterhour = AutoAttendant.objects.get(system_id="afterhour")
    weekly("night", "01234", "18:00", "08:00")
    once("holidays", datetime(2026, 12, 24, 0, 0), datetime(2027, 1, 3, 0, 0))  # 24.12-02.01, whole days
    assert on_at(utc(2026, 12, 23, 10, 0)) == (False, None)  # Wed 11:00
    assert on_at(utc(2026, 12, 23, 22, 0)) == (True, "night")  # Wed 23:00
    assert on_at(utc(2026, 12, 24, 10, 0)) == (True, "holidays")  # Thu 11:00; at 00:00 both: the holiday is named
    assert on_at(utc(2027, 1, 2, 22, 59)) == (True, "holidays")
    assert on_at(utc(2027, 1, 4, 10, 0)) == (False, None)
    state = special_mode_at(utc(2026, 12, 24, 10, 0), with_next=True)
    assert state.attendant == afterhour  # nothing selected: After hours, as the switch selects it (D11)
    # the holidays end at 2027-01-03 00:00, a Sunday (no night): special mode goes off then
    assert state.next_change == utc(2027, 1, 2, 23, 0)

    services.special_mode_on()
    state = special_mode_at(utc(2026, 12, 23, 10, 0), with_next=True)
    assert (state.on, state.reason, state.period, state.next_change) == (True, "manual", None, None)
    services.special_mode_off()  # off: the schedule decides again (it does not end a period early)
    assert on_at(utc(2026, 12, 23, 22, 0)) == (True, "night")
    sales = services.save_attendant(AutoAttendant(name="Sales"))
    services.select_special(sales)
    assert special_mode_at(utc(2026, 12, 23, 22, 0)).attendant == sales


def test_no_period_and_the_switch_off_is_off_with_no_change_ahead():
    state = special_mode_at(with_next=True)
    assert (state.on, state.reason, state.attendant, state.next_change) == (False, "", None, None)


# ---- refusals ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second, meeting",
    [
        # Friday's night runs into Saturday 07:00
        (("01234", "18:00", "08:00"), ("5", "07:00", "09:00"), ([5], "07:00", 1)),
        # Sunday's night runs into Monday: the week wraps
        (("6", "22:00", "06:00"), ("0", "05:00", "07:00"), ([0], "05:00", 1)),
        # a whole day
        (("2", "00:00", "00:00"), ("2", "12:00", "13:00"), ([2], "12:00", 1)),
        # every weekday evening: the first that comes is named
        (("01234", "18:00", "08:00"), ("01234", "20:00", "21:00"), ([0, 1, 2, 3, 4], "20:00", 1)),
    ],
)
def test_overlapping_weekly_periods_are_refused_with_a_sentence_naming_where_they_meet(first, second, meeting):
    weekly("night", *first)
    before = AuditEntry.objects.count()
    with pytest.raises(services.PeriodError) as refused:
        weekly("other", *second)
    days, at, hours = meeting
    assert refused.value.messages[0].startswith(
        f'This period overlaps "night" ({describe(SpecialModePeriod.objects.get())}): both would apply on '
        f"{coming(days, at, timedelta(hours=hours))} at {at}, and two weekly periods may not overlap."
    )
    assert SpecialModePeriod.objects.count() == 1 and AuditEntry.objects.count() == before


def test_the_weekly_overlap_refusal_in_german_names_the_day_in_german():
    weekly("night", "01234", "18:00", "08:00")
    with translation.override("de"), pytest.raises(services.PeriodError) as refused:
        weekly("early", "5", "06:00", "09:00")
    saturday = coming([5], "06:00", timedelta(hours=2)).replace("Sat", "Sa")
    assert refused.value.messages[0] == (
        "Dieser Zeitraum überschneidet sich mit „night“ (Mo–Fr 18:00–08:00 (am Folgetag)): Beide würden am "
        f"{saturday} um 06:00 gelten, und zwei wöchentliche Zeiträume dürfen sich nicht überschneiden. Ändern Sie "
        "einen davon oder fassen Sie beide zu einem Zeitraum zusammen."
    )


def test_overlapping_one_off_periods_are_refused_touching_ones_are_not():
    once("holidays", datetime(2026, 12, 24, 0, 0), datetime(2027, 1, 3, 0, 0))
    with pytest.raises(services.PeriodError, match="two one-off periods may not overlap"):
        once("new year", datetime(2027, 1, 2, 12, 0), datetime(2027, 1, 4, 0, 0))
    once("after", datetime(2027, 1, 3, 0, 0), datetime(2027, 1, 4, 0, 0))  # starts where the holidays end
    weekly("night", "0123456", "18:00", "08:00")  # weekly over one-off periods: allowed
    weekly("noon", "0", "08:00", "18:00")  # touching the night at both ends
    assert SpecialModePeriod.objects.count() == 4


def test_an_edited_period_is_not_compared_with_itself():
    night = weekly("night", "01234", "18:00", "08:00")
    night.end_time = time(9, 0)
    services.save_period(night)
    assert describe(SpecialModePeriod.objects.get()) == "Mon–Fri 18:00–09:00 (next day)"


@pytest.mark.parametrize(
    "fields, field, sentence",
    [
        ({"name": "  "}, "name", "A period needs a name"),
        ({"weekdays": "7"}, "weekdays", "Monday to Sunday"),
        ({"start_date": date(2026, 12, 24)}, "start", "without a date"),
        ({"weekdays": "", "start_date": None}, "start", "needs the day it starts"),
        (
            {"weekdays": "", "start_date": date(2026, 12, 24), "end_date": date(2026, 12, 24)},
            "end",
            "must end after it starts",
        ),
    ],
)
def test_refused_values_name_their_field(fields, field, sentence):
    values = {"name": "night", "weekdays": "0", "start_time": time(18, 0), "end_time": time(8, 0), **fields}
    with pytest.raises(services.PeriodError) as refused:
        services.save_period(SpecialModePeriod(**values))
    assert refused.value.field == field and sentence in refused.value.messages[0]
    assert not SpecialModePeriod.objects.exists()


def test_every_change_is_audited():
    night = weekly("night", "01234", "18:00", "08:00")
    key = str(night.pk)
    night.weekdays = "0123"
    services.save_period(night)
    services.delete_period(night)
    entries = list(AuditEntry.objects.filter(kind="special-mode-period").order_by("id"))
    assert [(e.action, e.key) for e in entries] == [("create", key), ("update", key), ("delete", key)]
    assert entries[0].changes["start"] == [None, "18:00"]
    assert entries[1].changes == {"weekdays": [["mon", "tue", "wed", "thu", "fri"], ["mon", "tue", "wed", "thu"]]}


# ---- the PBX data file -------------------------------------------------------------------------------------------

SCHEDULE = [
    {"name": "night", "weekdays": ["mon", "tue", "wed", "thu", "fri"], "start": "18:00", "end": "08:00"},
    {"name": "holidays", "start": "2026-12-24T00:00", "end": "2027-01-03T00:00"},
]


def test_the_schedule_travels_in_the_data_file(tmp_path):
    run_import(tmp_path, doc(specialMode={"schedule": SCHEDULE}))
    assert [describe(p) for p in SpecialModePeriod.objects.order_by("id")] == [
        "Mon–Fri 18:00–08:00 (next day)",
        "2026-12-24 00:00 – 2027-01-03 00:00",
    ]
    exported = export()
    assert exported["specialMode"] == {"enabled": False, "attendant": None, "schedule": SCHEDULE}
    first = export_text()
    before = AuditEntry.objects.filter(kind="special-mode-period").count()
    run_import(tmp_path, exported)  # the same schedule again: nothing changes, nothing is recorded
    assert AuditEntry.objects.filter(kind="special-mode-period").count() == before
    run_import(tmp_path, exported, "--replace")
    assert export_text() == first
    # a merge import whose specialMode has no schedule keeps the stored one; --replace without it clears it
    run_import(tmp_path, doc(specialMode={"enabled": True}))
    assert SpecialModePeriod.objects.count() == 2
    run_import(tmp_path, doc(), "--replace")
    assert not SpecialModePeriod.objects.exists() and "specialMode" not in export()


@pytest.mark.parametrize(
    "schedule, where",
    [
        ([{**SCHEDULE[0], "start": "25:00"}], "specialMode.schedule[0].start"),
        ([{**SCHEDULE[0], "start": "2026-12-24T18:00"}], "specialMode.schedule[0].start"),
        ([{**SCHEDULE[1], "end": "18:00"}], "specialMode.schedule[0].end"),
        ([{**SCHEDULE[0], "weekdays": ["mon", "mon"]}], "specialMode.schedule[0].weekdays[1]"),
        ([{**SCHEDULE[0], "weekdays": ["monday"]}], "specialMode.schedule[0].weekdays[0]"),
        ([{**SCHEDULE[1], "end": "2026-12-23T00:00"}], "specialMode.schedule[0].end"),
        ([SCHEDULE[0], {**SCHEDULE[0], "name": "late", "start": "20:00"}], "specialMode.schedule[1]: This period"),
        ([{**SCHEDULE[0], "colour": "red"}], "specialMode.schedule[0].colour"),
    ],
)
def test_a_refused_period_in_the_file_is_named_by_its_path_and_nothing_is_imported(tmp_path, schedule, where):
    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, doc(specialMode={"enabled": True, "schedule": schedule}))
    assert where in str(refused.value)
    assert not SpecialModePeriod.objects.exists() and not services.SpecialMode.current().enabled


def test_an_overlap_in_the_file_names_where_the_periods_meet(tmp_path):
    late = {**SCHEDULE[0], "name": "late", "start": "20:00", "end": "21:00"}
    with pytest.raises(CommandError) as refused:
        run_import(tmp_path, doc(specialMode={"schedule": [SCHEDULE[0], late]}))
    evening = coming([0, 1, 2, 3, 4], "20:00", timedelta(hours=1))
    assert (
        'specialMode.schedule[1]: This period overlaps "night" (Mon–Fri 18:00–08:00 (next day)): both would apply '
        f"on {evening} at 20:00, and two weekly periods may not overlap." in str(refused.value)
    )
    assert not SpecialModePeriod.objects.exists()


def test_fifty_weekly_periods_in_the_file_are_checked_pairwise_with_little_work(monkeypatch):
    # Seven touching periods a day (Sunday's 02:00-03:00 is the hour the clocks skip or repeat), eight on Sunday
    hours = [(0, 2), (2, 3), (3, 6), (6, 9), (9, 12), (12, 18), (18, 0)]
    slots = [(day, start, end) for day in range(7) for start, end in hours if (day, start) != (6, 18)]
    slots += [(6, 18, 21), (6, 21, 0)]
    periods = [
        SpecialModePeriod(name=f"p{n}", weekdays=str(day), start_time=time(start), end_time=time(end))
        for n, (day, start, end) in enumerate(slots)
    ]
    assert len(periods) == 50
    converted = []
    monkeypatch.setattr(timeperiods, "instant", lambda wall, tz: converted.append(wall) or instant(wall, tz))
    services.replace_schedule(periods)
    assert SpecialModePeriod.objects.count() == 50
    # Walking every week of the coming seven years converts over 1,400 wall times for each of the 1,225 pairs.
    assert len(converted) < 1225 * 20, len(converted)


def test_the_checker_describes_the_schedule():
    schema = json_schema(section.SPECIAL_FILE)
    period = schema["properties"]["schedule"]["items"]
    assert period["required"] == ["name", "start", "end"]
    assert period["properties"]["weekdays"]["items"]["enum"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert set(json_schema(section.SPECIAL)["properties"]) == {"enabled", "attendant"}  # /special-mode unchanged


def test_the_special_attendant_of_a_scheduled_period_now_cannot_be_deleted():
    sales = services.save_attendant(AutoAttendant(name="Sales"))
    services.select_special(sales)
    now = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    period = services.save_period(
        SpecialModePeriod(name="night", weekdays=str(start.weekday()), start_time=start.time(), end_time=end.time())
    )
    with pytest.raises(ValidationError, match='answers calls in special mode now \\(the scheduled period "night"\\)'):
        services.delete_attendant(sales)
    services.delete_period(period)
    services.delete_attendant(sales)  # outside any period it may go; the selection goes with it
    assert services.SpecialMode.current().attendant is None
