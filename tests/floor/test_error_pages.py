"""The error pages (issue 15, defect 4): a page that is refused, missing or broken answers inside the layout, with
the logged-in user's menus and the site's icon; the APIs keep their own error bodies; `make run` serves with DEBUG
off, so nobody sees Django's debug page listing every URL."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.urls import include, path

from tests.conftest import REST

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def broken_page(request):
    raise RuntimeError("a bug in a page")


def broken_api(request):
    raise RuntimeError("a bug in an API view")


# A test URLconf answers errors with its own handlers: the site's, as sipxweb/urls.py names them (a name it does not
# set is Django's own, as for the site: a tree without the layout's error pages fails these tests, not this file).
import sipxweb.urls as site  # noqa: E402

globals().update(
    {
        name: getattr(site, name)
        for name in ("handler400", "handler403", "handler404", "handler500")
        if hasattr(site, name)
    }
)

urlpatterns = [
    path("broken/", broken_page),
    path("api/v1/broken", broken_api),
    path("", include("sipxweb.urls")),
]


def text(response) -> str:
    return response.content.decode()


def test_an_admin_page_refuses_a_user_inside_the_layout(client, alice):
    client.force_login(alice)
    response = client.get("/users/")
    assert response.status_code == 403
    page = text(response)
    assert '<h1 id="error-title">You may not open this page</h1>' in page
    assert "Alice Smith" in page and 'action="/logout/"' in page  # the layout, with who is logged in
    assert 'href="/portal/forward/"' in page and 'href="/users/"' not in page  # alice's menu, not the admin's
    assert 'rel="icon"' in page


def test_a_missing_page_is_the_layouts_404(admin_client):
    response = admin_client.get("/no/such/page/")
    assert response.status_code == 404
    page = text(response)
    assert "Page not found" in page and "/no/such/page/" in page
    assert 'aria-label="Administration"' in page  # the admin's menus
    assert "urlpatterns" not in page and "Using the URLconf" not in page


def test_a_missing_object_is_the_layouts_404(admin_client):
    response = admin_client.get("/users/999999/")
    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_anonymous_visitors_get_the_404_without_menus(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in text(response) and 'action="/logout/"' not in text(response)


@pytest.mark.urls(__name__)
def test_a_broken_page_is_the_layouts_500(admin_client):
    admin_client.raise_request_exception = False
    response = admin_client.get("/broken/")
    assert response.status_code == 500
    page = text(response)
    assert "Something went wrong on the server" in page and "superadmin" in page
    assert "a bug in a page" not in page and "Traceback" not in page


@pytest.mark.urls(__name__)
def test_the_500_page_without_menus_when_they_fail_too(admin_client, monkeypatch):
    """What broke the request (the session, the database) may break the menus: the page is shown without them."""
    from apps.users.models import User

    def broken(self):
        raise RuntimeError("the menus cannot be built")

    monkeypatch.setattr(User, "display_name", property(broken))
    admin_client.raise_request_exception = False
    response = admin_client.get("/broken/")
    assert response.status_code == 500
    page = text(response)
    assert "Something went wrong on the server" in page and 'action="/logout/"' not in page
    assert "<script" not in page  # no nonce without a request: an inline script would break the policy


@pytest.mark.urls(__name__)
def test_the_apis_keep_their_error_bodies(admin_client):
    admin_client.raise_request_exception = False
    missing = admin_client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert json.loads(missing.content) == {
        "error": "There is no resource at /api/v1/no-such-thing.",
        "type": "not_found",
    }
    broken = admin_client.get("/api/v1/broken")
    assert broken.status_code == 500 and broken["Content-Type"].startswith("application/json")
    assert json.loads(broken.content)["error"] == "The server failed to answer; the error is in its log."
    rest = admin_client.get(REST + "/no/such/resource", HTTP_ACCEPT="application/json")
    assert rest.status_code == 404 and json.loads(rest.content)["type"] == "not_found"
    controller = admin_client.get("/callcontroller/a/b/c/d")
    assert controller.status_code == 404 and controller["Content-Type"].startswith("text/xml")


def test_make_run_serves_with_debug_off():
    """The issue saw Django's debug 404 (every URL pattern listed) under `make run`: it must export DEBUG=0 unless
    DEBUG=1 is asked for. `make -n` prints the recipe without running it."""
    recipe = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"}
    ).stdout
    assert re.search(r'export DEBUG="\$\{DEBUG:-0\}"', recipe), recipe[:2000]
