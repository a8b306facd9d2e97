"""The routing preview pages (apps/sipproxy/views.py): the admin's /routing/ for any dialled number and the
portal's /portal/routing/ for the user's own numbers, both from routing.route_for — the function behind
GET /sipproxy/route. Django's test client; no Kamailio needed."""

import html
import re

import pytest
from django.conf import settings

from apps.sipproxy import routing

ADMIN_URL = "/routing/"
PORTAL_URL = "/portal/routing/"


@pytest.fixture
def bob(routed_bob):
    return routed_bob


def summary(response) -> str:
    """The route's sentence as a reader sees it: tags dropped, blanks folded."""

    text = response.content.decode()
    found = re.search(r'<p id="route-summary">(.*?)</p>', text, re.S)
    assert found, text[-2000:]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def test_the_admin_sees_where_a_call_to_any_number_goes(client, admin_user, bob):
    client.force_login(admin_user)
    for dialled in ("201", "bob", "BOB"):
        response = client.get(ADMIN_URL, {"to": dialled})
        assert response.status_code == 200
        assert summary(response) == (
            "A call to 201 or bob now rings: 201's phones (15 s), "
            "then 202's phones and sip:+15551234@gw.example.org (40 s), then sip:desk@other.example.net (10 s), "
            "then voicemail (sip:201@media.example.org)."
        )
    assert b"bobsip201" not in response.content  # the SIP password is never on a page
    bob.perm_voicemail = False
    bob.save()
    assert summary(client.get(ADMIN_URL, {"to": "bob"})).endswith(
        "then nothing more: the caller hears that nobody answered."
    )


def test_a_number_of_another_app_goes_to_the_media_server(client, admin_user, bob, settings):
    settings.DIALPLAN_OWNERS = {**settings.DIALPLAN_OWNERS, "conferences": "tests.sip.test_kamailio_route.media_owner"}
    client.force_login(admin_user)
    response = client.get(ADMIN_URL, {"to": "8000"})
    assert (
        summary(response) == "A call to 8000 now goes to the media server: sip:8000@media.example.org;app=conferences."
    )


@pytest.mark.parametrize(
    ("query", "status", "sentence"),
    [
        ({"to": "777"}, 404, "Nobody and nothing has the number 777."),
        ({"to": "a b"}, 400, "&#x27;to&#x27; must be the dialled number"),
        ({"to": "x" * 65}, 400, "&#x27;to&#x27; must be the dialled number"),
        ({"to": ""}, 400, "This field is required."),
    ],
)
def test_a_bad_or_unknown_number_is_said_with_its_status(client, admin_user, bob, query, status, sentence):
    client.force_login(admin_user)
    response = client.get(ADMIN_URL, query)
    assert response.status_code == status
    assert sentence in response.content.decode()
    assert b'id="route-summary"' not in response.content


def test_the_empty_admin_page_is_the_form_and_the_nav_links_both_pages(client, admin_user, bob):
    client.force_login(admin_user)
    response = client.get(ADMIN_URL)
    assert response.status_code == 200 and b'id="routing-form"' in response.content
    assert b'href="/routing/" aria-current="page"' in response.content
    assert b'href="/portal/routing/"' in response.content


def test_the_pages_and_the_proxy_ask_the_same_function(client, admin_user, bob, monkeypatch):
    """The pages show what route_for answers, not a copy of its rule: replaced, both the lookup Kamailio asks
    and the pages change together."""
    fixed = routing.Route(kind="user", user="201", groups=[routing.Group(timer=7, uris=["sip:desk@x.example"])])
    monkeypatch.setattr(routing, "route_for", lambda dialled: fixed)
    answer = client.get("/sipproxy/route", {"to": "201"}, HTTP_AUTHORIZATION=f"Bearer {settings.SIPPROXY_TOKEN}")
    assert answer.json()["g0"] == "uri:sip:desk@x.example" and answer.json()["t0"] == 7
    client.force_login(admin_user)
    assert "rings: sip:desk@x.example (7 s), then nothing more" in summary(client.get(ADMIN_URL, {"to": "201"}))
    client.force_login(bob)
    assert "rings: sip:desk@x.example (7 s), then nothing more" in summary(client.get(PORTAL_URL))


def test_a_user_sees_their_own_routing_only(client, bob, alice):
    client.force_login(bob)
    response = client.get(PORTAL_URL)
    assert response.status_code == 200
    assert summary(response).startswith("A call to 201 or bob now rings: 201's phones (15 s), then 202's phones")
    assert b'href="/portal/routing/" aria-current="page"' in response.content
    assert b'href="/routing/"' not in response.content  # no admin link for a user
    # The portal page takes no number: asking for alice's still shows bob's own route.
    assert summary(client.get(PORTAL_URL, {"to": "200"})) == summary(response)
    # And the admin page, which does take one, is refused.
    for query in ({"to": "200"}, {"to": "201"}, {}):
        assert client.get(ADMIN_URL, query).status_code == 403
    client.force_login(alice)
    assert summary(client.get(PORTAL_URL)).startswith("A call to 200 or alice now rings: 200's phones (20 s), then ")


def test_anonymous_visitors_are_sent_to_the_login_page(client, bob):
    for url in (ADMIN_URL + "?to=201", PORTAL_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
