"""The user route obeys the callee's availability at the call's instant (apps/sipproxy/routing.py `route_for(dialled,
now)`): do not disturb and a voicemail-only away period go straight to voicemail (without voicemail: no groups,
Kamailio answers 480), forward-all and an away period's number ring that number instead of the phones and the ring
list; an away period that ends while calls are routed stops applying at its end. The lookup stays cheap: one more
query only for a user who has away periods. GET /sipproxy/route answers the same."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from apps.sipproxy import routing
from apps.users import availability
from apps.users.availability import PeriodData
from apps.users.models import Ring
from tests.conftest import count_queries

URL = "/sipproxy/route"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def callee(make_user, settings):
    settings.SIPX_GATEWAY = "gw.example.org"
    settings.SIPX_VOICEMAIL_URI = "sip:{user}@media.example.org;service=deposit"
    make_user("202", aliases=["carol"])
    user = make_user("201", aliases=["bob"], time_zone="Europe/Berlin")
    Ring.objects.create(user=user, position=0, number="carol", expiration=15)
    return user


def targets(route) -> list[str]:
    return [",".join([f"user:{u}" for u in g.users] + [f"uri:{u}" for u in g.uris]) for g in route.groups]


def test_without_availability_the_phones_and_the_ring_list_ring(callee):
    route = routing.route_for("bob")
    assert (targets(route), route.reason) == (["user:201", "user:202"], "")


def test_do_not_disturb_goes_straight_to_voicemail_or_nowhere(callee, settings):
    availability.set_availability(callee, True, None, None)
    route = routing.route_for("201")
    assert (route.groups, route.voicemail, route.reason) == ([], "sip:201@media.example.org;service=deposit", "dnd")
    callee.perm_voicemail = False
    callee.save()
    assert routing.route_for("201").voicemail == ""  # Kamailio: no group, no voicemail -> 480


def test_forward_all_rings_the_number_instead_until_its_end(callee):
    now = datetime.now(UTC)
    availability.set_availability(callee, False, "+4930555", now + timedelta(hours=1), now=now)
    route = routing.route_for("bob", now=now)
    assert (targets(route), route.reason) == (["uri:sip:+4930555@gw.example.org"], "forward")
    assert route.groups[0].timer == callee.call_forward_timer and route.voicemail
    availability.set_availability(callee, False, "CAROL", None, now=now)
    assert targets(routing.route_for("bob", now=now)) == ["user:202"]  # a user name rings that user's phones
    after = routing.route_for("bob", now=now + timedelta(hours=2))
    assert targets(after) == ["user:202"]  # no `until`: still on


def test_an_away_period_ending_while_calls_are_routed(callee):
    # Friday 4 December 2026 14:00-18:00 Berlin (13:00-17:00 UTC), calls forwarded to the mobile.
    availability.save_period(
        callee,
        PeriodData(datetime(2026, 12, 4, 14), datetime(2026, 12, 4, 18), forward_to="+4917000"),
        now=utc(2026, 12, 1),
    )
    before_end = routing.route_for("bob", now=utc(2026, 12, 4, 16, 59, 59))
    assert (targets(before_end), before_end.reason) == (["uri:sip:+4917000@gw.example.org"], "away")
    assert before_end.away_until == utc(2026, 12, 4, 17)
    at_end = routing.route_for("bob", now=utc(2026, 12, 4, 17))
    assert (targets(at_end), at_end.reason) == (["user:201", "user:202"], "")


def test_a_voicemail_only_away_period_and_its_greeting(callee):
    availability.save_period(
        callee,
        PeriodData(datetime(2026, 12, 24), datetime(2027, 1, 2), greeting="extendedabsence"),
        now=utc(2026, 12, 1),
    )
    route = routing.route_for("201", now=utc(2026, 12, 30, 12))
    assert (route.groups, route.reason, route.greeting) == ([], "away", "extendedabsence")
    assert availability.away_greeting(callee, utc(2026, 12, 30, 12)) == "extendedabsence"
    assert availability.away_greeting(callee, utc(2027, 1, 3)) is None


def test_the_route_lookup_costs_one_more_query_only_with_away_periods(client, callee):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {settings.SIPPROXY_TOKEN}"}
    plain = count_queries(client.get, URL, {"to": "bob"}, **bearer)
    availability.save_period(callee, PeriodData(datetime(2026, 12, 24), datetime(2027, 1, 2)), now=utc(2026, 12, 1))
    availability.save_period(
        callee, PeriodData(datetime(2027, 1, 8, 9), datetime(2027, 1, 8, 12), weekly=True), now=utc(2026, 12, 1)
    )
    with_periods = count_queries(client.get, URL, {"to": "bob"}, **bearer)
    assert plain <= 2 and with_periods == plain + 1
    availability.set_availability(callee, True, None, None)
    answer = client.get(URL, {"to": "bob"}, **bearer).json()
    assert (answer["groups"], answer["reason"], answer["voicemail"]) == (0, "dnd", callee_voicemail())


def callee_voicemail() -> str:
    return settings.SIPX_VOICEMAIL_URI.format(user="201")


def test_the_routing_preview_shows_it(client, callee, make_user):
    make_user("admin", pin="admin1234", is_admin=True)
    client.login(username="admin", password="admin1234")
    availability.set_availability(callee, True, None, None)
    page = client.get("/routing/", {"to": "bob"}).content.decode()
    assert "Do not disturb is on" in page and "straight to" in page
