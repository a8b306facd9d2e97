"""/api/v1/conferences as an integration uses it (JSON over HTTP with a real token): conference rooms read, created
(one or a list, all or nothing), changed and deleted through apps.conferences.services; the refusals name the field
and never echo a code; who may do what; filters, search, pages, ETags; the audit log of every channel (codes
masked, participants not logged); a flat number of queries."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.conferences import services
from apps.conferences.models import Conference
from apps.users import tokens
from apps.users.models import ApiToken
from tests.conftest import count_queries, listed

NEW = {
    "name": "team",
    "owner": "alice",
    "description": "Weekly team call",
    "extension": "8000",
    "accessCode": "555",
    "moderatorCode": "4321",
}
STORED = {
    "name": "team",
    "owner": "200",
    "description": "Weekly team call",
    "extension": "8000",
    "enabled": True,
    "accessCode": "555",
    "moderatorCode": "4321",
    "maxParticipants": 0,
    "autoRecord": False,
}


@pytest.fixture
def team(alice):
    return services.save_conference(
        Conference(
            name="team",
            owner=alice,
            description="Weekly team call",
            extension="8000",
            access_code="555",
            moderator_code="4321",
        )
    )


def audit(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind="conference", **filters).order_by("id"))


def refused(response, path: str) -> str:
    """The message of a 400 that names exactly `path`."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "invalid" and list(body["fields"]) == [path], body
    return body["fields"][path][0]


# ---- create, read, change, delete ----------------------------------------------------------------------------


def test_create_read_change_delete(api, alice):
    response = api.post("/conferences", NEW)
    assert response.status_code == 201, response.content
    assert response["Location"] == "/api/v1/conferences/team"
    assert response.json() == STORED

    read = api.get("/conferences/team")
    assert read.status_code == 200 and read.json() == STORED and read["ETag"] == response["ETag"]

    changed = api.patch(
        "/conferences/team", {"enabled": False, "maxParticipants": 12}, headers={"If-Match": read["ETag"]}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**STORED, "enabled": False, "maxParticipants": 12}

    # PUT replaces: what the body leaves out is at its default (no owner, no codes).
    replaced = api.put("/conferences/team", {"extension": "8001", "autoRecord": True})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json() == {
        "name": "team",
        "owner": None,
        "description": None,
        "extension": "8001",
        "enabled": True,
        "accessCode": None,
        "moderatorCode": None,
        "maxParticipants": 0,
        "autoRecord": True,
    }
    room = Conference.objects.get()
    assert (room.owner, room.access_code, room.extension, room.auto_record) == (None, None, "8001", True)

    assert api.delete("/conferences/team").status_code == 204
    assert api.get("/conferences/team").status_code == 404
    assert not Conference.objects.exists()


def test_codes_are_shown_as_the_admin_pages_show_them(api, admin_client, team):
    """The admin edit page shows both codes in clear to an administrator, and so does the admin JSON API."""
    page = admin_client.get(f"/conferences/{team.pk}/").content.decode()
    assert 'value="555"' in page and 'value="4321"' in page
    body = api.get("/conferences/team").json()
    assert (body["accessCode"], body["moderatorCode"]) == ("555", "4321")


def test_an_existing_name_is_a_conflict(api, team):
    response = api.post("/conferences", {"name": "team", "extension": "8100"})
    assert response.status_code == 409 and "name" in response.json()["error"]
    assert Conference.objects.get().extension == "8000"


# ---- refusals name the field -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"extension": "200"}, "extension", "is a user name or alias"),  # alice's user name
        ({"extension": "ALICE"}, "extension", "is a user name or alias"),  # her alias, whatever the case
        ({"extension": "80 00"}, "extension", "no spaces"),
        ({"name": "team call"}, "name", "letters, digits"),
        ({"owner": "nobody"}, "owner", 'There is no user "nobody"'),
        ({"accessCode": "12ab"}, "accessCode", "1 to 10 digits"),
        ({"moderatorCode": "12345678901"}, "moderatorCode", "1 to 10 digits"),
        ({"maxParticipants": 100001}, "maxParticipants", "100000"),
        ({"maxParticipants": "5"}, "maxParticipants", "expected a whole number"),
        ({"enabled": "yes"}, "enabled", "expected true or false"),
        ({"pin": "1234"}, "pin", "unknown key"),
    ],
)
def test_bad_room_is_refused_by_field(api, alice, change, path, words):
    response = api.post("/conferences", {**NEW, **change})
    assert words in refused(response, path)
    assert not Conference.objects.exists() and not audit()


def test_a_refused_code_is_never_echoed(api, alice):
    response = api.post("/conferences", {**NEW, "accessCode": "98765x", "moderatorCode": "1"})
    refused(response, "accessCode")
    assert b"98765" not in response.content


def test_an_extension_of_another_room_is_refused_ignoring_case(api, team, alice):
    api.post("/conferences", {"name": "lobby", "extension": "Lobby"})
    assert "belongs to another conference" in refused(
        api.post("/conferences", {"name": "board", "extension": "LOBBY"}), "extension"
    )
    assert "belongs to another conference" in refused(
        api.patch("/conferences/lobby", {"extension": "8000"}), "extension"
    )
    assert sorted(Conference.objects.values_list("extension", flat=True)) == ["8000", "Lobby"]


def test_name_is_required_and_is_the_key(api, team):
    assert refused(api.post("/conferences", {"extension": "8100"}), "name") == "is required"
    assert "key" in refused(api.put("/conferences/team", {"name": "other", "extension": "8000"}), "name")
    assert list(Conference.objects.values_list("name", flat=True)) == ["team"]


# ---- who may ---------------------------------------------------------------------------------------------


def test_anonymous_and_users_are_refused(api, team):
    anonymous = api.anonymous()
    assert anonymous.get("/conferences").status_code == 401
    assert anonymous.post("/conferences", {**NEW, "name": "x", "extension": "8100"}).status_code == 401
    owner = api.as_pin("alice", "1234")  # even the room's owner: the admin JSON API is for administrators
    assert owner.get("/conferences/team").status_code == 403
    assert owner.patch("/conferences/team", {"accessCode": "1"}).status_code == 403
    assert api.as_pin("superadmin", "admin1234").get("/conferences").status_code == 200
    assert Conference.objects.get().access_code == "555"


def test_read_only_token_reads_only(api, team, read_token):
    reader = api.as_token(read_token)
    assert reader.get("/conferences/team").status_code == 200
    assert reader.post("/conferences", {"name": "x", "extension": "8100"}).status_code == 403
    assert reader.put("/conferences/team", {"extension": "8100"}).status_code == 403
    assert reader.delete("/conferences/team").status_code == 403
    assert Conference.objects.get().extension == "8000" and len(audit()) == 1


def test_revoked_and_expired_tokens_are_refused(api, team, admin_user):
    revoked, revoked_secret = tokens.create_token(admin_user, "old", "write")
    tokens.revoke_token(revoked)
    expired, expired_secret = tokens.create_token(admin_user, "short", "write", timezone.now() + timedelta(hours=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(seconds=1))
    for secret in (revoked_secret, expired_secret):
        assert api.as_token(secret).get("/conferences").status_code == 401
        assert api.as_token(secret).delete("/conferences/team").status_code == 401
    assert Conference.objects.exists()


# ---- filters, search, pages, order ------------------------------------------------------------------------


@pytest.fixture
def rooms(alice, make_user):
    bob = make_user("201", aliases=["bob"])
    for name, extension, owner, enabled, description in [
        ("alpha", "8001", alice, True, "Sales"),
        ("bravo", "8002", bob, False, "Support"),
        ("charlie", "9003", None, True, None),
        ("delta", "8004", alice, False, "Sales review"),
    ]:
        room = Conference(name=name, extension=extension, owner=owner, enabled=enabled, description=description)
        services.save_conference(room)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["results"]]


def test_filters_are_the_list_pages(api, rooms):
    assert names(api.get("/conferences?enabled=false")) == ["bravo", "delta"]
    assert names(api.get("/conferences?owner=alice")) == ["alpha", "delta"]
    assert names(api.get("/conferences?owner=201&enabled=false")) == ["bravo"]
    assert names(api.get("/conferences?owner=nobody")) == []


def test_search_is_the_list_pages(api, admin_client, rooms):
    for query, found in [("sales", ["alpha", "delta"]), ("900", ["charlie"]), ("201", ["bravo"]), ("zzz", [])]:
        assert names(api.get(f"/conferences?q={query}")) == found
        assert listed(admin_client, f"/conferences/?q={query}") == found


def test_pages_and_order(api, rooms):
    page = api.get("/conferences?limit=2&offset=2").json()
    assert page["count"] == 4 and [c["name"] for c in page["results"]] == ["charlie", "delta"]
    assert page["next"] is None and page["previous"] is not None
    assert names(api.get("/conferences?ordering=-extension")) == ["charlie", "delta", "bravo", "alpha"]
    assert 'cannot order by "accessCode"' in refused(api.get("/conferences?ordering=accessCode"), "ordering")


# ---- ETags -----------------------------------------------------------------------------------------------


def test_stale_if_match_is_412_and_writes_nothing(api, team):
    tag = api.get("/conferences/team")["ETag"]
    assert api.get("/conferences/team", headers={"If-None-Match": tag}).status_code == 304
    assert api.patch("/conferences/team", {"description": "Daily"}, headers={"If-Match": tag}).status_code == 200
    stale = api.patch("/conferences/team", {"accessCode": "999"}, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["type"] == "precondition_failed"
    assert api.put("/conferences/team", {"extension": "8100"}, headers={"If-Match": tag}).status_code == 412
    assert api.delete("/conferences/team", headers={"If-Match": tag}).status_code == 412
    room = Conference.objects.get()
    assert (room.description, room.access_code, room.extension) == ("Daily", "555", "8000")
    assert [e.action for e in audit()] == ["create", "update"]


# ---- many at once: all or nothing --------------------------------------------------------------------------


def test_bulk_create(api, alice):
    batch = [{"name": "a", "extension": "8001", "owner": "alice"}, {"name": "b", "extension": "8002"}]
    response = api.post("/conferences", batch)
    assert response.status_code == 201, response.content
    assert [(c["name"], c["owner"]) for c in response.json()] == [("a", "200"), ("b", None)]
    assert [(e.key, e.action) for e in audit()] == [("a", "create"), ("b", "create")]


@pytest.mark.parametrize(
    ("second", "path"),
    [
        ({"name": "b", "extension": "alice"}, "[1].extension"),  # a user's alias
        ({"name": "b", "extension": "8001"}, "[1].extension"),  # the first room's too
        ({"name": "b", "extension": "8002", "owner": "nobody"}, "[1].owner"),
        ({"name": "b", "extension": "8002", "accessCode": "x"}, "[1].accessCode"),
        ({"name": "a", "extension": "8002"}, "[1].name"),  # given twice
        ({"name": "b"}, "[1].extension"),
    ],
)
def test_one_bad_room_stores_none(api, alice, second, path):
    refused(api.post("/conferences", [{"name": "a", "extension": "8001", "owner": "alice"}, second]), path)
    assert not Conference.objects.exists() and not audit()


def test_bulk_with_an_existing_name_is_a_conflict(api, team):
    response = api.post("/conferences", [{"name": "new", "extension": "8100"}, {"name": "team", "extension": "8101"}])
    assert response.status_code == 409 and "[1].name" in response.json()["error"]
    assert list(Conference.objects.values_list("name", flat=True)) == ["team"]


# ---- the audit log ----------------------------------------------------------------------------------------


def test_api_changes_are_audited_with_codes_masked(api, alice):
    api.post("/conferences", NEW)
    api.patch("/conferences/team", {"accessCode": "556", "description": "Daily"})
    api.patch("/conferences/team", {"description": "Daily"})  # as it is: nothing to tell
    api.delete("/conferences/team")
    created, changed, deleted = audit(key="team")
    assert {(e.actor, e.channel) for e in (created, changed, deleted)} == {("superadmin", "api")}
    assert (created.action, changed.action, deleted.action) == ("create", "update", "delete")
    assert created.changes["owner"] == [None, "200"] and created.changes["extension"] == [None, "8000"]
    assert changed.changes == {
        "description": ["Weekly team call", "Daily"],
        "access_code": ["(changed)", "(changed)"],
    }
    logged = json.dumps([e.changes for e in (created, changed, deleted)])
    assert "555" not in logged and "556" not in logged and "4321" not in logged


def test_page_changes_are_audited(admin_client, admin_user, alice):
    form = {"name": "team", "owner": alice.pk, "extension": "8000", "enabled": "on", "max_participants": "0"}
    assert admin_client.post("/conferences/add/", {**form, "access_code": "555"}).status_code == 302
    room = Conference.objects.get()
    assert admin_client.post(f"/conferences/{room.pk}/", {**form, "description": "Board"}).status_code == 302
    admin_client.force_login(alice)  # the owner, on the portal's page of her room
    response = admin_client.post(f"/portal/conferences/{room.pk}/", {"description": "Daily", "moderator_code": "12"})
    assert response.status_code == 302
    admin_client.force_login(admin_user)
    assert admin_client.post(f"/conferences/{room.pk}/delete/").status_code == 302
    assert not Conference.objects.exists()
    created, by_admin, by_owner, deleted = audit(key="team")
    assert [(e.actor, e.channel, e.action) for e in (created, by_admin, by_owner, deleted)] == [
        ("superadmin", "page", "create"),
        ("superadmin", "page", "update"),
        ("200", "page", "update"),
        ("superadmin", "page", "delete"),
    ]
    assert by_admin.changes == {"description": [None, "Board"], "access_code": ["(changed)", "(changed)"]}
    assert by_owner.changes == {"description": ["Board", "Daily"], "moderator_code": ["(changed)", "(changed)"]}


def test_participants_are_not_audited(team):
    row = services.join(team, "server-1", "call-1", "200", "Alice <sip:200@example.org>", False)
    services.set_muted(row, True)
    services.remove(row)
    services.leave("server-1", "call-1")
    assert [e.action for e in audit()] == ["create"]  # the room's own creation only


# ---- queries ---------------------------------------------------------------------------------------------


def test_list_costs_the_same_queries_for_10_and_2000_rooms(api, alice, settings):
    settings.API_THROTTLE_RATE = "0/min"  # no throttle counter: its window may roll over between the two counts

    def listing(count: int) -> int:
        Conference.objects.all().delete()
        Conference.objects.bulk_create(
            Conference(name=f"r{i:04d}", extension=f"9{i:04d}", owner=alice if i % 2 else None, access_code="1")
            for i in range(count)
        )
        api.get("/conferences")  # the token's last use is written at most once a minute: not in the count
        spent = count_queries(api.get, "/conferences?limit=1000")
        assert api.get("/conferences?limit=1000").json()["results"][-1]["owner"] == "200"
        return spent

    assert listing(10) == listing(2000)
