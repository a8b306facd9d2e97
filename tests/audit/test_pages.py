"""The audit log's admin page (/audit/): filters, pagination, who may see it, the cost in queries; and the recent
changes an object's edit page shows (the user and group pages)."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.services import MASK
from apps.users import services
from apps.users.models import UserGroup
from tests.conftest import count_queries

URL = "/audit/"


def bulk_entries(n: int, **fields) -> None:
    base = {"actor": "superadmin", "channel": "api", "kind": "user", "action": "update", "address": "10.1.1.1"}
    AuditEntry.objects.bulk_create(
        [AuditEntry(**{**base, "key": str(1000 + i), "changes": {"last_name": ["A", "B"]}, **fields}) for i in range(n)]
    )


def keys(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [e.key for e in response.context["object_list"]]


@pytest.fixture
def log(db):
    """Three changes through three channels by three actors, the last a week old."""
    AuditEntry.objects.all().delete()  # the fixtures' own users were recorded as they were made
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor="superadmin",
                channel="page",
                address="192.0.2.10",
                kind="user",
                key="200",
                action="update",
                changes={"last_name": ["Smith", "Jones"], "pin": [MASK, MASK]},
            ),
            AuditEntry(
                actor="root",
                channel="import",
                kind="group",
                key="sales",
                action="create",
                changes={"name": [None, "sales"]},
            ),
            AuditEntry(actor="alice", channel="rest", address="198.51.100.7", kind="user", key="201", action="delete"),
        ]
    )
    AuditEntry.objects.filter(key="201").update(at=timezone.now() - timedelta(days=7))


def test_every_entry_shows_when_who_how_where_what_and_the_changes(admin_client, log):
    response = admin_client.get(URL)
    assert keys(response) == ["sales", "200", "201"]  # newest first
    html = response.content.decode()
    for text in ("superadmin", "pages", "192.0.2.10", "user 200", "changed", "Smith", "Jones", "data file", "root"):
        assert text in html, text
    assert "sipXconfig URIs" in html and "198.51.100.7" in html and "deleted" in html
    assert "(secret changed, not shown)" in html and MASK not in html.replace("(secret changed", "")


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "user"}, ["200", "201"]),
        ({"kind": "user", "key": "201"}, ["201"]),
        ({"actor": "root"}, ["sales"]),
        ({"channel": "rest"}, ["201"]),
        ({"action": "create"}, ["sales"]),
        ({"q": "198.51"}, ["201"]),
        ({"channel": "page", "action": "delete"}, []),
    ],
)
def test_filters(admin_client, log, query, expected):
    assert keys(admin_client.get(URL + "?" + urlencode(query))) == expected


def test_since_and_until(admin_client, log):
    three_days_ago = (timezone.localtime() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert keys(admin_client.get(URL, {"since": three_days_ago})) == ["sales", "200"]
    assert keys(admin_client.get(URL, {"until": three_days_ago})) == ["201"]


def test_a_filter_that_cannot_be_read_is_400_with_the_reason_and_lists_nothing(admin_client, log):
    response = admin_client.get(URL, {"since": "last tuesday", "channel": "fax"})
    assert response.status_code == 400
    assert list(response.context["object_list"]) == []
    html = response.content.decode()
    assert "Enter a valid date/time." in html and "Select a valid choice." in html


def test_paginated(admin_client, db):
    bulk_entries(60)
    response = admin_client.get(URL)
    assert len(response.context["object_list"]) == 50 and response.context["paginator"].count >= 60
    second = admin_client.get(URL, {"page": 2, "kind": "user"})
    assert second.status_code == 200 and "Page 2 of" in second.content.decode()


def test_the_page_costs_the_same_queries_for_10_and_500_entries(admin_client, db):
    bulk_entries(10)
    small = count_queries(admin_client.get, URL + "?kind=user")
    bulk_entries(490)
    large = count_queries(admin_client.get, URL + "?kind=user")
    assert small == large, (small, large)


def test_only_administrators(client, alice, log):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    assert client.get(URL)["Location"].startswith(reverse("login"))
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?key=200").status_code == 403


def test_the_menu_links_the_log_for_administrators_only(admin_client, client, alice):
    assert f'href="{URL}"' in admin_client.get(reverse("users:user_list")).content.decode()
    client.force_login(alice)
    assert f'href="{URL}"' not in client.get(reverse("portal:home")).content.decode()


# ---- an object's recent changes on its edit page ------------------------------------------------------------


def test_the_user_page_shows_that_users_changes_and_links_the_list(admin_client, alice, make_user):
    make_user("201")  # another user's entry must not show
    alice.last_name = "Jones"
    services.save_user(alice, pin="97531")
    response = admin_client.get(reverse("users:user_edit", args=[alice.pk]))
    html = response.content.decode()
    section = html[html.index('id="audit-trail"') :]
    assert "Recent changes" in section and "Smith" in section and "Jones" in section
    assert "(secret changed, not shown)" in section and "97531" not in html
    assert "user 201" not in section and "user 200" in section
    assert 'href="/audit/?kind=user&amp;key=200"' in section
    rows = admin_client.get("/audit/?kind=user&key=200").context["object_list"]
    assert [e.action for e in rows] == ["update", "update", "create"]  # the PIN change, the forwarding, creation


def test_the_group_page_shows_the_groups_changes(admin_client, db):
    group = services.save_group(UserGroup(name="sales team", description="old"))
    group.description = "new"
    services.save_group(group)
    html = admin_client.get(reverse("users:group_edit", args=[group.pk])).content.decode()
    section = html[html.index('id="audit-trail"') :]
    assert "old" in section and "new" in section and "created" in section
    assert 'href="/audit/?kind=group&amp;key=sales+team"' in section


def test_the_trail_costs_one_query_whatever_the_number_of_entries(admin_client, alice):
    url = reverse("users:user_edit", args=[alice.pk])
    small = count_queries(admin_client.get, url)
    bulk_entries(200, key="200")
    assert count_queries(admin_client.get, url) == small
    assert len(admin_client.get(url).context["entries"]) == 10


def test_the_trail_shows_nothing_to_a_non_administrator(alice, admin_user, rf):
    template = Template('{% load audit %}{% audit_trail "user" "200" %}')
    for who, shown in ((alice, False), (admin_user, True)):
        request = rf.get("/")
        request.user = who
        # `user` is the edited object on an edit page: the request's user decides.
        assert ("audit-trail" in template.render(Context({"request": request, "user": admin_user}))) is shown
