"""The mailbox pages' lists as every list behaves (sipxweb.pages): the folder's messages and the admin's mailboxes
with sortable columns (?ordering=, aria-sort), page numbers and a page-size choice (?per_page=), the folder kept
from page to page; the same number of queries for 10 and 200 rows."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from apps.voicemail.models import Message
from tests.conftest import unlabelled

PORTAL = "/portal/voicemail/"


def messages(user, n, folder="inbox"):
    """`n` messages: the later, the shorter; senders in an order of their own (Caller 07 is not the 8th received)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Message.objects.bulk_create(
        [
            Message(
                user=user,
                message_id=f"{folder[:1]}{i + 1:09d}",
                received=start + timedelta(minutes=i),
                duration=n - i,
                sender_brief=f"Caller {(i * 7) % n:02d}",
                subject=f"Subject {i:02d}",
                folder=folder,
            )
            for i in range(n)
        ]
    )


def rows(html: str) -> list[str]:
    """The message ids of the listed rows, in order."""
    return re.findall(r'<tr data-message="([^"]+)"', html)


def senders(html: str) -> list[str]:
    return re.findall(r"<td>(Caller \d+)</td>", unlabelled(html))


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_messages_newest_first_with_page_numbers_and_sizes(alice_client, alice):
    messages(alice, 30)
    html = alice_client.get(PORTAL).content.decode()
    assert rows(html)[:2] == ["i000000030", "i000000029"] and len(rows(html)) == 25
    assert 'aria-sort="descending"' in html and "Page 1 of 2 (30 in all)" in html
    assert 'aria-label="Page 2"' in html and 'href="?per_page=10"' in html
    html = alice_client.get(PORTAL, {"per_page": 10, "page": 3}).content.decode()
    assert rows(html) == [f"i{n:09d}" for n in range(10, 0, -1)] and "Page 3 of 3" in html
    html = alice_client.get(PORTAL, {"per_page": 7}).content.decode()  # not a size the page offers: its own
    assert len(rows(html)) == 25


def test_messages_sorted_by_a_column_in_either_direction(alice_client, alice):
    messages(alice, 30)
    html = alice_client.get(PORTAL, {"ordering": "sender", "per_page": 50}).content.decode()
    assert senders(html) == [f"Caller {n:02d}" for n in range(30)]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a class="sort" href="\?ordering=-sender', html)
    html = alice_client.get(PORTAL, {"ordering": "-sender", "per_page": 50}).content.decode()
    assert senders(html) == [f"Caller {n:02d}" for n in range(29, -1, -1)]
    html = alice_client.get(PORTAL, {"ordering": "duration"}).content.decode()
    assert rows(html)[0] == "i000000030"  # the shortest is the last received
    html = alice_client.get(PORTAL, {"ordering": "received"}).content.decode()
    assert rows(html)[0] == "i000000001"
    html = alice_client.get(PORTAL, {"ordering": "audio"}).content.decode()  # no such column: the usual order
    assert rows(html)[0] == "i000000030"


def test_the_folder_is_kept_by_sorting_and_pages(alice_client, alice):
    messages(alice, 3)
    messages(alice, 30, folder="saved")
    html = alice_client.get(PORTAL, {"folder": "saved", "ordering": "subject"}).content.decode()
    assert rows(html)[0] == "s000000001" and len(rows(html)) == 25
    assert "folder=saved" in re.search(r'<a href="\?([^"]*page=2)"', html).group(1)
    assert "folder=saved" in re.search(r'class="sort" href="\?([^"]*)"', html).group(1)
    html = alice_client.get(PORTAL, {"folder": "saved", "ordering": "subject", "page": 2}).content.decode()
    assert rows(html) == [f"s{n:09d}" for n in range(26, 31)]


def test_admin_mailbox_page_sorts_and_pages_too(client, admin_user, alice):
    messages(alice, 12)
    client.force_login(admin_user)
    html = client.get("/voicemail/200/", {"ordering": "-duration", "per_page": 10}).content.decode()
    assert rows(html)[0] == "i000000001" and len(rows(html)) == 10 and "Page 1 of 2" in html


def test_admin_mailbox_list_sorted_by_counts(client, admin_user, alice, make_user):
    make_user("300", first_name="Zoe", last_name="Adams")
    messages(alice, 4)
    client.force_login(admin_user)
    html = client.get("/voicemail/", {"ordering": "-messages"}).content.decode()
    users = re.findall(r'href="/voicemail/([^/"]+)/"', html)
    assert users[0] == "200" and 'aria-sort="descending"' in html
    html = client.get("/voicemail/", {"ordering": "name"}).content.decode()
    users = re.findall(r'href="/voicemail/([^/"]+)/"', html)
    assert users.index("300") < users.index("200")  # Adams before Smith


@pytest.mark.parametrize("n", [10, 200])
def test_sorted_and_sized_lists_cost_the_same_for_any_rows(
    client, alice, admin_user, make_user, n, django_assert_max_num_queries
):
    messages(alice, n)
    for i in range(n // 10):
        make_user(f"u{i}")
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        assert client.get(PORTAL, {"ordering": "-sender", "per_page": 100, "page": 2}).status_code == 200
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get("/voicemail/200/", {"ordering": "duration", "per_page": 50}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/voicemail/", {"ordering": "-unheard", "per_page": 100}).status_code == 200
