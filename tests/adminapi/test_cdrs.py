"""/api/v1/cdrs and /api/v1/active-calls over HTTP with an administrator's token: call records with the data file's
keys, read-only; the cursor pages newest first and stays put while records are stored between pages; the call
history page's filters; active calls as the sipXconfig URI serves them; who may read; and a page costs the same
queries at 10 records as at 2,000."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.cdrs.models import Cdr, Termination
from apps.pbxdata.sections import calls as call_section
from tests.conftest import REST, count_queries

KEYS = ["id", *call_section.CALL.fields]
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def record(n: int, start: datetime, caller="200", callee="201", **fields) -> Cdr:
    return Cdr(
        call_id=f"call-{n}",
        caller_aor=f"<sip:{caller}@example.org>",
        caller_name=fields.pop("caller_name", ""),
        callee_aor=f"<sip:{callee}@example.org>",
        caller_user=caller,
        callee_user=callee,
        start_time=start,
        connect_time=fields.pop("connect_time", start + timedelta(seconds=2)),
        end_time=fields.pop("end_time", start + timedelta(seconds=60)),
        termination=fields.pop("termination", Termination.COMPLETED),
        **fields,
    )


def store(*records: Cdr) -> list[Cdr]:
    return Cdr.objects.bulk_create(records)


def call_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["callId"] for c in response.json()["results"]]


# ---- representation and reading ---------------------------------------------------------------------------------


def test_a_call_record_has_the_data_files_keys(api):
    (cdr,) = store(
        record(1, T0, caller_name="Alice Smith", failure_status=486, failure_reason="Busy Here", callee_contact="")
    )
    response = api.get(f"/cdrs/{cdr.pk}")
    assert response.status_code == 200 and response["ETag"]
    assert response.json() == {
        "id": cdr.pk,
        "callId": "call-1",
        "from": '"Alice Smith" <sip:200@example.org>',
        "to": "<sip:201@example.org>",
        "calleeContact": None,
        "start": "2026-03-10T12:00:00Z",
        "connect": "2026-03-10T12:00:02Z",
        "end": "2026-03-10T12:01:00Z",
        "termination": "C",
        "failureStatus": 486,
        "failureReason": "Busy Here",
    }
    listed = api.get("/cdrs").json()
    assert listed["results"] == [response.json()] and list(listed["results"][0]) == KEYS
    assert listed["count"] is None and listed["next"] is None and listed["previous"] is None
    assert api.get("/cdrs?count=true").json()["count"] == 1
    for missing in ("99999", "abc", "1e3", "٣"):
        answer = api.get(f"/cdrs/{missing}")
        assert answer.status_code == 404 and answer.json()["type"] == "not_found", missing


def test_call_records_are_read_only(api, read_token):
    (cdr,) = store(record(1, T0))
    assert api.post("/cdrs", {"callId": "x"}).status_code == 405
    assert api.put(f"/cdrs/{cdr.pk}", {}).status_code == 405
    assert api.patch(f"/cdrs/{cdr.pk}", {}).status_code == 405
    assert api.delete(f"/cdrs/{cdr.pk}").status_code == 405
    assert api.post("/active-calls", {}).status_code == 405
    assert Cdr.objects.count() == 1


def test_who_may_read(api, read_token, alice):
    (cdr,) = store(record(1, T0))
    for url in ("/cdrs", f"/cdrs/{cdr.pk}", "/active-calls"):
        assert api.anonymous().get(url).status_code == 401, url
        assert api.as_pin("200", "1234").get(url).status_code == 403, url  # even alice's own calls: admins only
        assert api.as_token(read_token).get(url).status_code == 200, url
    assert api.as_token(read_token).delete(f"/cdrs/{cdr.pk}").status_code == 403  # read-only before method


# ---- the cursor -------------------------------------------------------------------------------------------------


def test_cursor_pages_newest_first_and_back(api):
    # Two records share each start time: the order is start time, then id, newest first.
    store(*(record(n, T0 + timedelta(minutes=n // 2)) for n in range(7)))
    expected = [c.call_id for c in Cdr.objects.order_by("-start_time", "-id")]
    pages, url = [], "/cdrs?limit=3"
    while url:
        body = api.get(url).json()
        pages.append([c["callId"] for c in body["results"]])
        url = body["next"]
    assert pages == [expected[0:3], expected[3:6], expected[6:7]]
    assert set(body) == {"count", "next", "previous", "results"}
    # Back from the last page.
    back = api.get(body["previous"]).json()
    assert [c["callId"] for c in back["results"]] == expected[3:6]
    assert [c["callId"] for c in api.get(back["previous"]).json()["results"]] == expected[0:3]


def test_cursor_is_stable_under_inserts(api):
    """Records stored between page 1 and page 2 (new calls, and one at the very time of page 1's last record, which
    sorts before it) neither repeat a record of page 1 on page 2 nor push one off it. Page 1 ends inside a group
    of records of one start time, where a cursor of the time alone would count an offset into the group."""
    minutes = [0, 1, 2, 3, 3, 3, 4, 5, 6, 7]
    store(*(record(n, T0 - timedelta(minutes=m)) for n, m in enumerate(minutes)))
    expected = [c.call_id for c in Cdr.objects.order_by("-start_time", "-id")]
    first = api.get("/cdrs?limit=4").json()
    assert call_ids_of(first) == expected[:4]
    boundary = Cdr.objects.get(call_id=expected[3]).start_time
    assert Cdr.objects.get(call_id=expected[4]).start_time == boundary  # the page ends inside a group
    store(
        record(100, T0 + timedelta(minutes=5)),
        record(101, T0 + timedelta(minutes=6)),
        record(102, boundary),  # same start time, higher id: before page 1's last record in the list's order
    )
    second = api.get(first["next"]).json()
    assert call_ids_of(second) == expected[4:8]
    third = api.get(second["next"]).json()
    assert call_ids_of(third) == expected[8:] and third["next"] is None
    # A client starting over sees the new records first.
    assert call_ids_of(api.get("/cdrs?limit=3").json()) == ["call-101", "call-100", "call-0"]


def call_ids_of(body) -> list[str]:
    return [c["callId"] for c in body["results"]]


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        _cursor("p=yesterday|3"),
        _cursor("p=2026-03-10T12:00:00+00:00|x"),
        _cursor("p=2026-03-10|3"),
        _cursor("o=-1"),
    ],
)
def test_bad_cursors_are_refused(api, cursor):
    store(record(1, T0))
    response = api.get("/cdrs", data={"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["cursor"]


def test_count_is_asked_for(api):
    store(*(record(n, T0 + timedelta(minutes=n)) for n in range(5)))
    assert api.get("/cdrs?limit=2").json()["count"] is None
    body = api.get("/cdrs?limit=2&count=true").json()
    assert body["count"] == 5 and len(body["results"]) == 2
    refused = api.get("/cdrs?count=yes")
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["count"]


# ---- filters ----------------------------------------------------------------------------------------------------


def test_the_history_pages_filters(api, settings):
    settings.TIME_ZONE = "UTC"
    store(
        record(1, T0, caller="200", callee="201"),
        record(2, T0 + timedelta(days=1), caller="201", callee="200"),
        record(3, T0 + timedelta(days=2), caller="202", callee="203"),
    )
    assert call_ids(api.get("/cdrs?user=200")) == ["call-2", "call-1"]
    assert call_ids(api.get("/cdrs?user=200&direction=out")) == ["call-1"]
    assert call_ids(api.get("/cdrs?user=200&direction=in")) == ["call-2"]
    assert call_ids(api.get("/cdrs?start=2026-03-11")) == ["call-3", "call-2"]
    assert call_ids(api.get("/cdrs?start=2026-03-10&end=2026-03-11")) == ["call-2", "call-1"]
    assert call_ids(api.get("/cdrs?end=2026-03-10&count=true")) == ["call-1"]
    # The cursor keeps the filters: its links carry the query.
    page = api.get("/cdrs?user=200&limit=1").json()
    assert call_ids_of(page) == ["call-2"] and call_ids_of(api.get(page["next"]).json()) == ["call-1"]
    for query, field in [
        ("start=yesterday", "start"),
        ("end=2026-13-01", "end"),
        ("start=2026-03-12&end=2026-03-10", "end"),
        ("direction=sideways", "direction"),
    ]:
        refused = api.get(f"/cdrs?{query}")
        assert refused.status_code == 400 and list(refused.json()["fields"]) == [field], query


# ---- active calls -----------------------------------------------------------------------------------------------


def test_active_calls_are_those_of_the_sipxconfig_uri(api, make_user):
    make_user("201")
    now = timezone.now()
    store(
        record(1, now - timedelta(seconds=90), end_time=None, termination=Termination.IN_PROGRESS),
        record(2, now - timedelta(seconds=30), caller="202", callee="203", end_time=None, termination="I"),
        record(3, now - timedelta(minutes=5)),  # finished
        record(4, now - timedelta(seconds=5), end_time=None, termination=Termination.REQUESTED),  # still ringing
    )
    body = api.get("/active-calls").json()
    assert body["count"] == 2 and [c["callId"] for c in body["results"]] == ["call-1", "call-2"]  # oldest first
    first = body["results"][0]
    assert list(first) == [*KEYS, "durationSecs"] and first["end"] is None and first["termination"] == "I"
    assert 89 <= first["durationSecs"] <= 120
    assert call_ids(api.get("/active-calls?user=203")) == ["call-2"]
    assert api.get("/active-calls?limit=1&offset=1").json()["results"][0]["callId"] == "call-2"
    # The sipXconfig URI lists the same calls of a user.
    wire = api.as_pin("superadmin", "admin1234").get(REST + "/activecdrs/201", HTTP_ACCEPT="application/json")
    assert wire.status_code == 200 and wire.content.count(b'"from-aor"') == len(
        call_ids(api.get("/active-calls?user=201"))
    )


# ---- a fixed number of queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?user=200&direction=out&start=2026-01-01", "?limit=1000&count=true"])
def test_cdr_list_costs_the_same_at_10_and_2000(api, query):
    def fill(numbers):
        store(*(record(n, T0 - timedelta(minutes=n), callee=f"2{n % 10:02d}") for n in numbers))

    def cost() -> tuple[int, int]:
        first = api.get("/cdrs" + query).json()
        return count_queries(api.get, "/cdrs" + query), count_queries(api.get, first["next"] or "/cdrs" + query)

    fill(range(10))
    api.get("/cdrs")  # the token's first use is stored (and the throttle's window made): not part of a page
    small = cost()
    fill(range(10, 2000))
    assert api.get("/cdrs?count=true").json()["count"] == 2000
    assert api.get("/cdrs" + query).json()["next"]  # a second page exists now
    assert cost() == small


def test_active_call_list_costs_the_same_at_10_and_2000(api):
    now = timezone.now()

    def fill(numbers):
        store(*(record(n, now - timedelta(seconds=n), end_time=None, termination="I") for n in numbers))

    fill(range(10))
    api.get("/active-calls")
    small = count_queries(api.get, "/active-calls?limit=1000")
    fill(range(10, 2000))
    assert count_queries(api.get, "/active-calls?limit=1000") == small
