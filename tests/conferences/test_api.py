"""Golden tests of `GET /my/conferences` (docs/compatibility.md B.3.11): both variants, the empty list, omitted
nulls."""

import pytest

from apps.conferences.models import Conference
from tests.conftest import REST, basic, golden


@pytest.fixture
def conferences(alice, make_user):
    bob = make_user("201", aliases=["bob"])
    Conference.objects.create(
        name="team",
        owner=alice,
        description="Weekly team call",
        extension="8000",
        access_code="555",
        moderator_code="9999",
    )
    Conference.objects.create(name="board", owner=alice, extension="8002", enabled=False)
    Conference.objects.create(name="sales-weekly", owner=bob, extension="8001", enabled=False, access_code="777")


@pytest.mark.parametrize(
    ("accept", "golden_file", "content_type"),
    [
        ({}, "conferences-alice.xml", "text/xml; charset=utf-8"),
        ({"HTTP_ACCEPT": "text/xml"}, "conferences-alice.xml", "text/xml; charset=utf-8"),
        ({"HTTP_ACCEPT": "application/xml"}, "conferences-alice.xml", "application/xml; charset=utf-8"),
        ({"HTTP_ACCEPT": "application/json"}, "conferences-alice.json", "application/json; charset=utf-8"),
    ],
)
def test_conferences_golden(client, conferences, accept, golden_file, content_type):
    response = client.get(REST + "/my/conferences", **basic("alice", "1234"), **accept)
    assert response.status_code == 200
    assert response.content == golden(golden_file)
    assert response["Content-Type"] == content_type
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("accept", "golden_file"),
    [({}, "conferences-empty.xml"), ({"HTTP_ACCEPT": "application/json"}, "conferences-empty.json")],
)
def test_conferences_empty(client, conferences, make_user, accept, golden_file):
    make_user("203", aliases=["dave"])
    response = client.get(REST + "/my/conferences", **basic("dave", "1234"), **accept)
    assert response.status_code == 200
    assert response.content == golden(golden_file)


def test_conferences_spec_sample(client, make_user):
    owner = make_user("300")
    Conference.objects.create(
        name="myConf", owner=owner, description="description", extension="22123", access_code="555"
    )
    assert client.get(REST + "/my/conferences", **basic("300", "1234")).content == golden("conference-spec.xml")


def test_conferences_errors(client, conferences):
    assert client.get(REST + "/my/conferences").status_code == 401
    assert client.get(REST + "/my/conferences", **basic("alice", "1234"), HTTP_ACCEPT="text/csv").status_code == 406
    response = client.put(REST + "/my/conferences", "+", **basic("alice", "1234"))
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert client.get(REST + "/private/ffffffffffffffffffffffffffffffff/conferences").status_code == 404
