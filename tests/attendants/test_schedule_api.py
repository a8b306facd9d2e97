"""/api/v1/special-mode/schedule[/{id}] and /api/v1/special-mode/now as an integration uses them, with a real
Bearer token: create, list, read, replace, change and delete periods with the data file's keys; an overlap is 400
with a sentence and changes nothing; bad values name their key; ETags and If-Match; who may; the audit log; the state
now and at a given instant; constant queries for 10 and 200 periods."""

from datetime import date, time, timedelta

import pytest

from apps.attendants import services
from apps.attendants.models import SpecialModePeriod
from apps.audit.models import AuditEntry
from apps.users import tokens
from tests.adminapi.conftest import Api
from tests.attendants.helpers import coming
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db

NIGHT = {"name": "night", "weekdays": ["mon", "tue", "wed", "thu", "fri"], "start": "18:00", "end": "08:00"}
HOLIDAYS = {"name": "holidays", "start": "2026-12-24T00:00", "end": "2027-01-03T00:00"}


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def api(client, admin_user) -> Api:
    return Api(client, {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(admin_user, 'tests', 'write')[1]}"})


def test_create_read_change_delete(api):
    created = api.post("/special-mode/schedule", NIGHT)
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body == {"id": pk, **NIGHT}
    assert created["Location"].endswith(f"/api/v1/special-mode/schedule/{pk}")
    holidays = api.post("/special-mode/schedule", HOLIDAYS).json()
    assert holidays == {"id": holidays["id"], "weekdays": [], **HOLIDAYS} and holidays["id"] != pk

    listed = api.get("/special-mode/schedule").json()
    assert listed["count"] == 2 and [p["name"] for p in listed["results"]] == ["night", "holidays"]
    read = api.get(f"/special-mode/schedule/{pk}")
    assert read.status_code == 200 and read.json() == body and read["ETag"]

    changed = api.patch(f"/special-mode/schedule/{pk}", {"end": "07:30"}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200 and changed.json()["end"] == "07:30"
    stale = api.put(f"/special-mode/schedule/{pk}", NIGHT, headers={"If-Match": read["ETag"]})
    assert stale.status_code == 412
    replaced = api.put(f"/special-mode/schedule/{pk}", {**NIGHT, "weekdays": ["sat", "sun"], "id": pk})
    assert replaced.status_code == 200 and replaced.json()["weekdays"] == ["sat", "sun"]

    assert api.delete(f"/special-mode/schedule/{pk}").status_code == 204
    assert api.get(f"/special-mode/schedule/{pk}").status_code == 404
    actions = list(
        AuditEntry.objects.filter(kind="special-mode-period").order_by("id").values_list("action", "channel")
    )
    assert actions == [("create", "api"), ("create", "api"), ("update", "api"), ("update", "api"), ("delete", "api")]


def test_an_overlap_is_400_with_a_sentence_and_changes_nothing(api):
    api.post("/special-mode/schedule", NIGHT)
    before = AuditEntry.objects.count()
    refused = api.post(
        "/special-mode/schedule", {"name": "late", "weekdays": ["fri"], "start": "23:00", "end": "02:00"}
    )
    assert refused.status_code == 400
    # Friday's night and the late period both apply from Friday 23:00 to Saturday 02:00: the coming Friday is named
    friday = coming([4], "23:00", timedelta(hours=3))
    assert refused.json()["error"] == (
        f'This period overlaps "night" (Mon–Fri 18:00–08:00 (next day)): both would apply on {friday} at 23:00, '
        "and two weekly periods may not overlap. Change one of them, or join them into one period."
    )
    holidays = api.post("/special-mode/schedule", HOLIDAYS).json()
    moved = api.patch(f"/special-mode/schedule/{holidays['id']}", {"start": "2026-12-20T00:00"})
    assert moved.status_code == 200  # a one-off period may lie over weekly ones
    other = api.post("/special-mode/schedule", {**HOLIDAYS, "name": "new year", "start": "2027-01-01T00:00"})
    assert other.status_code == 400 and "two one-off periods may not overlap" in other.json()["error"]
    assert SpecialModePeriod.objects.count() == 2
    assert AuditEntry.objects.count() == before + 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({**NIGHT, "start": "24:00"}, "start"),
        ({**NIGHT, "start": "2026-12-24T18:00"}, "start"),
        ({**HOLIDAYS, "end": "08:00"}, "end"),
        ({**HOLIDAYS, "end": "2026-12-23T00:00"}, "end"),
        ({**NIGHT, "weekdays": ["mo"]}, "weekdays[0]"),
        ({**NIGHT, "name": " "}, "name"),
        ({**NIGHT, "name": "x" * 101}, "name"),
        ({**NIGHT, "colour": "red"}, "colour"),
        ({**NIGHT, "id": 5}, "id"),
        ({"weekdays": ["mon"], "start": "18:00", "end": "08:00"}, "name"),
        ([NIGHT], "body"),
    ],
)
def test_bad_values_name_their_key(api, body, field):
    response = api.post("/special-mode/schedule", body)
    assert response.status_code == 400 and list(response.json()["fields"]) == [field], response.content
    assert not SpecialModePeriod.objects.exists()


def test_who_may(client, api, make_user, admin_user):
    carol = make_user("300", pin="1357", perm_attendant_admin=True)
    bob = make_user("201", pin="2468")
    as_carol = api.as_pin("300", "1357")
    assert as_carol.post("/special-mode/schedule", NIGHT).status_code == 201
    assert as_carol.get("/special-mode/now").status_code == 200
    as_bob = api.as_pin("201", "2468")
    assert as_bob.get("/special-mode/schedule").status_code == 403
    assert as_bob.post("/special-mode/schedule", HOLIDAYS).status_code == 403
    assert as_bob.get("/special-mode/now").status_code == 403
    reader = api.as_token(tokens.create_token(admin_user, "reader", "read")[1])
    assert reader.get("/special-mode/schedule").json()["count"] == 1
    assert reader.post("/special-mode/schedule", HOLIDAYS).status_code == 403
    assert api.anonymous().get("/special-mode/schedule").status_code == 401
    assert (carol.pk, bob.pk) and SpecialModePeriod.objects.count() == 1


def test_the_state_now_and_at_an_instant(api):
    api.post("/special-mode/schedule", NIGHT)
    api.post("/special-mode/schedule", HOLIDAYS)
    night = api.get("/special-mode/now", data={"at": "2026-12-22T23:00:00+01:00"}).json()
    assert night == {
        "at": "2026-12-22T23:00:00+01:00",
        "on": True,
        "reason": "schedule",
        "period": "night",
        "periodId": SpecialModePeriod.objects.get(name="night").pk,
        "attendant": "After hours",
        "nextChange": "2026-12-23T08:00:00+01:00",
        "nextPeriod": None,
    }
    day = api.get("/special-mode/now", data={"at": "2026-12-23T10:00:00Z"}).json()
    assert (day["on"], day["reason"], day["nextChange"], day["nextPeriod"]) == (
        False, "off", "2026-12-23T18:00:00+01:00", "night"
    )  # fmt: skip
    services.special_mode_on()
    manual = api.get("/special-mode/now", data={"at": "2026-12-23T10:00:00Z"}).json()
    assert (manual["on"], manual["reason"], manual["nextChange"]) == (True, "manual", None)
    assert api.get("/special-mode").json() == {"enabled": True, "attendant": "After hours"}  # the switch, as before
    for bad in ("tomorrow", "2026-12-23T10:00:00"):
        refused = api.get("/special-mode/now", data={"at": bad})
        assert refused.status_code == 400 and list(refused.json()["fields"]) == ["at"]
    assert api.get("/special-mode/now").json()["on"] is True


def test_the_list_costs_the_same_queries_for_10_and_200_periods(api):
    def periods(count):
        SpecialModePeriod.objects.all().delete()
        SpecialModePeriod.objects.bulk_create(
            SpecialModePeriod(
                name=f"p{i}",
                start_date=date(2030, 1, 1) + timedelta(days=i),
                start_time=time(0),
                end_date=date(2030, 1, 1) + timedelta(days=i),
                end_time=time(12),
            )
            for i in range(count)
        )

    periods(10)
    api.get("/special-mode/schedule")  # the token's first use of the minute is written once
    ten = count_queries(api.get, "/special-mode/schedule?limit=1000")
    periods(200)
    assert count_queries(api.get, "/special-mode/schedule?limit=1000") == ten
    assert api.get("/special-mode/schedule?limit=1000").json()["count"] == 200
