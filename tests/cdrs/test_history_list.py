"""The call history as every list behaves (sipxweb.pages): sortable columns (?ordering=, aria-sort), page numbers and
a page-size choice (?per_page=) on the admin's and the portal's pages, with their filters, search, charts and CSV
export (which follows the page's order); the same number of queries for 10 and 200 rows."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from apps.cdrs.models import Cdr
from tests.conftest import unlabelled

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def record(i, caller, callee, connected_seconds: int | None = 30, answered=True, active=False):
    """Call `i`, started `i` hours after START; `connected_seconds` long from the answer."""
    start = START + timedelta(hours=i)
    connect = start + timedelta(seconds=5) if answered else None
    if active:
        end = None
    elif answered:
        end = connect + timedelta(seconds=connected_seconds)
    else:
        end = start + timedelta(seconds=63)  # rang for a minute: still 0:00 long
    return Cdr.objects.create(
        call_id=f"call-{i:03d}",
        caller_aor=f"<sip:{caller}@example.org>",
        callee_aor=f"<sip:{callee}@example.org>",
        caller_user=caller,
        callee_user=callee,
        start_time=start,
        connect_time=connect,
        end_time=end,
        termination="I" if active else ("C" if answered else "F"),
        failure_status=None if answered else 408,
    )


def starts(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)"', html)


def column(html: str, name: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(rf'<td class="{name}">(.*?)</td>', unlabelled(html))
    ]


@pytest.fixture
def calls(db):
    """30 calls from 200 at 8:00, 9:00, ... to 3xx numbers in another order, each a second longer than the last."""
    for i in range(30):
        record(i, "200", f"3{(i * 7) % 30:02d}", connected_seconds=10 + i)


def test_latest_first_with_page_numbers_and_sizes(admin_client, calls):
    html = admin_client.get("/cdrs/history/").content.decode()
    assert starts(html)[0] == (START + timedelta(hours=29)).isoformat() and len(starts(html)) == 25
    assert "Page 1 of 2 (30 in all)" in html and 'aria-label="Page 2"' in html
    assert re.search(
        r'<th scope="col" aria-sort="descending"><a class="sort" href="\?ordering=start">Start \(UTC\)', html
    )
    assert 'href="?per_page=50"' in html
    html = admin_client.get("/cdrs/history/", {"per_page": 10, "page": 3}).content.decode()
    assert starts(html)[0] == (START + timedelta(hours=9)).isoformat() and len(starts(html)) == 10
    assert "Page 3 of 3" in html


def test_sorted_by_callee_and_by_duration(admin_client, calls):
    html = admin_client.get("/cdrs/history/", {"ordering": "callee", "per_page": 50}).content.decode()
    assert column(html, "callee") == [f"3{n:02d}" for n in range(30)]
    html = admin_client.get("/cdrs/history/", {"ordering": "-callee", "per_page": 50}).content.decode()
    assert column(html, "callee") == [f"3{n:02d}" for n in range(29, -1, -1)]
    html = admin_client.get("/cdrs/history/", {"ordering": "-duration"}).content.decode()
    assert column(html, "duration")[:2] == ["0:39", "0:38"]
    assert re.search(r'aria-sort="descending"><a class="sort" href="\?ordering=duration">Duration', html)


def test_duration_order_counts_unanswered_calls_as_zero_and_ongoing_ones_last(admin_client):
    record(0, "200", "201", connected_seconds=65)
    record(1, "200", "202", answered=False)  # rang 63 s, never answered
    record(2, "200", "203", active=True)
    record(3, "200", "204", connected_seconds=5)
    html = admin_client.get("/cdrs/history/", {"ordering": "duration"}).content.decode()
    assert column(html, "callee") == ["202", "204", "201", "203"]
    html = admin_client.get("/cdrs/history/", {"ordering": "-duration"}).content.decode()
    assert column(html, "callee") == ["201", "204", "202", "203"]


def test_filters_search_and_order_go_together(admin_client, calls):
    record(40, "201", "200")
    html = admin_client.get("/cdrs/history/", {"user": "200", "direction": "in", "ordering": "start"}).content.decode()
    assert "1 in all" in html and column(html, "caller") == ["201"]
    html = admin_client.get("/cdrs/history/", {"q": "31", "ordering": "callee"}).content.decode()
    assert column(html, "callee") == [f"3{n}" for n in range(10, 20)]
    # The filter bar keeps the order and the size; the page links keep the filters.
    html = admin_client.get("/cdrs/history/", {"user": "200", "ordering": "callee", "per_page": 10}).content.decode()
    assert '<input type="hidden" name="ordering" value="callee">' in html
    assert re.search(r'href="\?user=200&amp;ordering=callee&amp;per_page=10&amp;page=2"', html)
    assert html.count("<svg") == 2  # the charts are the filtered records', whatever the page


def test_csv_follows_the_pages_order_and_all_its_rows(admin_client, calls):
    response = admin_client.get("/cdrs/history.csv", {"ordering": "callee", "per_page": 10, "page": 2})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    callees = [re.search(r"sip:(\d+)@", row[3]).group(1) for row in rows[1:]]
    assert callees == [f"3{n:02d}" for n in range(30)]


def test_portal_history_sorts_and_pages_the_users_own_calls(client, make_user, calls):
    user = make_user("200")
    record(50, "201", "202")  # not hers
    client.force_login(user)
    html = client.get("/cdrs/my/history/", {"ordering": "-callee", "per_page": 10}).content.decode()
    assert column(html, "callee")[:2] == ["329", "328"] and "Page 1 of 3 (30 in all)" in html
    assert 'aria-sort="descending"' in html and "202" not in column(html, "callee")
    html = client.get("/cdrs/my/history/", {"ordering": "-callee", "per_page": 10, "page": 3}).content.decode()
    assert column(html, "callee")[-1] == "300"


@pytest.mark.parametrize("rows", [10, 200])
def test_sorted_and_sized_history_costs_the_same_for_any_rows(
    client, make_user, admin_user, rows, django_assert_max_num_queries
):
    for i in range(rows):
        record(i, "200", f"3{i % 50:02d}", answered=i % 3 != 0)
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get("/cdrs/history/", {"ordering": "-duration", "per_page": 100}).status_code == 200
    client.force_login(make_user("200"))
    with django_assert_max_num_queries(12):
        assert client.get("/cdrs/my/history/", {"ordering": "callee", "per_page": 50, "page": 2}).status_code == 200
