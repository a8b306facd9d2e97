"""Call pages: admin active calls (self-refreshing fragment) and history (filters, pagination, charts, streamed
CSV), portal pages; roles; constant query counts."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.cdrs.models import Cdr


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
    fragment = admin_client.get("/cdrs/active/?fragment=1").content.decode()
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
