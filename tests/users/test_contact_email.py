"""The e-mail fields of a user's contact information take e-mail addresses only (services.clean_contact), on the
portal page and in the admin JSON API as on PUT /my/contact-information (tests/users/test_api.py) and in the PBX
data file (tests/pbxdata/test_parity.py)."""

import json

import pytest
from django.urls import reverse

from apps.users.models import UserProfile
from tests.conftest import basic


@pytest.mark.parametrize("field", ["email_address", "alternate_email_address"])
def test_the_portal_page_refuses_what_is_not_an_address(client, alice, field):
    before = getattr(UserProfile.objects.get_or_create(user=alice)[0], field)
    assert client.post(reverse("login"), {"username": "alice", "password": "1234"}).status_code == 302
    response = client.post(reverse("portal:contact"), {"first_name": "Alice", field: "not an email"})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == ["Enter a valid email address."]
    assert getattr(UserProfile.objects.get(user=alice), field) == before
    response = client.post(reverse("portal:contact"), {"first_name": "Alice", field: "alice.new@example.org"})
    assert response.status_code == 302
    assert getattr(UserProfile.objects.get(user=alice), field) == "alice.new@example.org"


def test_the_admin_api_refuses_what_is_not_an_address(client, alice, admin_user):
    admin = basic("superadmin", "admin1234")
    tag = client.get("/api/v1/users/200", **admin)["ETag"]
    body = json.dumps({"contactInformation": {"emailAddress": "not an email"}})
    response = client.generic("PATCH", "/api/v1/users/200", body, "application/json", HTTP_IF_MATCH=tag, **admin)
    assert response.status_code == 400 and "contactInformation.emailAddress" in response.json()["fields"]
