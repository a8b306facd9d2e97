"""The group list's FilterSet (apps/users/filtersets.py UserGroupFilterSet): the groups of a member as typed."""

import pytest
from django.urls import reverse

from apps.users.models import UserGroup
from tests.conftest import listed


@pytest.fixture
def groups(alice, bob):
    sales, support, _empty = (UserGroup.objects.create(name=n) for n in ("sales", "support", "empty"))
    alice.groups.add(sales, support)
    bob.groups.add(support)


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"])


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["empty", "sales", "support"]),
        ("?user=alice", ["sales", "support"]),  # an alias
        ("?user=200", ["sales", "support"]),
        ("?user=Bob", ["support"]),  # a name as typed: case does not matter
        ("?user=nobody", []),
        ("?user=alice&q=sup", ["support"]),
    ],
)
def test_group_list_filters_by_member(admin_client, groups, query, names):
    assert listed(admin_client, reverse("users:group_list") + query) == names


def test_member_counts_stay_whole_when_filtered(admin_client, groups):
    response = admin_client.get(reverse("users:group_list") + "?user=bob")
    assert [g.user_count for g in response.context["object_list"]] == [2]
    assert 'name="user"' in response.content.decode()
