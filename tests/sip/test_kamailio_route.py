"""GET /sipproxy/route: where Kamailio sends a new call (apps/sipproxy/routing.py), for the service credential
only. Django's test client; no Kamailio needed."""

import json

import pytest
from django.conf import settings

from sipxweb.dialplan import Owner
from tests.conftest import basic

URL = "/sipproxy/route"


def bearer() -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {settings.SIPPROXY_TOKEN}"}


def media_owner(names):
    """A stand-in dial-plan owner: 8000 is a conference's extension."""
    return {n: Owner("conferences", "board", "8000", "the extension of a conference") for n in names if n == "8000"}


@pytest.fixture
def users(routed_bob):
    return routed_bob


def test_a_user_rings_its_phones_then_its_ring_list_in_groups_then_voicemail(client, users):
    for dialled in ("201", "bob", "BOB"):
        response = client.get(URL, {"to": dialled}, **bearer())
        assert response.status_code == 200, response.content
        assert response.json() == {
            "kind": "user",
            "user": "201",
            "groups": 3,
            "g0": "user:201",
            "t0": 15,
            "g1": "user:202,uri:sip:+15551234@gw.example.org",
            "t1": 40,  # "at the same time" rings with carol: the group lasts as long as its longest ring
            "g2": "uri:sip:desk@other.example.net",
            "t2": 10,
            "voicemail": "sip:201@media.example.org",
            "media": "",
            "service": "",
            "target": "",
            "reason": "",  # no availability rule decided (docs/sipproxy.md)
        }


def test_no_voicemail_permission_no_voicemail(client, users):
    users.perm_voicemail = False
    users.save()
    assert client.get(URL, {"to": "201"}, **bearer()).json()["voicemail"] == ""


def test_a_number_another_app_holds_goes_to_the_media_server(client, users, settings):
    settings.DIALPLAN_OWNERS = {**settings.DIALPLAN_OWNERS, "conferences": "tests.sip.test_kamailio_route.media_owner"}
    answer = client.get(URL, {"to": "8000"}, **bearer()).json()
    assert answer["kind"] == "media" and answer["media"] == "sip:8000@media.example.org;app=conferences"
    assert (answer["service"], answer["target"]) == ("conference", "board")


@pytest.mark.parametrize(
    ("query", "status"),
    [({"to": "777"}, 404), ({"to": ""}, 400), ({}, 400), ({"to": "a b"}, 400), ({"to": "x" * 65}, 400)],
)
def test_unknown_is_404_and_malformed_is_400_with_a_sentence(client, users, query, status):
    response = client.get(URL, query, **bearer())
    assert response.status_code == status and response.json()["error"]


def test_only_the_service_credential_may_ask(client, users):
    for headers in ({}, basic("bob", "1234"), {"HTTP_AUTHORIZATION": "Bearer not-the-token"}):
        response = client.get(URL, {"to": "201"}, **headers)
        assert response.status_code == 403 and "service credential" in response.json()["error"]
    assert client.post(URL, {"to": "201"}, **bearer()).status_code == 405


def test_the_service_credential_posts_call_events_and_opens_nothing_else(client, users):
    events = json.dumps(
        [{"event_type": "R", "event_time": "1796145433877", "call_id": "k1", "from_url": "<sip:200@example.org>",
          "to_url": "<sip:201@example.org>"}]
    )  # fmt: skip
    assert client.post("/sipxconfig/rest/cse", events, "application/json", **bearer()).status_code == 200
    for path in ("/sipxconfig/rest/my/activecdrs", "/sipxconfig/rest/activecdrs/201", "/sipxconfig/rest/my/forward"):
        assert client.get(path, **bearer()).status_code in (401, 403), path
