"""The PBX data file carries a user's timeZone, availability (dnd, forwardAll, until) and awayPeriods: export,
import --replace and export again is identical; bad values and overlapping periods are refused at their path and
nothing is imported; the admin JSON API's users show the time zone and the switches but leave the periods alone."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from apps.pbxdata.document import validate_document
from apps.pbxdata.schema import PbxDataError
from apps.users import availability
from apps.users.availability import PeriodData
from apps.users.models import AwayPeriod, User
from tests.adminapi.conftest import Api
from tests.pbxdata.helpers import doc, run_import


def snapshot() -> str:
    out = io.StringIO()
    call_command("export_pbx", stdout=out)
    return out.getvalue()


@pytest.fixture
def away_pbx(make_user):
    alice = make_user("200", aliases=["alice"], time_zone="Europe/Berlin")
    make_user("201", time_zone="America/New_York")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    availability.set_availability(alice, True, "+4930123", datetime(2030, 1, 1, 8, tzinfo=UTC), now=now)
    availability.save_period(
        alice,
        PeriodData(
            datetime(2026, 3, 27, 22), datetime(2026, 3, 28, 6, 30), weekly=True, repeat_until=date(2026, 6, 30)
        ),
        now=now,
    )
    availability.save_period(
        alice,
        PeriodData(
            datetime(2026, 12, 24), datetime(2027, 1, 2), forward_to="sip:desk@example.org", greeting="extendedabsence"
        ),
        now=now,
    )
    return alice


def test_round_trip_is_identical(away_pbx, tmp_path):
    first = snapshot()
    alice = next(u for u in json.loads(first)["users"] if u["userName"] == "200")
    assert alice["timeZone"] == "Europe/Berlin"
    assert alice["availability"] == {"dnd": True, "forwardAll": "+4930123", "until": "2030-01-01T08:00:00+00:00"}
    assert alice["awayPeriods"] == [
        {
            "start": "2026-03-27T22:00",
            "end": "2026-03-28T06:30",
            "timeZone": "Europe/Berlin",
            "recurrence": {"frequency": "weekly", "until": "2026-06-30"},
            "greeting": "outofoffice",
        },
        {
            "start": "2026-12-24T00:00",
            "end": "2027-01-02T00:00",
            "timeZone": "Europe/Berlin",
            "forwardTo": "sip:desk@example.org",
            "greeting": "extendedabsence",
        },
    ]
    path = tmp_path / "pbx.json"
    path.write_text(first)
    call_command("import_pbx", str(path), "--replace", stdout=io.StringIO())
    assert snapshot() == first
    call_command("import_pbx", str(path), stdout=io.StringIO())  # merged onto itself: the periods are replaced
    assert snapshot() == first and AwayPeriod.objects.count() == 2


def test_a_user_without_the_keys_has_them_at_their_defaults(away_pbx, tmp_path):
    run_import(tmp_path, doc(users=[{"userName": "200", "aliases": ["alice"]}]))
    alice = User.objects.get(username="200")
    assert (alice.time_zone, alice.dnd, alice.forward_all, alice.away_periods.count()) == ("", False, None, 0)


@pytest.mark.parametrize(
    ("user", "path", "sentence"),
    [
        ({"timeZone": "Mars/Olympus"}, "users[0].timeZone", "is not a time zone name"),
        ({"availability": {"forwardAll": "my cell"}}, "users[0].availability.forwardAll", "is not a phone number"),
        ({"availability": {"until": "2030-01-01T00:00"}}, "users[0].availability.until", "needs a time zone"),
        ({"availability": {"until": "9999-12-31T23:59:59-23:59"}}, "users[0].availability.until", "1970 and 2999"),
        ({"awayPeriods": [{"start": "2030-01-01T10:00"}]}, "users[0].awayPeriods[0].end", "is required"),
        (
            {"awayPeriods": [{"start": "2030-01-02T10:00", "end": "2030-01-01T10:00"}]},
            "users[0].awayPeriods[0].end",
            "The end must come after the start",
        ),
        (
            {
                "awayPeriods": [
                    {"start": "2030-01-01T10:00", "end": "2030-01-01T11:00", "recurrence": {"frequency": "daily"}}
                ]
            },
            "users[0].awayPeriods[0].recurrence.frequency",
            "is not one of",
        ),
        (
            {
                "awayPeriods": [
                    {"start": "2030-01-01T10:00", "end": "2030-01-01T12:00"},
                    {"start": "2030-01-01T11:00", "end": "2030-01-01T13:00"},
                ]
            },
            "users[0].awayPeriods[1].start",
            "This period overlaps the away period Tue 1 Jan 2030 10:00 to 12:00",
        ),
    ],
)
def test_bad_values_are_refused_at_their_path(user, path, sentence):
    with pytest.raises(PbxDataError) as refused:
        validate_document(doc(users=[{"userName": "200", **user}]))
    assert refused.value.path == path and sentence in refused.value.message


def test_a_refused_file_imports_nothing(away_pbx, tmp_path):
    before = snapshot()
    bad = [{"userName": "200", "awayPeriods": [{"start": "x", "end": "2030-01-01T10:00"}]}]
    with pytest.raises(Exception, match="awayPeriods"):
        run_import(tmp_path, doc(users=bad))
    assert snapshot() == before


def test_the_admin_api_shows_the_switches_and_keeps_the_periods(client, away_pbx, admin_user):
    api = Api(client, {}).as_pin("superadmin", "admin1234")
    user = api.get("/users/200").json()
    assert user["timeZone"] == "Europe/Berlin" and user["availability"]["dnd"] is True
    assert "awayPeriods" not in user
    changed = api.patch("/users/200", {"timeZone": "Europe/Paris", "availability": {"dnd": False}})
    assert changed.status_code == 200, changed.content
    away_pbx.refresh_from_db()
    assert (away_pbx.time_zone, away_pbx.dnd, away_pbx.away_periods.count()) == ("Europe/Paris", False, 2)
    assert api.patch("/users/200", {"timeZone": "Nowhere/Else"}).status_code == 400
