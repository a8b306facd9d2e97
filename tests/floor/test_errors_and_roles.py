"""D1 error bodies and the role permissions, on a test-only URLconf for the roles not yet used by a URI."""

import json

import pytest
from django.urls import path

from sipxweb.rest.permissions import IsAttendantAdmin, IsPbxAdmin
from sipxweb.rest.views import WireView
from tests.conftest import REST, basic


class AdminOnly(WireView):
    wire_root = "ok"
    permission_classes = [IsPbxAdmin]

    def get(self, request):
        return self.document({"user": request.user.username})


class AttendantAdmins(AdminOnly):
    permission_classes = [IsAttendantAdmin]


urlpatterns = [
    path("sipxconfig/rest/admin-only", AdminOnly.as_view()),
    path("sipxconfig/rest/attendant-only", AttendantAdmins.as_view()),
]


@pytest.mark.urls(__name__)
def test_roles(client, make_user):
    make_user("admin", is_admin=True)
    make_user("aa", perm_attendant_admin=True)
    make_user("plain")
    expected = {
        ("admin-only", "admin"): 200,
        ("admin-only", "aa"): 403,
        ("admin-only", "plain"): 403,
        ("attendant-only", "admin"): 200,
        ("attendant-only", "aa"): 200,
        ("attendant-only", "plain"): 403,
    }
    for (uri, user), status in expected.items():
        response = client.get(f"{REST}/{uri}", **basic(user, "1234"))
        assert response.status_code == status, (uri, user)
        if status == 403:
            assert json.loads(response.content)["type"] == "permission_denied"
    assert client.get(f"{REST}/admin-only").status_code == 401


def test_unknown_rest_path_is_json_404(client, alice):
    for path_ in ("/nothing", "/my/nothing", "/my/forward/extra"):
        response = client.get(REST + path_, **basic("alice", "1234"))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert json.loads(response.content)["type"] == "not_found"


def test_avatar_is_public_and_404_for_unknown_users(client, alice):
    response = client.get(REST + "/avatar/200")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b">AS</text>" in response.content
    assert client.get(REST + "/avatar/nobody").status_code == 404


def test_session_authenticated_put_needs_csrf(alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(REST + "/my/forward").status_code == 200
    response = browser.put(REST + "/my/forward", "<call-sequence><rings/></call-sequence>", content_type="text/xml")
    assert response.status_code == 403
