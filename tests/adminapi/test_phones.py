"""/api/v1/phones as an integration uses it (JSON over HTTP with a real token): phones with their lines, read,
created (one or a list, all or nothing), changed and deleted through apps.phones.services; the refusals name the
field; who may do what; filters, search, pages, ETags; the audit log of every channel; a flat number of queries."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.phones.models import Line, Phone
from apps.phones.services import PhoneData, create_phone
from apps.users import tokens
from apps.users.models import ApiToken
from tests.conftest import REST, basic, count_queries, listed

NEW = {
    "serialNumber": "00:04:F2:AA:BB:CC",
    "model": "polycom550",
    "version": "3.2",
    "description": "Desk",
    "lines": ["alice", "201"],
}


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob")


@pytest.fixture
def desk(alice, bob):
    return create_phone(PhoneData("0004f2a1b2c3", "polycomVVX300", "Reception", "4.1", ["200", "bob"]))


def lines_of(serial: str) -> list[str]:
    return list(
        Line.objects.filter(phone__serial_number=serial).order_by("position").values_list("user__username", flat=True)
    )


def audit(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind="phone", **filters).order_by("id"))


def refused(response, path: str) -> str:
    """The message of a 400 that names exactly `path`."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "invalid" and list(body["fields"]) == [path], body
    return body["fields"][path][0]


# ---- create, read, change, delete ----------------------------------------------------------------------------


def test_create_read_change_delete(api, alice, bob):
    response = api.post("/phones", NEW)
    assert response.status_code == 201, response.content
    assert response["Location"] == "/api/v1/phones/0004f2aabbcc"
    stored = {
        "serialNumber": "0004f2aabbcc",
        "model": "polycom550",
        "version": "3.2.X",
        "description": "Desk",
        "lines": ["200", "201"],
    }
    assert response.json() == stored
    assert lines_of("0004f2aabbcc") == ["200", "201"]

    read = api.get("/phones/0004f2aabbcc")
    assert read.status_code == 200 and read.json() == stored and read["ETag"] == response["ETag"]

    changed = api.patch("/phones/0004f2aabbcc", {"lines": ["bob"]}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**stored, "lines": ["201"]} and changed["ETag"] != read["ETag"]

    # PUT replaces: what the body leaves out is at its default (no description, no lines, the model's newest).
    replaced = api.put("/phones/0004f2aabbcc", {"model": "snom720"})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json() == {
        "serialNumber": "0004f2aabbcc",
        "model": "snom720",
        "version": "10.1.X",
        "description": "",
        "lines": [],
    }
    assert lines_of("0004f2aabbcc") == []

    assert api.delete("/phones/0004f2aabbcc").status_code == 204
    assert api.get("/phones/0004f2aabbcc").status_code == 404
    assert not Phone.objects.exists()


def test_list_shows_every_phone_with_its_lines(api, desk):
    create_phone(PhoneData("001565000001", "yealinkPhoneT46"))
    body = api.get("/phones").json()
    assert body["count"] == 2
    assert body["results"] == [
        {
            "serialNumber": "0004f2a1b2c3",
            "model": "polycomVVX300",
            "version": "4.1.X",
            "description": "Reception",
            "lines": ["200", "201"],
        },
        {"serialNumber": "001565000001", "model": "yealinkPhoneT46", "version": "V86", "description": "", "lines": []},
    ]


def test_an_existing_serial_is_a_conflict(api, desk):
    response = api.post("/phones", {"serialNumber": "00-04-F2-A1-B2-C3", "model": "polycom300"})
    assert response.status_code == 409 and "serialNumber" in response.json()["error"]
    assert Phone.objects.get().model == "polycomVVX300"


# ---- refusals name the field -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"lines": ["alice", "nobody"]}, "lines[1]", 'there is no user "nobody"'),
        ({"lines": ["alice", "200"]}, "lines[1]", "has a line on this phone already"),
        ({"lines": "alice"}, "lines", "expected a list"),
        ({"serialNumber": "12345"}, "serialNumber", "12 hexadecimal digits"),
        ({"model": "nokia"}, "model", 'unknown phone model "nokia"'),
        ({"version": "9.9"}, "version", 'has no firmware version "9.9"'),
        ({"model": "polycom5000", "version": None}, "lines", "has 1 lines, not 2"),
        ({"description": "x" * 256}, "description", "longer than 255"),
        ({"colour": "red"}, "colour", "unknown key"),
    ],
)
def test_bad_phone_is_refused_by_field(api, alice, bob, change, path, words):
    message = refused(api.post("/phones", {**NEW, **change}), path)
    assert words in message
    assert not Phone.objects.exists() and not audit()


def test_model_is_required(api):
    assert refused(api.post("/phones", {"serialNumber": "0004f2aabbcc"}), "model") == "is required"


def test_bad_change_changes_nothing(api, desk):
    message = refused(api.patch("/phones/0004f2a1b2c3", {"lines": ["nobody"]}), "lines[0]")
    assert "nobody" in message
    refused(api.put("/phones/0004f2a1b2c3", {"serialNumber": "0004f2a1b2c4", "model": "snom720"}), "serialNumber")
    assert lines_of("0004f2a1b2c3") == ["200", "201"] and Phone.objects.get().model == "polycomVVX300"
    assert [e.action for e in audit()] == ["create"]  # the fixture's


def test_unknown_phone_is_404(api, db):
    response = api.get("/phones/0004f2ffffff")
    assert response.status_code == 404 and response.json()["type"] == "not_found"
    assert api.patch("/phones/0004f2ffffff", {"description": "x"}).status_code == 404
    assert api.delete("/phones/0004f2ffffff").status_code == 404


# ---- who may ---------------------------------------------------------------------------------------------


def test_anonymous_and_users_are_refused(api, desk):
    anonymous = api.anonymous()
    assert anonymous.get("/phones").status_code == 401
    assert anonymous.post("/phones", NEW).status_code == 401
    as_alice = api.as_pin("alice", "1234")
    assert as_alice.get("/phones").status_code == 403
    assert as_alice.delete("/phones/0004f2a1b2c3").status_code == 403
    assert api.as_pin("superadmin", "admin1234").get("/phones").status_code == 200
    assert Phone.objects.count() == 1


def test_read_only_token_reads_only(api, desk, read_token):
    reader = api.as_token(read_token)
    assert reader.get("/phones/0004f2a1b2c3").status_code == 200
    assert reader.post("/phones", NEW).status_code == 403
    assert reader.patch("/phones/0004f2a1b2c3", {"description": "x"}).status_code == 403
    assert reader.delete("/phones/0004f2a1b2c3").status_code == 403
    assert Phone.objects.get().description == "Reception" and len(audit()) == 1


def test_revoked_and_expired_tokens_are_refused(api, desk, admin_user):
    revoked, revoked_secret = tokens.create_token(admin_user, "old", "write")
    tokens.revoke_token(revoked)
    expired, expired_secret = tokens.create_token(admin_user, "short", "write", timezone.now() + timedelta(hours=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(seconds=1))
    for secret in (revoked_secret, expired_secret):
        assert api.as_token(secret).get("/phones").status_code == 401
        assert api.as_token(secret).delete("/phones/0004f2a1b2c3").status_code == 401
    assert Phone.objects.exists()


# ---- filters, search, pages, order ------------------------------------------------------------------------


@pytest.fixture
def several(alice, bob):
    create_phone(PhoneData("0004f2000001", "snom720", "Lobby", lines=["alice"]))
    create_phone(PhoneData("0004f2000002", "snom720", "Kitchen", lines=["bob"]))
    create_phone(PhoneData("0004f2000003", "polycom550", "Lobby annex", lines=["bob", "alice"]))
    create_phone(PhoneData("0004f2000004", "polycom550", "Spare"))


def serials(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["serialNumber"] for p in response.json()["results"]]


def test_filters_are_the_list_pages(api, several):
    assert serials(api.get("/phones?model=snom720")) == ["0004f2000001", "0004f2000002"]
    assert serials(api.get("/phones?user=bob")) == ["0004f2000002", "0004f2000003"]
    assert serials(api.get("/phones?user=200&model=polycom550")) == ["0004f2000003"]
    assert serials(api.get("/phones?user=nobody")) == []
    assert "nokia" in refused(api.get("/phones?model=nokia"), "model")


def test_search_is_the_list_pages(api, admin_client, several):
    for query, found in [("lobby", ["0004f2000001", "0004f2000003"]), ("000004", ["0004f2000004"]), ("zzz", [])]:
        assert serials(api.get(f"/phones?q={query}")) == found
        assert listed(admin_client, f"/phones/?q={query}", "serial_number") == found


def test_pages_and_order(api, several):
    page = api.get("/phones?limit=2&offset=1").json()
    assert page["count"] == 4 and [p["serialNumber"] for p in page["results"]] == ["0004f2000002", "0004f2000003"]
    assert "offset=3" in page["next"] and page["previous"] is not None
    assert serials(api.get("/phones?ordering=-description")) == [
        "0004f2000004",
        "0004f2000003",
        "0004f2000001",
        "0004f2000002",
    ]
    assert 'cannot order by "colour"' in refused(api.get("/phones?ordering=colour"), "ordering")


# ---- ETags -----------------------------------------------------------------------------------------------


def test_stale_if_match_is_412_and_writes_nothing(api, desk):
    tag = api.get("/phones/0004f2a1b2c3")["ETag"]
    assert api.get("/phones/0004f2a1b2c3", headers={"If-None-Match": tag}).status_code == 304
    assert api.patch("/phones/0004f2a1b2c3", {"description": "Front"}, headers={"If-Match": tag}).status_code == 200
    stale = api.patch("/phones/0004f2a1b2c3", {"lines": []}, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["type"] == "precondition_failed"
    assert api.put("/phones/0004f2a1b2c3", {"model": "snom720"}, headers={"If-Match": tag}).status_code == 412
    assert api.delete("/phones/0004f2a1b2c3", headers={"If-Match": tag}).status_code == 412
    phone = Phone.objects.get()
    assert (phone.model, phone.description, lines_of(phone.serial_number)) == ("polycomVVX300", "Front", ["200", "201"])
    assert [e.action for e in audit()] == ["create", "update"]


# ---- many at once: all or nothing --------------------------------------------------------------------------


def test_bulk_create(api, alice, bob):
    batch = [
        {"serialNumber": "0004f2000001", "model": "snom720", "lines": ["alice"]},
        {"serialNumber": "0004f2000002", "model": "snom720", "lines": ["bob", "alice"]},
    ]
    response = api.post("/phones", batch)
    assert response.status_code == 201, response.content
    assert [(p["serialNumber"], p["lines"]) for p in response.json()] == [
        ("0004f2000001", ["200"]),
        ("0004f2000002", ["201", "200"]),
    ]
    assert [(e.key, e.action) for e in audit()] == [("0004f2000001", "create"), ("0004f2000002", "create")]


@pytest.mark.parametrize(
    ("second", "path"),
    [
        ({"serialNumber": "0004f2000002", "model": "snom720", "lines": ["nobody"]}, "[1].lines[0]"),
        ({"serialNumber": "0004f2zz0002", "model": "snom720"}, "[1].serialNumber"),
        ({"serialNumber": "00:04:f2:00:00:01", "model": "snom720"}, "[1].serialNumber"),  # given twice
        ({"serialNumber": "0004f2000002"}, "[1].model"),
    ],
)
def test_one_bad_phone_stores_none(api, alice, second, path):
    refused(
        api.post("/phones", [{"serialNumber": "0004f2000001", "model": "snom720", "lines": ["alice"]}, second]), path
    )
    assert not Phone.objects.exists() and not Line.objects.exists() and not audit()


def test_bulk_with_an_existing_serial_is_a_conflict(api, desk):
    response = api.post(
        "/phones", [{"serialNumber": "0004f2000001", "model": "snom720"}, {**NEW, "serialNumber": "0004f2a1b2c3"}]
    )
    assert response.status_code == 409 and "[1].serialNumber" in response.json()["error"]
    assert list(Phone.objects.values_list("serial_number", flat=True)) == ["0004f2a1b2c3"]


# ---- the audit log ----------------------------------------------------------------------------------------


def test_api_changes_are_audited(api, alice, bob):
    api.post("/phones", NEW)
    api.patch("/phones/0004f2aabbcc", {"lines": ["bob"], "description": "Desk 2"})
    api.patch("/phones/0004f2aabbcc", {"description": "Desk 2"})  # as it is: nothing to tell
    api.delete("/phones/0004f2aabbcc")
    created, changed, deleted = audit(key="0004f2aabbcc")
    assert {(e.actor, e.channel) for e in (created, changed, deleted)} == {("superadmin", "api")}
    assert (created.action, changed.action, deleted.action) == ("create", "update", "delete")
    assert created.changes["lines"] == [None, ["200", "201"]] and created.changes["version"] == [None, "3.2.X"]
    assert changed.changes == {"description": ["Desk", "Desk 2"], "lines": [["200", "201"], ["201"]]}


def test_page_changes_are_audited(admin_client, alice, bob):
    form = {"serial_number": "00:04:F2:AA:BB:CC", "model": "polycom550", "version": "3.2", "description": "Desk"}
    assert admin_client.post(reverse("phones:phone_add"), {**form, "lines": "alice"}).status_code == 302
    phone = Phone.objects.get()
    edit = reverse("phones:phone_edit", args=[phone.pk])
    assert (
        admin_client.post(edit, {**form, "model": "polycom650", "version": "4.0", "lines": "bob, alice"}).status_code
        == 302
    )
    assert admin_client.post(reverse("phones:phone_delete", args=[phone.pk])).status_code == 302
    assert not Phone.objects.exists()
    created, changed, deleted = audit()
    assert {(e.actor, e.channel, e.key) for e in (created, changed, deleted)} == {
        ("superadmin", "page", "0004f2aabbcc")
    }
    assert changed.changes == {
        "model": ["polycom550", "polycom650"],
        "version": ["3.2.X", "4.0.X"],
        "lines": [["200"], ["201", "200"]],
    }
    assert deleted.action == "delete"


def test_rest_phone_post_is_audited(client, admin_user, alice):
    phones = [
        {"serialNumber": "0004f2000011", "model": "snom720", "line": ["alice"]},
        {"serialNumber": "x", "model": "snom720"},
    ]
    body = json.dumps({"phones": {"phone": phones}})
    response = client.post(REST + "/phone", body, content_type="application/json", **basic("superadmin", "admin1234"))
    assert response.status_code == 200, response.content
    (entry,) = audit()
    assert (entry.key, entry.action, entry.channel, entry.actor) == ("0004f2000011", "create", "rest", "superadmin")
    assert entry.changes["lines"] == [None, ["200"]]


def test_csv_import_is_audited(admin_client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", b"0004f2000021,snom720,Hall,alice\n0004f2000022,nokia,,\n", "text/csv")
    assert admin_client.post(reverse("phones:phone_import"), {"file": upload}).status_code == 200  # a bad row
    upload = SimpleUploadedFile("p.csv", b"0004f2000021,snom720,Hall,alice\n0004f2000022,snom720,,\n", "text/csv")
    preview = admin_client.post(reverse("phones:phone_import"), {"file": upload})
    assert (
        admin_client.post(reverse("phones:phone_import_confirm"), preview.context["confirm"].initial).status_code == 302
    )
    assert [(e.key, e.action, e.channel) for e in audit()] == [
        ("0004f2000021", "create", "page"),
        ("0004f2000022", "create", "page"),
    ]


# ---- queries ---------------------------------------------------------------------------------------------


def test_list_costs_the_same_queries_for_10_and_2000_phones(api, alice, bob, settings):
    settings.API_THROTTLE_RATE = "0/min"  # no throttle counter: its window may roll over between the two counts

    def listing(count: int) -> int:
        Phone.objects.all().delete()
        phones = Phone.objects.bulk_create(
            Phone(serial_number=f"0004f2{i:06x}", model="snom720", version="10.1.X") for i in range(count)
        )
        Line.objects.bulk_create(
            Line(phone=phone, user=user, position=n) for phone in phones for n, user in enumerate((alice, bob))
        )
        api.get("/phones")  # the token's last use is written at most once a minute: not in the count
        spent = count_queries(api.get, "/phones?limit=1000")
        assert api.get("/phones?limit=1000").json()["results"][-1]["lines"] == ["200", "201"]
        return spent

    assert listing(10) == listing(2000)
