"""A conference's moderator code differs from its participant access code (apps/conferences/services.py): the media
server tries the moderator code first, so with one code for both every participant would join as moderator. The
admin page, the owner's portal page, the admin JSON API and the PBX data file refuse it alike."""

import json

import pytest
from django.core.management.base import CommandError

from apps.conferences.models import Conference
from tests.conferences.test_conferences import form
from tests.conftest import basic
from tests.pbxdata.helpers import export, run_import

SENTENCE = "The moderator code must differ from the participant access code."


@pytest.fixture
def team(alice):
    return Conference.objects.create(name="team", owner=alice, extension="8000", access_code="555")


def test_admin_page(admin_client, team):
    response = admin_client.post(
        f"/conferences/{team.pk}/", form(name="team", extension="8000", access_code="555", moderator_code="555")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["moderator_code"] == [SENTENCE]
    response = admin_client.post("/conferences/add/", form(access_code="77", moderator_code="77"))
    assert response.status_code == 200 and SENTENCE in response.context["form"].errors["moderator_code"]
    assert list(Conference.objects.values_list("name", "moderator_code")) == [("team", None)]


def test_owner_portal_page(client, alice, team):
    assert client.post("/login/", {"username": "alice", "password": "1234"}).status_code == 302
    response = client.post(f"/portal/conferences/{team.pk}/", {"access_code": "555", "moderator_code": "555"})
    assert response.status_code == 200 and response.context["form"].errors["moderator_code"] == [SENTENCE]
    response = client.post(f"/portal/conferences/{team.pk}/", {"access_code": "555", "moderator_code": "556"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.access_code, team.moderator_code) == ("555", "556")


def test_admin_api(client, admin_user, alice):
    body = {"name": "board", "extension": "8100", "accessCode": "42", "moderatorCode": "42"}
    response = client.post(
        "/api/v1/conferences", json.dumps(body), "application/json", **basic("superadmin", "admin1234")
    )
    assert response.status_code == 400 and response.json()["fields"] == {"moderatorCode": [SENTENCE.rstrip(".")]}
    assert not Conference.objects.exists()


def test_data_file(admin_user, team, tmp_path):
    document = export()
    document["conferences"][0]["moderatorCode"] = "555"
    with pytest.raises(CommandError, match="conferences\\[0\\].moderatorCode: The moderator code must differ"):
        run_import(tmp_path, document, "--replace")
    team.refresh_from_db()
    assert team.moderator_code is None


def test_either_code_alone_or_two_codes_are_fine(admin_client):
    for codes in ({"access_code": "12"}, {"moderator_code": "12"}, {"access_code": "12", "moderator_code": "21"}):
        Conference.objects.all().delete()
        assert admin_client.post("/conferences/add/", form(**codes)).status_code == 302
