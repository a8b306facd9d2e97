"""The language of the pages: the user's choice (User.language), else the browser's Accept-Language, else English;
the APIs always English. Chosen on the portal's time zone page, by the admin on the user's form, audited."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from apps.audit.models import AuditEntry
from apps.users import availability
from apps.users.middleware import ENGLISH_ONLY_PREFIXES, is_english_only
from tests.conftest import basic

GERMAN_REQUIRED = "Dieses Feld ist zwingend erforderlich."  # Django's own German catalogue: no dependence on ours
ENGLISH_REQUIRED = "This field is required."


@pytest.fixture
def bob(make_user):
    return make_user("bob", pin="bob12345")


def test_the_login_page_follows_the_browser(client, db):
    german = client.post("/login/", {}, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert GERMAN_REQUIRED in german.content.decode() and '<html lang="de"' in german.content.decode()
    assert german.headers["Content-Language"] == "de" and "Accept-Language" in german.headers["Vary"]
    english = client.post("/login/", {}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")  # no French: English
    assert ENGLISH_REQUIRED in english.content.decode() and english.headers["Content-Language"] == "en"
    assert ENGLISH_REQUIRED in client.post("/login/", {}).content.decode()  # no header at all: English


def test_the_users_choice_wins_over_the_browser(client, bob):
    client.force_login(bob)
    availability.set_language(bob, "de")
    page = client.post("/portal/pin/", {}, HTTP_ACCEPT_LANGUAGE="en-US")
    assert GERMAN_REQUIRED in page.content.decode() and page.headers["Content-Language"] == "de"
    availability.set_language(bob, "en")
    page = client.post("/portal/pin/", {}, HTTP_ACCEPT_LANGUAGE="de")
    assert ENGLISH_REQUIRED in page.content.decode() and page.headers["Content-Language"] == "en"
    availability.set_language(bob, "")  # the browser's again
    assert client.get("/portal/", HTTP_ACCEPT_LANGUAGE="de").headers["Content-Language"] == "de"


@pytest.mark.parametrize(
    "path", ["/api/v1/my/availability", "/sipxconfig/rest/my/forward", "/api/v1/users?page=x", "/api/schema/"]
)
def test_the_apis_answer_in_english_whatever_the_user_or_browser_asks(client, bob, path):
    availability.set_language(bob, "de")
    anonymous = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
    assert "Content-Language" not in anonymous.headers and "Accept-Language" not in anonymous.headers.get("Vary", "")
    if anonymous.status_code == 401:
        assert anonymous.json()["error"] == "Authentication credentials were not provided."
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE="de", **basic("bob", "bob12345"))
    assert "Content-Language" not in answer.headers
    assert "erforderlich" not in answer.content.decode() and "Anmelde" not in answer.content.decode()


def test_an_api_refusal_stays_english_for_a_german_user(client, bob):
    availability.set_language(bob, "de")
    answer = client.put(
        "/api/v1/my/availability",
        '{"dnd": ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="de",
        **basic("bob", "bob12345"),
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "not a valid JSON document" in body and "Content-Language" not in answer.headers


def _routes(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern).lstrip("^")
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.callback


def test_every_rest_framework_view_lies_under_an_english_only_prefix():
    drf = [(route, cb) for route, cb in _routes(get_resolver().url_patterns) if _is_drf(cb)]
    assert len(drf) > 20  # the walk finds the APIs
    outside = [route for route, _ in drf if not is_english_only("/" + re.split(r"[(\[\\?*+$]", route)[0])]
    assert outside == []
    pages = [route for route, cb in _routes(get_resolver().url_patterns) if not _is_drf(cb)]
    assert any(r.startswith("portal/") for r in pages) and not any(r.startswith("portal/") for r, _ in drf)
    assert all(prefix.startswith("/") and prefix.endswith("/") for prefix in ENGLISH_ONLY_PREFIXES)


def _is_drf(callback) -> bool:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def test_set_language_is_audited_and_refuses_an_unknown_code(bob):
    availability.set_language(bob, " de ")
    bob.refresh_from_db()
    assert bob.language == "de"
    entry = AuditEntry.objects.filter(kind="user", key="bob").latest("id")
    assert entry.changes["language"] == ["", "de"]
    with pytest.raises(ValidationError) as refused:
        availability.set_language(bob, "fr")
    assert (
        refused.value.error_list[0].message
        == '"fr" is not a language of the pages ("en", "de", or "" for the browser\'s).'
    )
    bob.refresh_from_db()
    assert bob.language == "de"


def test_the_user_chooses_the_language_on_the_time_zone_page(client, bob):
    client.force_login(bob)
    page = client.get("/portal/time-zone/").content.decode()
    assert 'name="language"' in page and "Deutsch" in page
    answer = client.post("/portal/time-zone/", {"time_zone": "Europe/Berlin", "language": "de"})
    assert answer.status_code == 302
    bob.refresh_from_db()
    assert (bob.time_zone, bob.language) == ("Europe/Berlin", "de")
    assert client.get("/portal/time-zone/").headers["Content-Language"] == "de"
    refused = client.post("/portal/time-zone/", {"time_zone": "UTC", "language": "xx"})
    assert refused.status_code == 200
    bob.refresh_from_db()
    assert (bob.time_zone, bob.language) == ("Europe/Berlin", "de")  # nothing changed


def test_the_admin_sets_a_users_language(admin_client, bob):
    page = admin_client.get(f"/users/{bob.pk}/").content.decode()
    assert 'name="language"' in page
    form = {"username": "bob", "is_active": "on", "time_zone": "", "language": "de"}
    answer = admin_client.post(f"/users/{bob.pk}/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    bob.refresh_from_db()
    assert bob.language == "de"
    assert admin_client.post(f"/users/{bob.pk}/", {**form, "language": "fr"}).status_code == 200
    bob.refresh_from_db()
    assert bob.language == "de"
