"""/api/v1/users and /api/v1/groups as an integration uses them: CRUD with the data file's field names, validation
that names the field, who may do what, search, filters, ordering, pagination, ETags, bulk creation, the audit log and
the number of queries a page costs."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.users import services, tokens
from apps.users.models import User, UserGroup
from tests.conftest import REST, basic, count_queries

pytestmark = pytest.mark.django_db

NEW = {"userName": "300", "firstName": "Zed", "lastName": "Zulu", "aliases": ["zed"], "groups": ["sales"]}


@pytest.fixture
def sales(db):
    return UserGroup.objects.create(name="sales", description="Sales team")


def test_create_read_change_delete(api, sales):
    created = api.post("/users", NEW)
    assert created.status_code == 201, created.content
    assert created["Location"].endswith("/api/v1/users/300")
    body = created.json()
    assert body["userName"] == "300" and body["aliases"] == ["zed"] and body["groups"] == ["sales"]
    assert body["permissions"] == ["voicemail"] and body["callForwarding"] == {"expiration": 20, "rings": []}
    assert "pin" not in body and "sipPassword" not in body and "feedKey" not in body
    read = api.get("/users/300")
    assert read.status_code == 200 and read.json() == body and read["ETag"]
    changed = api.patch("/users/300", {"lastName": "Young", "aliases": ["zed", "zeddy"]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["lastName"] == "Young" and changed.json()["firstName"] == "Zed"
    user = User.objects.get(username="300")
    assert user.last_name == "Young" and user.aliases == ["zed", "zeddy"]
    assert api.delete("/users/300").status_code == 204
    assert api.get("/users/300").status_code == 404
    assert not User.objects.filter(username="300").exists()


def test_put_replaces_the_object_but_keeps_secrets_not_given(api, sales, make_user):
    make_user("301", pin="4321", aliases=["carol"], first_name="Carol", sip_password="sipsecret1")
    replaced = api.put("/users/301", {"userName": "301", "lastName": "King"})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["firstName"] == "" and replaced.json()["aliases"] == []
    user = User.objects.get(username="301")
    assert check_password("4321", user.password) and user.sip_password == "sipsecret1"
    # the PIN still works with Basic for the user name
    assert api.client.get(f"{REST}/my/logindetails", **basic("301", "4321")).status_code == 200


def test_write_only_secrets_are_set_and_never_shown(api, sales):
    assert (
        api.post("/users", {**NEW, "pin": "8642", "sipPassword": "sipsecret9", "voicemailPin": "9753"}).status_code
        == 201
    )
    user = User.objects.get(username="300")
    assert check_password("8642", user.password) and user.sip_password == "sipsecret9"
    assert api.client.get(f"{REST}/my/logindetails", **basic("zed", "8642")).status_code == 200
    for response in (api.get("/users/300"), api.get("/users?q=zed")):
        assert b"8642" not in response.content and b"sipsecret9" not in response.content
    assert api.patch("/users/300", {"pin": "1357"}).status_code == 200
    assert check_password("1357", User.objects.get(username="300").password)


@pytest.mark.parametrize(
    "body, field",
    [
        ({**NEW, "aliases": ["alice"]}, "aliases[0]"),
        ({**NEW, "groups": ["nobody"]}, "groups[0]"),
        ({**NEW, "pin": "   "}, "pin"),
        ({**NEW, "firstName": 7}, "firstName"),
        ({**NEW, "colour": "red"}, "colour"),
        (
            {**NEW, "callForwarding": {"rings": [{"number": "201", "type": "sometimes"}]}},
            "callForwarding.rings[0].type",
        ),
        ({"firstName": "Nobody"}, "userName"),
    ],
)
def test_refusals_name_the_field_and_store_nothing(api, alice, sales, body, field):
    before = User.objects.count()
    response = api.post("/users", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert response.json()["error"].startswith(field)
    assert User.objects.count() == before


def test_an_existing_user_name_is_a_conflict(api, alice):
    response = api.post("/users", {"userName": "200"})
    assert response.status_code == 409 and "exists already" in response.json()["error"]


def test_the_key_cannot_change(api, alice):
    response = api.patch("/users/200", {"userName": "299"})
    assert response.status_code == 400 and "userName" in response.json()["fields"]


def test_not_json_is_a_400(api, alice):
    response = api.call("PATCH", "/users/200", body="{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_bulk_create_is_all_or_nothing(api, alice, sales):
    people = [{"userName": f"4{i:02d}", "aliases": [f"p{i}"]} for i in range(20)]
    bad = [*people[:10], {"userName": "499", "aliases": ["alice"]}, *people[10:]]
    response = api.post("/users", bad)
    assert response.status_code == 400 and "[10].aliases[0]" in response.json()["fields"], response.content
    assert not User.objects.filter(username__startswith="4").exists()
    twice = api.post("/users", [people[0], {**people[1], "aliases": ["p0"]}])
    assert twice.status_code == 400 and not User.objects.filter(username__startswith="4").exists()
    response = api.post("/users", people)
    assert response.status_code == 201 and [u["userName"] for u in response.json()] == [p["userName"] for p in people]
    assert User.objects.filter(username__startswith="4").count() == 20


def test_a_stale_if_match_is_412_and_writes_nothing(api, alice):
    etag = api.get("/users/200")["ETag"]
    assert api.patch("/users/200", {"lastName": "Jones"}, headers={"If-Match": etag}).status_code == 200
    stale = api.patch("/users/200", {"lastName": "Brown"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and User.objects.get(username="200").last_name == "Jones"
    assert api.put("/users/200", {"userName": "200"}, headers={"If-Match": etag}).status_code == 412
    assert api.delete("/users/200", headers={"If-Match": etag}).status_code == 412
    fresh = api.get("/users/200")["ETag"]
    assert fresh != etag
    assert api.get("/users/200", headers={"If-None-Match": fresh}).status_code == 304
    assert api.delete("/users/200", headers={"If-Match": fresh}).status_code == 204


# ---- who may -----------------------------------------------------------------------------------------------


def test_who_may_use_the_admin_api(api, alice, admin_user, read_token):
    assert api.anonymous().get("/users").status_code == 401
    assert api.as_pin("alice", "1234").get("/users").status_code == 403
    assert api.as_pin("superadmin", "admin1234").get("/users").status_code == 200
    assert api.as_pin("superadmin", "wrong").get("/users").status_code == 401
    reader = api.as_token(read_token)
    assert reader.get("/users/200").status_code == 200
    refused = reader.patch("/users/200", {"lastName": "Nope"})
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]
    assert reader.delete("/users/200").status_code == 403
    assert User.objects.get(username="200").last_name == "Smith"
    # a user's own token is for their own /my data, not for the admin API
    own = tokens.create_token(alice, "mine", "write")[1]
    assert api.as_token(own).get("/users").status_code == 403
    assert api.as_token(own).get(f"{REST}/my/logindetails").status_code == 200


def test_revoked_expired_and_unknown_tokens_are_401(api, admin_user):
    token, secret = tokens.create_token(admin_user, "short", "write")
    assert api.as_token(secret).get("/users").status_code == 200
    tokens.revoke_token(token)
    assert api.as_token(secret).get("/users").status_code == 401
    token, secret = tokens.create_token(admin_user, "old", "write", expires=timezone.now() + timedelta(hours=1))
    type(token).objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert api.as_token(secret).get("/users").status_code == 401
    assert api.as_token("sxw_not-a-token").get("/users").status_code == 401
    admin_user.is_active = False
    admin_user.save()
    assert api.get("/users").status_code == 401


# ---- lists ---------------------------------------------------------------------------------------------------


def test_search_filters_ordering_and_pages(api, alice, sales, make_user):
    make_user("201", aliases=["bob"], first_name="Bob", last_name="Adams")
    make_user("202", aliases=["zed"], first_name="Carol", last_name="Zimmer", is_admin=True)
    User.objects.get(username="201").groups.add(sales)
    assert [u["userName"] for u in api.get("/users?q=zed").json()["results"]] == ["202"]
    assert [u["userName"] for u in api.get("/users?q=ADAMS").json()["results"]] == ["201"]
    assert [u["userName"] for u in api.get("/users?group=sales").json()["results"]] == ["201"]
    assert [u["userName"] for u in api.get("/users?admin=true").json()["results"]] == ["202", "superadmin"]
    by_last = api.get("/users?ordering=-lastName").json()["results"]
    assert [u["lastName"] for u in by_last][:3] == ["Zimmer", "Smith", "Adams"]
    assert api.get("/users?ordering=pin").status_code == 400
    first = api.get("/users?limit=2").json()
    assert first["count"] == 4 and len(first["results"]) == 2 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    names = [u["userName"] for u in first["results"] + second["results"]]
    assert names == sorted(names) and len(set(names)) == 4
    assert api.get("/users?group=abc").status_code == 400


def _many_users(count: int):
    services.save_users([services.UserRecord(username=f"5{i:05d}", aliases=[f"m{i}"]) for i in range(count)])


def test_the_list_costs_the_same_queries_for_10_and_2000_users(api, admin_user, settings):
    settings.API_THROTTLE_RATE = "0/min"  # its counter costs queries by the minute, not by the rows
    _many_users(10)
    api.get("/users")  # the token's first use writes its last-used time (then once a minute)
    small = count_queries(api.get, "/users?limit=100")
    _many_users(2000)
    large = count_queries(api.get, "/users?limit=100")
    assert small == large, (small, large)


# ---- audit ---------------------------------------------------------------------------------------------------


def test_each_change_is_in_the_audit_log_with_secrets_masked(api, sales):
    api.post("/users", {**NEW, "pin": "8642"})
    api.patch("/users/300", {"lastName": "Young", "sipPassword": "topsecret1"})
    api.delete("/users/300")
    entries = list(AuditEntry.objects.filter(kind="user", key="300").order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.actor == "superadmin" and e.channel == "api" and e.address == "127.0.0.1" for e in entries)
    assert entries[0].changes["aliases"] == [None, ["zed"]] and entries[0].changes["pin"] == ["(changed)", "(changed)"]
    assert entries[1].changes == {"last_name": ["Zulu", "Young"], "sip_password": ["(changed)", "(changed)"]}
    listed = api.get("/audit?kind=user&key=300").json()
    assert [e["action"] for e in listed["results"]] == ["delete", "update", "create"]
    assert b"8642" not in api.get("/audit").content and b"topsecret1" not in api.get("/audit").content


def test_groups_crud_and_audit(api, sales, alice):
    assert api.post("/groups", {"name": "support", "description": "Help desk"}).status_code == 201
    assert api.get("/groups/support").json() == {"name": "support", "description": "Help desk"}
    assert api.patch("/groups/support", {"description": "Helpdesk"}).json()["description"] == "Helpdesk"
    assert [g["name"] for g in api.get("/groups").json()["results"]] == ["sales", "support"]
    assert api.post("/groups", {"name": " "}).status_code == 400
    assert api.delete("/groups/support").status_code == 204
    actions = list(AuditEntry.objects.filter(kind="group", key="support").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "update"]


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "offset=-1", "limit=%C2%B2"])
def test_a_page_that_cannot_be_read_is_a_400(api, alice, query):
    response = api.get(f"/users?{query}")
    assert response.status_code == 400 and query.split("=")[0] in response.json()["fields"], response.content


def test_a_group_name_is_stored_without_surrounding_space(api):
    response = api.post("/groups", {"name": "\u00a0support ", "description": ""})
    assert response.status_code == 201 and response.json()["name"] == "support", response.content
    assert response["Location"].endswith("/groups/support")
    assert api.post("/groups", {"name": " support"}).status_code == 409
