"""GET /sipproxy/route as Kamailio meets it: a user's route costs the same few queries however long the ring list,
and every malformed or unauthorised request gets a 4xx with a sentence, never a 500, and changes nothing.
Django's test client; tests/sip/test_kamailio_route.py has the route rule itself, bench/sipproxy.py its time."""

import pytest
from django.conf import settings

from apps.users.models import LoginName, Ring, User
from apps.users.services import create_user
from tests.conftest import basic, count_queries

URL = "/sipproxy/route"


def bearer() -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {settings.SIPPROXY_TOKEN}"}


def ring_list(user: User, numbers: list[str]) -> None:
    for position, number in enumerate(numbers):
        kind = Ring.Type.PARALLEL if position % 2 else Ring.Type.DELAYED
        Ring.objects.create(user=user, position=position, number=number, expiration=10 + position, type=kind)


@pytest.fixture
def people(db, settings):
    """201 (bob) rings one other user; 203 (dan) rings ten: users by name and by alias in any case, a disabled
    user, an IM id, SIP URIs and gateway numbers."""
    settings.SIPX_GATEWAY = "gw.example.org"
    bob = create_user("201", pin="1234", aliases=["bob"], sip_password="bobsip201")
    create_user("202", pin="1234", aliases=["carol"])
    dan = create_user("203", pin="1234", aliases=["dan"])
    gone = create_user("204", pin="1234", aliases=["gone"])
    gone.is_active = False
    gone.save()
    LoginName.objects.create(user=User.objects.get(username="202"), name="carol.im", kind=LoginName.Kind.IM)
    ring_list(bob, ["carol"])
    ring_list(dan, ["CAROL", "201", "bob", "+15551234", "sip:desk@other.example.net", "gone", "carol.im", "202",
                    "sips:x@y.example.net", "9999"])  # fmt: skip
    return bob, dan


def test_a_users_route_costs_the_same_queries_for_one_ring_or_ten(client, people):
    one = count_queries(client.get, URL, {"to": "bob"}, **bearer())
    ten = count_queries(client.get, URL, {"to": "dan"}, **bearer())
    assert one == ten <= 2
    answer = client.get(URL, {"to": "dan"}, **bearer()).json()
    # The rings by name (any case) and alias ring those users' phones once per group; a disabled user's name,
    # an IM id and numbers nobody holds go to the gateway; SIP URIs are called as they are.
    assert [answer[f"g{i}"] for i in range(answer["groups"])] == [
        "user:203",
        "user:202,user:201",
        "user:201,uri:sip:+15551234@gw.example.org",
        "uri:sip:desk@other.example.net,uri:sip:gone@gw.example.org",
        "user:202,uri:sip:carol.im@gw.example.org",
        "uri:sips:x@y.example.net,uri:sip:9999@gw.example.org",
    ]


def snapshot() -> list:
    return [
        list(User.objects.order_by("pk").values_list("pk", "username", "password", "sip_password", "is_active")),
        list(LoginName.objects.order_by("pk").values_list("pk", "name", "kind", "digest_ha1")),
        list(Ring.objects.order_by("pk").values_list("pk", "user_id", "number", "enabled")),
    ]


BAD_QUERIES = [
    ("", 400),  # no `to`
    ("?to=", 400),
    ("?to=" + "1" * 65, 400),
    ("?to=20%001", 400),  # NUL: dropped from a page's search box, refused here
    ("?to=20%0D%0A1", 400),
    ("?to=20%C2%851", 400),  # C1 control (NEL)
    ("?to=%FF%FE", 400),  # not UTF-8
    ("?to=%C3", 400),
    ("?to=a%20b", 400),
    ("?to=%E2%80%AE201", 400),  # right-to-left override: no SIP user part
    ("?to=201&to=202", 400),
    ("?to=201&verbose=1", 400),
    ("?to=201&" + "x" * 100 + "=1", 400),
    ("?to=201&%00=1", 400),
    ("?to=777", 404),  # well formed, nobody's
]


@pytest.mark.parametrize(("query", "status"), BAD_QUERIES)
def test_a_malformed_or_unknown_route_request_is_a_4xx_with_a_sentence(client, people, query, status):
    before = snapshot()
    response = client.get(URL + query, **bearer())
    assert response.status_code == status, response.content
    message = response.json()["error"]
    assert message.endswith(".") and len(message) < 300, message
    assert snapshot() == before


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "head", "options"])
def test_another_method_is_405_with_a_sentence(client, people, method):
    response = getattr(client, method)(URL + "?to=201", **bearer())
    assert response.status_code == 405 and response["Allow"] == "GET"
    if method != "head":
        assert "GET" in response.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer not-the-token"},
        {"HTTP_AUTHORIZATION": f"Basic {settings.SIPPROXY_TOKEN}"},
        {"HTTP_AUTHORIZATION": "Bearer 1234"},  # a user's PIN is no service credential
        basic("bob", "1234"),  # nor is a user's login
        basic("201", "bobsip201"),  # nor a SIP password
    ],
)
def test_without_the_service_credential_it_is_403_and_nothing_is_counted(client, people, headers):
    before = snapshot()
    response = client.get(URL, {"to": "201"}, **headers)
    assert response.status_code == 403 and "service credential" in response.json()["error"]
    assert snapshot() == before
    # Nobody was locked out by it: bob still logs in to the REST API.
    assert client.get("/sipxconfig/rest/my/logindetails", **basic("bob", "1234")).status_code == 200
