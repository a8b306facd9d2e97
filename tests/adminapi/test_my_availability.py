"""GET/PUT /api/v1/my/availability and /api/v1/my/away-periods as a user's client meets them: JSON over HTTP with the
user's real credentials (Basic with the PIN, Digest, their own token; a read-only token only reads), always the
caller's own data (another user's period is a 404 and stays as it was), overlaps and bad values a 400 with a
sentence and nothing stored, and the same state the portal shows. One test runs against real gunicorn."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from apps.users import availability, tokens
from apps.users.availability import PeriodData
from apps.users.models import AwayPeriod
from tests.adminapi.conftest import Api
from tests.server.live import LiveServer, digest_header, parse_challenge

AVAILABILITY = "/api/v1/my/availability"
PERIODS = "/api/v1/my/away-periods"
FRIDAYS = {
    "start": "2030-01-04T14:00",
    "end": "2030-01-04T18:00",
    "recurrence": {"frequency": "weekly", "until": None},
    "forwardTo": None,
    "greeting": "outofoffice",
}


@pytest.fixture
def alice(make_user):
    return make_user("alice", pin="alice1234", time_zone="Europe/Berlin")


@pytest.fixture
def bob(make_user):
    return make_user("bob", pin="bob12345")


@pytest.fixture
def as_alice(client, alice) -> Api:
    return Api(client, {}).as_pin("alice", "alice1234")


@pytest.fixture
def as_bob(client, bob) -> Api:
    return Api(client, {}).as_pin("bob", "bob12345")


def test_availability_round_trip_with_the_users_pin(as_alice, alice):
    assert as_alice.get(AVAILABILITY).json()["dnd"] is False
    until = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    answer = as_alice.put(AVAILABILITY, {"dnd": True, "forwardAll": None, "until": until.isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["dnd"], body["forwardAll"], body["until"]) == (True, None, until.isoformat())
    assert body["now"]["reason"] == "dnd" and body["now"]["voicemailOnly"] is True
    # What GET answered may be sent back as it is.
    assert as_alice.put(AVAILABILITY, as_alice.get(AVAILABILITY).json()).status_code == 200
    alice.refresh_from_db()
    assert (alice.dnd, alice.availability_until) == (True, until)


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        ({"dnd": True, "until": "2020-01-01T00:00:00Z"}, "until", "The end time is in the past"),
        ({"dnd": True, "until": "2099-01-01T00:00:00"}, "until", "needs a time zone"),
        ({"dnd": True, "until": "9999-12-31T23:59:59-23:59"}, "until", "between the years 1970 and 2999"),
        ({"forwardAll": "my mobile"}, "forwardAll", "is not a phone number"),
        ({"dnd": "yes"}, "dnd", "expected true or false"),
        ({"dnd": True, "forwardall": "200"}, "forwardall", "unknown key"),
    ],
)
def test_bad_availability_is_400_and_nothing_changes(as_alice, alice, body, field, sentence):
    answer = as_alice.put(AVAILABILITY, body)
    assert answer.status_code == 400
    assert field in answer.json()["fields"] and sentence in answer.json()["error"]
    alice.refresh_from_db()
    assert (alice.dnd, alice.forward_all) == (False, None)


def test_away_periods_list_create_read_change_delete(as_alice, alice):
    created = as_alice.post(PERIODS, FRIDAYS)
    assert created.status_code == 201, created.content
    period = created.json()
    assert {k: period[k] for k in FRIDAYS} == FRIDAYS and period["timeZone"] == "Europe/Berlin"
    url = created["Location"]
    assert url.endswith(f"{PERIODS}/{period['id']}")
    assert as_alice.get(url).json() == period
    assert as_alice.get(PERIODS).json()["results"] == [period]
    changed = as_alice.patch(url, {"forwardTo": "+4917000", "greeting": "extendedabsence"})
    assert changed.status_code == 200 and changed.json()["forwardTo"] == "+4917000"
    replaced = as_alice.put(url, {"start": "2030-02-01T08:00", "end": "2030-02-01T09:00"})
    assert replaced.json()["recurrence"] is None and replaced.json()["greeting"] == "outofoffice"
    assert as_alice.delete(url).status_code == 204
    assert as_alice.get(url).status_code == 404 and not AwayPeriod.objects.exists()


def test_an_away_period_read_answers_304_to_its_etag_and_200_once_it_changed(as_alice, as_bob):
    created = as_alice.post(PERIODS, FRIDAYS)
    url, tag = created["Location"], created["ETag"]
    unchanged = as_alice.get(url, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged["ETag"] == tag and not unchanged.content
    # Another user's period stays a 404, whatever ETag they send.
    assert as_bob.get(url, headers={"If-None-Match": tag}).status_code == 404
    as_alice.patch(url, {"greeting": "extendedabsence"}, headers={"If-Match": tag})
    changed = as_alice.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()["greeting"] == "extendedabsence"
    assert changed["ETag"] != tag


def test_an_overlap_is_400_with_a_sentence(as_alice):
    assert as_alice.post(PERIODS, FRIDAYS).status_code == 201
    answer = as_alice.post(PERIODS, {"start": "2030-01-11T17:30", "end": "2030-01-11T20:00"})
    assert answer.status_code == 400
    assert answer.json()["fields"]["start"] == [
        "This period overlaps the away period Fri 4 Jan 2030 14:00 to 18:00, weekly (Europe/Berlin): both would apply "
        "on Fri 11 Jan 2030 at 17:30. Change one of them so that they do not overlap."
    ]
    assert as_alice.get(PERIODS).json()["count"] == 1


def test_a_user_never_reads_or_changes_another_users_periods(as_alice, as_bob, alice):
    theirs = as_alice.post(PERIODS, FRIDAYS).json()
    url = f"{PERIODS}/{theirs['id']}"
    assert as_bob.get(PERIODS).json()["count"] == 0
    for answer in (
        as_bob.get(url),
        as_bob.patch(url, {"greeting": "extendedabsence"}),
        as_bob.put(url, FRIDAYS),
        as_bob.delete(url),
    ):
        assert answer.status_code == 404
    assert as_alice.get(url).json() == theirs
    as_bob.put(AVAILABILITY, {"dnd": True})
    assert as_alice.get(AVAILABILITY).json()["dnd"] is False
    alice.refresh_from_db()
    assert alice.dnd is False


def test_tokens_and_digest(client, alice, as_alice):
    reader = tokens.create_token(alice, "reader", "read")[1]
    writer = tokens.create_token(alice, "writer", "write")[1]
    read_only = Api(client, {}).as_token(reader)
    assert read_only.get(AVAILABILITY).status_code == 200
    assert read_only.put(AVAILABILITY, {"dnd": True}).status_code == 403
    assert read_only.post(PERIODS, FRIDAYS).status_code == 403
    assert Api(client, {}).as_token(writer).put(AVAILABILITY, {"dnd": True}).json()["dnd"] is True
    assert Api(client, {}).anonymous().get(AVAILABILITY).status_code == 401
    challenge = client.get(AVAILABILITY)["WWW-Authenticate"]
    digest = parse_challenge(challenge[challenge.index("Digest") :])
    header = digest_header("alice", "alice1234", digest["realm"], digest["nonce"], "GET", AVAILABILITY)
    assert client.get(AVAILABILITY, HTTP_AUTHORIZATION=header).json()["dnd"] is True


def test_the_state_matches_the_portal_and_the_routing(as_alice, alice, client):
    now = datetime.now(UTC)
    start = (now - timedelta(hours=1)).astimezone(availability.user_zone(alice)).replace(tzinfo=None)
    availability.save_period(alice, PeriodData(start, start + timedelta(hours=3), greeting="extendedabsence"))
    body = as_alice.get(AVAILABILITY).json()
    assert body["now"]["reason"] == "away" and body["now"]["greeting"] == "extendedabsence"
    assert body["activeAwayPeriod"]["id"] == alice.away_periods.get().pk
    client.force_login(alice)
    assert "Away</strong> until" in client.get("/portal/").content.decode()


@pytest.mark.server
def test_over_real_http_with_real_credentials(tmp_path):
    with LiveServer(
        secret_key="my-availability-tests-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("alice", "alice1234", []), ("bob", "bob12345", [])],
    ) as srv:
        put = json.dumps({"dnd": False, "forwardAll": "+4930123", "until": None})
        status, _, body = srv.request(
            "PUT", AVAILABILITY, {"Content-Type": "application/json"}, put, basic=("alice", "alice1234")
        )
        assert status == 200 and json.loads(body)["forwardAll"] == "+4930123"
        status, headers, body = srv.request(
            "POST",
            PERIODS,
            {"Content-Type": "application/json"},
            json.dumps(FRIDAYS),
            basic=("alice", "alice1234"),
        )
        assert status == 201, body
        location = dict(headers)["Location"]
        assert srv.request("GET", location, basic=("bob", "bob12345"))[0] == 404
        assert srv.request("DELETE", location, basic=("bob", "bob12345"))[0] == 404
        assert json.loads(srv.request("GET", AVAILABILITY, basic=("bob", "bob12345"))[2])["forwardAll"] is None
        assert srv.request("GET", location, basic=("alice", "alice1234"))[0] == 200
        assert srv.request("GET", AVAILABILITY, basic=("alice", "wrong"))[0] == 401


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        ({"start": "0001-01-01T00:00+14:00", "end": "0001-01-02T00:00"}, "start", "between the years 1970 and 2999"),
        ({"start": "2030-13-01T00:00", "end": "2030-01-02T00:00"}, "start", "is not an ISO 8601 date and time"),
        ({**FRIDAYS, "recurrence": {"frequency": "weekly", "until": "2030-02-31"}}, "recurrence.until", "not a date"),
        ({**FRIDAYS, "recurrence": {"frequency": "daily"}}, "recurrence.frequency", "is not one of"),
        ({**FRIDAYS, "end": "2030-01-11T14:00"}, "end", "A weekly period lasts less than a week"),
        ({**FRIDAYS, "timeZone": "Mars/Olympus"}, "timeZone", "is not a time zone name"),
        ({**FRIDAYS, "forwardTo": "my mobile"}, "forwardTo", "is not a phone number"),
        ({**FRIDAYS, "greeting": "standard"}, "greeting", "is not one of"),
        ({"start": "2020-01-01T10:00", "end": "2020-01-01T12:00"}, "end", "This period is over already"),
        ({**FRIDAYS, "id": 7}, "id", "is given by the server"),
    ],
)
def test_a_bad_period_is_400_naming_its_key(as_alice, body, field, sentence):
    answer = as_alice.post(PERIODS, body)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["fields"] and sentence in answer.json()["error"]
    assert not AwayPeriod.objects.exists()
