"""Conferences: the extension rule, admin pages (list/create/edit/delete), the owner's portal pages; codes of
other users never shown; constant queries."""

import pytest

from apps.conferences.models import Conference
from tests.conftest import REST, basic


@pytest.fixture
def team(alice):
    return Conference.objects.create(
        name="team",
        owner=alice,
        description="Weekly team call",
        extension="8000",
        access_code="555",
        moderator_code="4321",
    )


def form(**overrides):
    data = {
        "name": "new",
        "owner": "",
        "description": "",
        "extension": "8100",
        "enabled": "on",
        "access_code": "",
        "moderator_code": "",
        "max_participants": "0",
    }
    data.update(overrides)
    return data


def test_admin_creates_edits_deletes(admin_client, alice):
    response = admin_client.post("/conferences/add/", form(owner=alice.pk, access_code="123", auto_record="on"))
    assert response.status_code == 302, response.content.decode()
    conference = Conference.objects.get(name="new")
    assert (conference.owner, conference.access_code, conference.auto_record) == (alice, "123", True)
    assert conference.description is None and conference.moderator_code is None
    assert "new" in admin_client.get("/conferences/").content.decode()
    response = admin_client.post(
        f"/conferences/{conference.pk}/", form(name="new", description="Board", extension="8100")
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert (conference.description, conference.owner) == ("Board", None)
    assert admin_client.get(f"/conferences/{conference.pk}/delete/").status_code == 200
    admin_client.post(f"/conferences/{conference.pk}/delete/")
    assert not Conference.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"extension": "8000"}, "belongs to another conference"),
        ({"extension": "200"}, "is a user name or alias"),
        ({"extension": "ALICE"}, "is a user name or alias"),
        ({"name": "team"}, "already exists"),
        ({"access_code": "12ab"}, "digits"),
        ({"extension": "80 00"}, "no spaces"),
        ({"max_participants": "-1"}, "greater than or equal"),
    ],
)
def test_admin_form_errors(admin_client, team, overrides, message):
    response = admin_client.post("/conferences/add/", form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Conference.objects.count() == 1


def test_admin_pages_refused_to_users(client, alice, team):
    client.force_login(alice)
    assert client.get("/conferences/").status_code == 403
    assert client.get(f"/conferences/{team.pk}/").status_code == 403
    assert client.post(f"/conferences/{team.pk}/delete/").status_code == 403


def test_owner_edits_description_and_codes(client, alice, team):
    client.force_login(alice)
    html = client.get("/portal/conferences/").content.decode()
    assert "Weekly team call" in html and "4321" in html
    response = client.post(
        f"/portal/conferences/{team.pk}/", {"description": "Daily", "access_code": "777", "moderator_code": ""}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.description, team.access_code, team.moderator_code, team.extension) == ("Daily", "777", None, "8000")
    body = client.get(REST + "/my/conferences", HTTP_ACCEPT="application/json").json()
    assert body["conferences"][0]["description"] == "Daily"
    assert body["conferences"][0]["accessCode"] == "777"


def test_codes_of_others_never_visible(client, make_user, team):
    bob = make_user("201", aliases=["bob"])
    client.force_login(bob)
    assert "4321" not in client.get("/portal/conferences/").content.decode()
    assert client.get(f"/portal/conferences/{team.pk}/").status_code == 404
    assert client.post(f"/portal/conferences/{team.pk}/", {"description": "mine"}).status_code == 404
    assert b"555" not in client.get(REST + "/my/conferences", **basic("bob", "1234")).content


@pytest.mark.parametrize("rows", [10, 200])
def test_constant_queries(client, alice, admin_user, rows, django_assert_max_num_queries):
    Conference.objects.bulk_create(
        [Conference(name=f"c{i}", owner=alice, extension=str(9000 + i), access_code="1") for i in range(rows)]
    )
    with django_assert_max_num_queries(5):
        assert client.get(REST + "/my/conferences", **basic("alice", "1234")).status_code == 200
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        assert client.get("/portal/conferences/").status_code == 200
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        assert client.get("/conferences/").status_code == 200


def test_a_user_may_not_take_a_conference_extension(db, alice):
    """The other direction of validate_extension: a new user name or alias that is a conference's extension
    would make calls to it ambiguous."""
    from django.core.exceptions import ValidationError

    from apps.conferences.models import Conference
    from apps.users import services as users

    Conference.objects.create(name="team", extension="8000")
    with pytest.raises(ValidationError) as exc:
        users.create_user("8000", pin="1234")
    assert exc.value.message_dict == {"username": ['"8000" is the extension of a conference.']}
    with pytest.raises(ValidationError) as exc:
        users.save_user(alice, aliases=["alice", "8000"])
    assert exc.value.message_dict == {"aliases": ['"8000" is the extension of a conference.']}
    users.save_user(alice, aliases=["alice", "8001"])  # any other name is fine
    assert alice.aliases == ["alice", "8001"]
