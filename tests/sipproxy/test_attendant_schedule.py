"""The routing answer for the dial plan's attendant number (100) follows the special-mode schedule at the call's
instant: the operator attendant outside a period, the special attendant inside one (nights across midnight, a
holiday, the hour after a DST change), the manual switch on over everything. route_for(now=...) and GET
/sipproxy/route as Kamailio asks it (the present instant, with a period around it)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from apps.attendants import services as attendants
from apps.attendants.models import AutoAttendant, SpecialModePeriod
from apps.sipproxy import routing
from apps.sipproxy.dialplan_services import save_dial_plan

MEDIA = "sip:{number}@media.example.org;app={app};service={service};target={target}"


@pytest.fixture
def plan(db, settings):
    settings.SIPX_MEDIA_URI = MEDIA
    settings.TIME_ZONE = "Europe/Berlin"
    return save_dial_plan(attendant=["100", "operator", "0"], voicemail=["101"])


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def target(now: datetime) -> tuple[str, bool]:
    route = routing.route_for("100", now=now)
    return route.target, route.special


def nights():
    attendants.save_period(SpecialModePeriod(name="night", weekdays="01234", start_time=time(18), end_time=time(8)))


def test_nights_send_100_to_the_special_attendant_and_days_to_the_operator(plan):
    nights()
    # Wednesday 2026-12-02 in Berlin (UTC+1)
    assert target(utc(2026, 12, 2, 9, 0)) == ("operator", False)  # 10:00
    assert target(utc(2026, 12, 2, 16, 59)) == ("operator", False)  # 17:59
    assert target(utc(2026, 12, 2, 17, 0)) == ("afterhour", True)  # 18:00: nothing selected, After hours
    assert target(utc(2026, 12, 2, 23, 30)) == ("afterhour", True)  # Thu 00:30, the night across midnight
    assert target(utc(2026, 12, 3, 6, 59)) == ("afterhour", True)  # Thu 07:59
    assert target(utc(2026, 12, 3, 7, 0)) == ("operator", False)  # Thu 08:00
    assert target(utc(2026, 12, 5, 20, 0)) == ("operator", False)  # Sat 21:00: no night on weekends
    sales = attendants.save_attendant(AutoAttendant(name="Night menu"))
    attendants.select_special(sales)
    route = routing.route_for("0", now=utc(2026, 12, 2, 22, 0))
    assert (route.target, route.target_name) == (f"xcf{sales.pk}", "Night menu")
    assert route.media == f"sip:0@media.example.org;app=sipproxy;service=attendant;target=xcf{sales.pk}"


def test_a_holiday_and_the_hour_after_the_spring_change(plan):
    attendants.save_period(
        SpecialModePeriod(
            name="holidays",
            start_date=datetime(2026, 12, 24).date(),
            start_time=time(0),
            end_date=datetime(2027, 1, 3).date(),
            end_time=time(0),
        )
    )
    assert target(utc(2026, 12, 23, 22, 59)) == ("operator", False)  # 23:59 on the 23rd
    assert target(utc(2026, 12, 23, 23, 0)) == ("afterhour", True)  # 00:00 on the 24th
    assert target(utc(2027, 1, 1, 12, 0)) == ("afterhour", True)
    assert target(utc(2027, 1, 2, 23, 0)) == ("operator", False)  # 00:00 on the 3rd
    attendants.save_period(SpecialModePeriod(name="weekend night", weekdays="5", start_time=time(18), end_time=time(8)))
    # Saturday 2026-03-28 18:00 CET to Sunday 08:00 CEST: 06:00 UTC, not 07:00
    assert target(utc(2026, 3, 29, 5, 59)) == ("afterhour", True)
    assert target(utc(2026, 3, 29, 6, 0)) == ("operator", False)


def test_the_manual_switch_on_wins_and_off_leaves_the_schedule_deciding(plan):
    nights()
    attendants.special_mode_on()
    assert target(utc(2026, 12, 2, 9, 0)) == ("afterhour", True)  # a working day, switched on
    attendants.special_mode_off()
    assert target(utc(2026, 12, 2, 9, 0)) == ("operator", False)
    assert target(utc(2026, 12, 2, 22, 0)) == ("afterhour", True)  # off does not end the night


def test_the_route_kamailio_asks_for_uses_the_present_instant(client, plan):
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    period = attendants.save_period(
        SpecialModePeriod(name="now", weekdays=str(start.weekday()), start_time=start.time(), end_time=end.time())
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {django_settings.SIPPROXY_TOKEN}"}
    answer = client.get("/sipproxy/route", {"to": "100"}, **bearer).json()
    assert (answer["service"], answer["target"]) == ("attendant", "afterhour")
    attendants.delete_period(period)
    answer = client.get("/sipproxy/route", {"to": "100"}, **bearer).json()
    assert answer["target"] == "operator"
