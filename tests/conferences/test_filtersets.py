"""The admin conference list's FilterSet (apps/conferences/filtersets.py): enabled, and the owner as typed."""

import pytest
from django.urls import reverse

from apps.conferences.models import Conference
from tests.conftest import listed


@pytest.fixture
def rooms(alice, make_user):
    carol = make_user("202", aliases=["carol"])
    Conference.objects.create(name="team", owner=alice, extension="8000")
    Conference.objects.create(name="board", owner=carol, extension="8001", enabled=False)
    Conference.objects.create(name="lobby", extension="8002")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["board", "lobby", "team"]),
        ("?enabled=true", ["lobby", "team"]),
        ("?enabled=false", ["board"]),
        ("?owner=alice", ["team"]),  # an alias names the same user as the user name
        ("?owner=200", ["team"]),
        ("?owner=CAROL", ["board"]),
        ("?owner=nobody", []),
        ("?owner=carol&enabled=true", []),
    ],
)
def test_conference_list_filters(admin_client, rooms, query, names):
    assert listed(admin_client, reverse("conferences:conference_list") + query) == names


def test_the_filters_are_on_the_page(admin_client, rooms):
    html = admin_client.get(reverse("conferences:conference_list")).content.decode()
    assert 'name="enabled"' in html and 'name="owner"' in html
