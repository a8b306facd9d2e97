"""Call pages: admin active calls (self-refreshing fragment) and history (filters, pagination, charts, streamed
CSV), portal pages; roles; constant query counts."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.cdrs.models import Cdr
from tests.conftest import unlabelled


def call(i, caller="200", callee="201", start=None, end=True, termination="C"):
    start = start or timezone.now() - timedelta(hours=1, minutes=i)
    return Cdr.objects.create(
        call_id=f"call-{caller}-{callee}-{i}",
        caller_aor=f"<sip:{caller}@example.org>",
        callee_aor=f"<sip:{callee}@example.org>",
        caller_user=caller,
        callee_user=callee,
        start_time=start,
        connect_time=start + timedelta(seconds=2),
        end_time=start + timedelta(seconds=62) if end else None,
        termination=termination,
    )


def test_roles(client, make_user, admin_user):
    for url in ("/cdrs/active/", "/cdrs/history/", "/cdrs/my/active/", "/cdrs/my/history/", "/cdrs/my/call/"):
        assert client.get(url).status_code == 302
    client.force_login(make_user("300"))
    assert client.get("/cdrs/active/").status_code == 403
    assert client.get("/cdrs/history/").status_code == 403
    assert client.get("/cdrs/my/active/").status_code == 200


def test_active_calls_page_and_fragment(admin_client):
    call(1, end=False, termination="I")
    call(2)
    page = admin_client.get("/cdrs/active/").content.decode()
    assert "data-refresh-url" in page and "js/calls.js" in page and "call-200-201-1" not in page
    assert page.count('class="duration"') == 1
    fragment = unlabelled(admin_client.get("/cdrs/active/?fragment=1").content.decode())
    assert "<html" not in fragment and fragment.count('class="duration"') == 1


def test_history_filters_pagination_and_charts(admin_client):
    for i in range(30):
        call(i)
    call(0, caller="202", callee="200", start=timezone.now() - timedelta(days=3))
    page = admin_client.get("/cdrs/history/").content.decode()
    assert "Page 1 of 2 (31 in all)" in page and page.count("<svg") == 2 and "Calls per day" in page
    page = admin_client.get("/cdrs/history/?user=202").content.decode()
    assert "1 in all" in page
    page = admin_client.get("/cdrs/history/?user=200&direction=in").content.decode()
    assert "1 in all" in page
    day = (timezone.now() - timedelta(days=3)).date().isoformat()
    page = admin_client.get(f"/cdrs/history/?start={day}&end={day}").content.decode()
    assert "1 in all" in page
    page = admin_client.get("/cdrs/history/?start=2026-12-31&end=2026-01-01")
    assert page.status_code == 200 and b"must not be after" in page.content
    assert admin_client.get("/cdrs/history/?start=notadate").status_code == 200


def test_csv_export_is_streamed_and_complete(admin_client):
    for i in range(30):
        call(i)
    Cdr.objects.filter(call_id="call-200-201-0").update(caller_aor='<sip:"q"@example.org>')
    response = admin_client.get("/cdrs/history.csv?user=200")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "call id" and len(rows) == 31
    assert '"<sip:""q""@example.org>"' in text and text.endswith("\n") and "\r" not in text


def test_user_sees_only_own_calls_and_csv(client, make_user):
    user = make_user("200")
    call(1)
    call(2, caller="202", callee="203")
    call(3, end=False, termination="I")
    client.force_login(user)
    assert "2 in all" in client.get("/cdrs/my/history/").content.decode()
    assert client.get("/cdrs/my/active/").content.decode().count('class="duration"') == 1
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/cdrs/history.csv").streaming_content).decode())))
    assert len(rows) == 3
    assert client.get("/cdrs/history.csv?user=202").status_code == 403


@pytest.mark.parametrize("rows", [10, 200])
def test_constant_queries(admin_client, django_assert_max_num_queries, rows):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(rows):
        call(i, start=start + timedelta(hours=i), end=i % 2 == 0, termination="C" if i % 2 == 0 else "I")
    with django_assert_max_num_queries(12):
        assert admin_client.get("/cdrs/history/").status_code == 200
    with django_assert_max_num_queries(10):
        assert admin_client.get("/cdrs/active/").status_code == 200


# ---- issue 15: names, direction, durations, time zone, charts, filter bar, aliases, CSV --------------------------


@pytest.fixture
def people(make_user):
    return {
        "alice": make_user("200", aliases=["alice"], first_name="Alice", last_name="Smith"),
        "bob": make_user("201", aliases=["bob"], first_name="Bob", last_name="Brown"),
    }


def cells(page: str, row: int = 0) -> dict:
    """The history table's cells of one row, by class, as text."""
    body = unlabelled(page[page.index("<tbody>") : page.index("</tbody>")])
    tr = body.split("<tr>")[row + 1]
    out = {}
    for name in ("caller", "callee", "direction", "duration", "result"):
        start = tr.index(f'<td class="{name}">') + len(f'<td class="{name}">')
        out[name] = re.sub(r"<[^>]+>", "", tr[start : tr.index("</td>", start)]).strip()
    return out


def test_history_names_direction_and_durations(admin_client, people):
    start = timezone.now() - timedelta(hours=1)
    call(1, caller="200", callee="201", start=start)  # 60 s connected
    Cdr.objects.create(
        call_id="out", caller_aor="<sip:201@example.org>", callee_aor="<sip:+390255509999@example.org>",
        caller_user="201", callee_user="+390255509999", start_time=start - timedelta(minutes=1),
        connect_time=start - timedelta(minutes=1), end_time=start - timedelta(seconds=-5), termination="C",
    )  # fmt: skip
    Cdr.objects.create(
        call_id="in", caller_aor="<sip:6175550142@carrier.example.net>", caller_name="Outside Caller",
        callee_aor="<sip:alice@example.org>", caller_user="6175550142", callee_user="alice",
        start_time=start - timedelta(minutes=2), end_time=start - timedelta(minutes=1), termination="F",
        failure_status=486, failure_reason="Busy Here",
    )  # fmt: skip
    page = admin_client.get("/cdrs/history/").content.decode()
    assert cells(page, 0) == {
        "caller": "Alice Smith 200",
        "callee": "Bob Brown 201",
        "direction": "internal",
        "duration": "1:00",
        "result": "completed",
    }
    assert cells(page, 1) | {"result": ""} == {
        "caller": "Bob Brown 201",
        "callee": "+390255509999",
        "direction": "outgoing",
        "duration": "1:05",
        "result": "",
    }
    # never answered: 0:00, not the minute it rang; an alias is a user too; the caller's own display name is kept
    assert cells(page, 2) == {
        "caller": "Outside Caller 6175550142",
        "callee": "Alice Smith alice",
        "direction": "incoming",
        "duration": "0:00",
        "result": "busy",
    }
    assert "Times are in the UTC time zone" in page and "Start (UTC)" in page


def test_history_shows_the_time_zone_it_uses(admin_client, settings):
    settings.TIME_ZONE = "Europe/Rome"
    call(1, start=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    page = admin_client.get("/cdrs/history/").content.decode()
    assert "Start (Europe/Rome)" in page and "2026-07-01 12:00:00" in page


def test_the_user_filter_takes_aliases_and_the_search_takes_names(admin_client, people):
    call(1, caller="200", callee="203")
    call(2, caller="alice", callee="204")  # a phone registered under the alias
    call(3, caller="205", callee="206")
    for typed in ("alice", "ALICE", "200"):
        assert "2 in all" in admin_client.get(f"/cdrs/history/?user={typed}").content.decode()
    assert "1 in all" in admin_client.get("/cdrs/history/?user=205").content.decode()
    assert "2 in all" in admin_client.get("/cdrs/history/?q=smith").content.decode()
    assert "1 in all" in admin_client.get("/cdrs/history/?q=206").content.decode()
    rows = list(
        csv.reader(io.StringIO(b"".join(admin_client.get("/cdrs/history.csv?q=Alice").streaming_content).decode()))
    )
    assert len(rows) == 3


def test_the_portal_history_is_the_users_calls_under_every_name(client, people):
    call(1, caller="200", callee="203")
    call(2, caller="alice", callee="204")
    call(3, caller="205", callee="206")
    client.force_login(people["alice"])
    page = client.get("/cdrs/my/history/").content.decode()
    assert "2 in all" in page and 'name="user"' not in page
    assert '<option value="out">made by me</option>' in page
    assert "1 in all" in client.get("/cdrs/my/history/?direction=out&q=204").content.decode()
    assert client.get("/cdrs/history.csv?user=alice").status_code == 200  # their own alias
    assert client.get("/cdrs/history.csv?user=201").status_code == 403


def test_the_filter_bar_is_the_lists_one(admin_client):
    page = admin_client.get("/cdrs/history/?user=200").content.decode()
    bar = page[page.index('<form method="get" class="filter-bar card" role="search">') :]
    bar = bar[: bar.index("</form>")]
    assert '<div class="field search">' in bar and 'name="q"' in bar
    for name in ("start", "end", "user", "direction"):
        assert f'<div class="field"><label for="id_{name}">' in bar
    assert '<div class="actions">' in bar and ">Reset</a>" in bar


def test_charts_are_sized_to_their_data_and_have_an_axis(admin_client):
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for i in range(7):
        call(i, start=day + timedelta(minutes=i))
    call(8, start=day + timedelta(days=2))
    page = admin_client.get("/cdrs/history/?start=2026-03-01&end=2026-03-31").content.decode()
    per_day, per_hour = re.findall(r"<svg .*?</svg>", page)
    width = int(re.search(r'width="(\d+)"', per_day).group(1))
    assert width < 300 < int(re.search(r'width="(\d+)"', per_hour).group(1))  # three days: three bars, not a page
    assert per_day.count("<rect") == 3 and "<title>03-03: 0</title>" in per_day
    ticks = re.findall(r'text-anchor="end">(\d+)</text>', per_day)
    assert ticks == ["0", "2", "4", "6", "8"]  # whole calls, a round step, the top at or above the largest bar
    assert 'aria-label="Calls per day: 8 calls in all, at most 7 per bar"' in per_day


def test_csv_has_names_and_iso_times_to_the_second(admin_client, people, settings):
    settings.TIME_ZONE = "Europe/Rome"
    start = datetime(2026, 7, 1, 10, 0, 0, 123456, tzinfo=UTC)
    call(1, caller="200", callee="201", start=start)
    Cdr.objects.create(
        call_id="missed", caller_aor="<sip:201@example.org>", callee_aor="<sip:200@example.org>",
        caller_user="201", callee_user="200", start_time=start, end_time=start + timedelta(seconds=63),
        termination="F", failure_status=408,
    )  # fmt: skip
    text = b"".join(admin_client.get("/cdrs/history.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    answered = next(r for r in rows if r["call id"] != "missed")
    assert answered["caller"] == "<sip:200@example.org>" and answered["caller name"] == "Alice Smith"
    assert answered["callee name"] == "Bob Brown" and answered["direction"] == "internal"
    assert answered["start"] == "2026-07-01T12:00:00+02:00"
    assert answered["connect"] == "2026-07-01T12:00:02+02:00" and answered["end"] == "2026-07-01T12:01:02+02:00"
    assert answered["duration (s)"] == "60"
    missed = next(r for r in rows if r["call id"] == "missed")
    assert (missed["connect"], missed["duration (s)"], missed["failure"]) == ("", "0", "408")
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", text)  # no microseconds anywhere


def test_active_calls_show_names_and_minutes(admin_client, people):
    start = timezone.now() - timedelta(seconds=65)
    Cdr.objects.create(
        call_id="live", caller_aor="<sip:200@example.org>", callee_aor="<sip:201@example.org>", caller_user="200",
        callee_user="201", start_time=start, connect_time=start, termination="I",
    )  # fmt: skip
    fragment = admin_client.get("/cdrs/active/?fragment=1").content.decode()
    assert 'Alice Smith <span class="muted">200</span>' in fragment and "Bob Brown" in fragment
    assert re.search(r'<td class="duration">1:0[5-9]</td>', fragment)
