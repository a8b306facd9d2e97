"""/api/v1/attendants, /api/v1/attendants/{name}/prompt and /api/v1/special-mode as an integration uses them: CRUD
with the data file's field names, refusals that name the field (the menu editor's rules), who may do what, search,
filters, ordering, pages, ETags, bulk creation, prompt upload/download/removal, the special mode, the audit log of
every channel's changes and the number of queries a page costs."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from apps.attendants import services
from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode
from apps.audit.models import AuditEntry
from apps.users import tokens
from tests.conftest import REST, basic, count_queries
from tests.voicemail.audio import tone_mp3, tone_wav

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Support",
    "description": "Help desk",
    "menu": [
        {"key": "1", "action": "transfer_out", "parameter": "201"},
        {"key": "2", "action": "transfer_to_another_aa_menu", "parameter": "Sales"},
    ],
    "digitTimeout": 7,
}
WAV = tone_wav(1)  # prompts are judged by their bytes (services.check_prompt): real recordings
MP3 = tone_mp3(1)


@pytest.fixture
def sales(db):
    attendant = AutoAttendant(name="Sales", description="Sales menu")
    return services.save_attendant(attendant, [("0", "operator", ""), ("1", "transfer_out", "201")])


def menu_of(name: str) -> list[tuple[str, str, str]]:
    return list(MenuItem.objects.filter(attendant__name=name).values_list("key", "action", "parameter"))


def upload(name="welcome.wav", content=WAV, field="file") -> bytes:
    return encode_multipart(BOUNDARY, {field: SimpleUploadedFile(name, content)})


def put_prompt(api, attendant: str, body: bytes, **kw):
    return api.put(f"/attendants/{attendant}/prompt", body, content_type=MULTIPART_CONTENT, **kw)


# ---- CRUD ----------------------------------------------------------------------------------------------------


def test_create_read_change_delete(api, sales):
    created = api.post("/attendants", NEW)
    assert created.status_code == 201, created.content
    assert created["Location"].endswith("/api/v1/attendants/Support")
    body = created.json()
    assert body == {
        "name": "Support",
        "systemId": None,
        "description": "Help desk",
        "language": "en",
        "menu": [
            {"key": "1", "action": "transfer_out", "parameter": "201"},
            {"key": "2", "action": "transfer_to_another_aa_menu", "parameter": "Sales"},
        ],
        "digitTimeout": 7,
        "maxInvalid": 3,
        "onFailure": "disconnect",
    }
    read = api.get("/attendants/Support")
    assert read.status_code == 200 and read.json() == body and read["ETag"]
    assert menu_of("Support") == [("1", "transfer_out", "201"), ("2", "transfer_to_another_aa_menu", "Sales")]

    changed = api.patch("/attendants/Support", {"menu": [{"key": "#", "action": "disconnect"}], "maxInvalid": 2})
    assert changed.status_code == 200, changed.content
    assert changed.json()["menu"] == [{"key": "#", "action": "disconnect", "parameter": None}]
    assert changed.json()["description"] == "Help desk" and changed.json()["digitTimeout"] == 7
    stored = AutoAttendant.objects.get(name="Support")
    assert (stored.max_invalid, stored.digit_timeout) == (2, 7) and menu_of("Support") == [("#", "disconnect", "")]

    replaced = api.put("/attendants/Support", {"name": "Support", "onFailure": "operator"})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["menu"] == [] and replaced.json()["description"] == ""
    assert replaced.json()["digitTimeout"] == 5 and replaced.json()["onFailure"] == "operator"
    assert menu_of("Support") == []

    assert api.delete("/attendants/Support").status_code == 204
    assert api.get("/attendants/Support").status_code == 404
    assert not AutoAttendant.objects.filter(name="Support").exists()


def test_the_list_has_the_system_attendants_first(api, sales):
    listed = api.get("/attendants").json()
    assert [(a["name"], a["systemId"]) for a in listed["results"]] == [
        ("operator", "operator"),
        ("After hours", "afterhour"),
        ("Sales", None),
    ]
    assert listed["results"][2]["menu"] == [
        {"key": "0", "action": "operator", "parameter": None},
        {"key": "1", "action": "transfer_out", "parameter": "201"},
    ]


def test_system_attendants_keep_their_system_id_and_stay(api, sales):
    replaced = api.put("/attendants/operator", {"name": "operator", "description": "Main menu"})
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["systemId"] == "operator" and replaced.json()["description"] == "Main menu"
    assert AutoAttendant.objects.get(system_id="operator").description == "Main menu"

    refused = api.patch("/attendants/operator", {"systemId": None})
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["systemId"]
    refused = api.patch("/attendants/Sales", {"systemId": "afterhour"})
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["systemId"]
    refused = api.post("/attendants", {"name": "Night 2", "systemId": "afterhour"})
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["systemId"]
    assert AutoAttendant.objects.get(name="Sales").system_id is None

    for name in ("operator", "After hours"):
        gone = api.delete(f"/attendants/{name}")
        assert gone.status_code == 409 and "system attendant" in gone.json()["error"]
    assert AutoAttendant.objects.filter(system_id__isnull=False).count() == 2


def test_an_existing_name_is_a_conflict_and_the_name_cannot_change(api, sales):
    taken = api.post("/attendants", {"name": "Sales"})
    assert taken.status_code == 409 and "Sales" in taken.json()["error"]
    renamed = api.patch("/attendants/Sales", {"name": "Marketing"})
    assert renamed.status_code == 400 and list(renamed.json()["fields"]) == ["name"]
    assert AutoAttendant.objects.filter(name="Sales").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"menu": [{"key": "x", "action": "operator"}]}, "menu[0].key"),
        ({"menu": [{"key": "1", "action": "operator"}, {"key": "10", "action": "operator"}]}, "menu[1].key"),
        ({"menu": [{"key": "1", "action": "operator"}, {"key": "1", "action": "disconnect"}]}, "menu[1].key"),
        ({"menu": [{"key": "1", "action": "fly"}]}, "menu[0].action"),
        (
            {"menu": [{"key": "1", "action": "transfer_to_another_aa_menu", "parameter": "Nowhere"}]},
            "menu[0].parameter",
        ),
        ({"menu": [{"key": "1", "action": "transfer_to_another_aa_menu"}]}, "menu[0].parameter"),
        ({"menu": [{"key": "1", "action": "transfer_out", "parameter": "not a number"}]}, "menu[0].parameter"),
        ({"menu": [{"key": "1", "action": "voicemail_deposit", "parameter": "999"}]}, "menu[0].parameter"),
        ({"menu": [{"key": "1", "action": "operator", "parameter": "201"}]}, "menu[0].parameter"),
        ({"menu": [{"key": "1"}]}, "menu[0].action"),
        ({"menu": [{"key": "1", "action": "operator", "colour": "red"}]}, "menu[0].colour"),
        ({"digitTimeout": 0}, "digitTimeout"),
        ({"maxInvalid": "3"}, "maxInvalid"),
        ({"onFailure": "explode"}, "onFailure"),
        ({"language": "x" * 17}, "language"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"prompt": "prompts/other.wav"}, "prompt"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_refusals_name_the_field_and_store_nothing(api, sales, change, field):
    before = (AutoAttendant.objects.count(), AuditEntry.objects.count())
    response = api.post("/attendants", {"name": "New", **change})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "invalid" and list(body["fields"]) == [field], body
    assert body["error"].startswith(f"{field}: ")
    assert (AutoAttendant.objects.count(), AuditEntry.objects.count()) == before
    if not field.startswith("name"):  # the same refusal when the change is to a stored attendant
        changed = api.patch("/attendants/Sales", change)
        assert changed.status_code == 400 and list(changed.json()["fields"]) == [field]
        assert menu_of("Sales") == [("0", "operator", ""), ("1", "transfer_out", "201")]


def test_not_json_is_a_400(api, sales):
    response = api.call("POST", "/attendants", b"{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["type"] == "invalid"


# ---- who may -------------------------------------------------------------------------------------------------


def test_who_may_use_the_attendants(api, sales, alice, make_user, read_token):
    make_user("210", pin="2468", perm_attendant_admin=True)
    assert api.anonymous().get("/attendants").status_code == 401
    assert api.anonymous().get("/attendants/Sales/prompt").status_code == 401
    assert api.as_pin("alice", "1234").get("/attendants").status_code == 403
    # Attendant administrators switch the special mode (below); attendants are for administrators, as on the pages.
    attendant_admin = api.as_pin("210", "2468")
    assert attendant_admin.get("/attendants").status_code == 403
    assert attendant_admin.patch("/attendants/Sales", {"description": "x"}).status_code == 403
    assert api.as_pin("superadmin", "admin1234").get("/attendants/Sales").status_code == 200
    reader = api.as_token(read_token)
    assert reader.get("/attendants/Sales").status_code == 200
    refused = reader.patch("/attendants/Sales", {"description": "Nope"})
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]
    assert reader.post("/attendants", {"name": "New"}).status_code == 403
    assert reader.delete("/attendants/Sales").status_code == 403
    assert put_prompt(reader, "Sales", upload()).status_code == 403
    assert reader.delete("/attendants/Sales/prompt").status_code == 403
    assert AutoAttendant.objects.get(name="Sales").description == "Sales menu"
    assert not AutoAttendant.objects.get(name="Sales").prompt


def test_who_may_switch_the_special_mode(api, sales, alice, make_user, read_token):
    make_user("210", pin="2468", perm_attendant_admin=True)
    assert api.anonymous().get("/special-mode").status_code == 401
    assert api.anonymous().put("/special-mode", {"enabled": True}).status_code == 401
    assert api.as_pin("alice", "1234").get("/special-mode").status_code == 403
    assert api.as_pin("alice", "1234").put("/special-mode", {"enabled": True}).status_code == 403
    reader = api.as_token(read_token)
    assert reader.get("/special-mode").status_code == 200
    assert reader.put("/special-mode", {"enabled": True}).status_code == 403
    assert not SpecialMode.current().enabled
    # As PUT /auto-attendant/specialmode and the attendant list page: an attendant administrator's PIN may.
    attendant_admin = api.as_pin("210", "2468")
    assert attendant_admin.put("/special-mode", {"enabled": True, "attendant": "Sales"}).status_code == 200
    assert attendant_admin.client.get(f"{REST}/auto-attendant/specialmode", **basic("210", "2468")).status_code == 200
    mode = SpecialMode.current()
    assert mode.enabled and mode.attendant.name == "Sales"
    own = tokens.create_token(alice, "mine", "write")[1]
    assert api.as_token(own).put("/special-mode", {"enabled": False}).status_code == 403


# ---- lists ---------------------------------------------------------------------------------------------------


def test_search_filters_ordering_and_pages(api, sales):
    assert api.post("/attendants", {"name": "Support", "description": "Help desk"}).status_code == 201
    assert (
        api.post("/attendants", {"name": "Night line", "menu": [{"key": "1", "action": "dial_by_name"}]}).status_code
        == 201
    )

    def names(query):
        response = api.get(f"/attendants?{query}")
        assert response.status_code == 200, response.content
        return [a["name"] for a in response.json()["results"]]

    assert names("q=help") == ["Support"]
    assert names("q=SALES") == ["Sales"]  # the name or the description, as the list page's search box
    assert names("action=transfer_out") == ["Sales"]
    assert names("action=dial_by_name&q=night") == ["Night line"]
    # ("operator" sorts by the database's collation: before or after the capitals)
    assert [n for n in names("ordering=-name") if n != "operator"] == ["Support", "Sales", "Night line", "After hours"]
    assert names("ordering=name")[:2] == ["After hours", "Night line"]
    assert api.get("/attendants?action=fly").status_code == 400
    assert api.get("/attendants?ordering=menu").status_code == 400
    first = api.get("/attendants?limit=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    rest = api.get(first["next"]).json()
    rest = rest["results"] + api.get(rest["next"]).json()["results"]
    every = [a["name"] for a in first["results"] + rest]
    assert every == ["operator", "After hours", "Sales", "Support", "Night line"]


def _many_attendants(count: int) -> None:
    start = AutoAttendant.objects.count()
    rows = AutoAttendant.objects.bulk_create(AutoAttendant(name=f"Menu {start + i:05d}") for i in range(count))
    MenuItem.objects.bulk_create(
        item
        for row in rows
        for item in (
            MenuItem(attendant=row, key="0", action="operator"),
            MenuItem(attendant=row, key="1", action="transfer_out", parameter="201"),
        )
    )


def test_the_list_costs_the_same_queries_for_10_and_2000_attendants(api, settings):
    settings.API_THROTTLE_RATE = "0/min"  # its counter costs queries by the minute, not by the rows
    _many_attendants(10)
    api.get("/attendants")  # the token's first use writes its last-used time (then once a minute)
    small = count_queries(api.get, "/attendants?limit=100&q=menu&action=operator")
    _many_attendants(2000)
    large = count_queries(api.get, "/attendants?limit=100&q=menu&action=operator")
    assert small == large, (small, large)
    assert len(api.get("/attendants?limit=1000").json()["results"]) == 1000


# ---- ETags and bulk ------------------------------------------------------------------------------------------


def test_a_stale_if_match_is_412_and_writes_nothing(api, sales):
    etag = api.get("/attendants/Sales")["ETag"]
    assert api.get("/attendants/Sales", headers={"If-None-Match": etag}).status_code == 304
    assert api.patch("/attendants/Sales", {"description": "Sales team"}, headers={"If-Match": etag}).status_code == 200
    stale = api.patch("/attendants/Sales", {"description": "Other"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and AutoAttendant.objects.get(name="Sales").description == "Sales team"
    assert api.put("/attendants/Sales", {"name": "Sales"}, headers={"If-Match": etag}).status_code == 412
    assert api.delete("/attendants/Sales", headers={"If-Match": etag}).status_code == 412
    assert menu_of("Sales") == [("0", "operator", ""), ("1", "transfer_out", "201")]
    fresh = api.get("/attendants/Sales")["ETag"]
    assert fresh != etag
    assert api.delete("/attendants/Sales", headers={"If-Match": fresh}).status_code == 204


def test_bulk_create_is_all_or_nothing(api, sales):
    before = AuditEntry.objects.count()
    refused = api.post(
        "/attendants",
        [
            {"name": "First", "menu": [{"key": "1", "action": "transfer_to_another_aa_menu", "parameter": "Second"}]},
            {"name": "Second", "menu": [{"key": "1", "action": "transfer_out"}]},
        ],
    )
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["[1].menu[0].parameter"]
    twice = api.post("/attendants", [{"name": "First"}, {"name": "First"}])
    assert twice.status_code == 400 and list(twice.json()["fields"]) == ["[1].name"]
    assert api.post("/attendants", [{"name": "First"}, {"name": "Sales"}]).status_code == 409
    assert not AutoAttendant.objects.filter(name__in=["First", "Second"]).exists()
    assert AuditEntry.objects.count() == before

    # A menu may name an attendant that the same request creates.
    created = api.post(
        "/attendants",
        [
            {"name": "First", "menu": [{"key": "1", "action": "transfer_to_another_aa_menu", "parameter": "Second"}]},
            {"name": "Second", "menu": [{"key": "*", "action": "repeat_prompt"}]},
        ],
    )
    assert created.status_code == 201, created.content
    assert [a["name"] for a in created.json()] == ["First", "Second"]
    assert menu_of("First") == [("1", "transfer_to_another_aa_menu", "Second")]


# ---- the prompt ----------------------------------------------------------------------------------------------


def test_prompt_upload_download_and_removal(api, sales, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stored = put_prompt(api, "Sales", upload("welcome.wav"))
    assert stored.status_code == 204, stored.content
    sales.refresh_from_db()
    first = sales.prompt.name
    assert first.startswith("prompts/welcome") and first.endswith(".wav")
    assert "prompt" not in api.get("/attendants/Sales").json()

    got = api.get("/attendants/Sales/prompt", HTTP_ACCEPT="audio/*")
    assert got.status_code == 200 and "wav" in got["Content-Type"]
    assert b"".join(got.streaming_content) == WAV
    part = api.get("/attendants/Sales/prompt", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"RIFF"

    # A change of the attendant keeps its prompt; a new upload replaces the file, the old one leaves storage.
    assert api.put("/attendants/Sales", {"name": "Sales"}).status_code == 200
    sales.refresh_from_db()
    assert sales.prompt.name == first
    with django_capture_on_commit_callbacks(execute=True):
        assert put_prompt(api, "Sales", upload("night.mp3", MP3)).status_code == 204
    sales.refresh_from_db()
    assert sales.prompt.name.startswith("prompts/night") and sales.prompt.name.endswith(".mp3")
    assert {p.name for p in (Path(settings.MEDIA_ROOT) / "prompts").iterdir()} == {sales.prompt.name.split("/")[-1]}
    assert api.get("/attendants/Sales/prompt")["Content-Type"] == "audio/mpeg"

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete("/attendants/Sales/prompt").status_code == 204
    sales.refresh_from_db()
    assert not sales.prompt and not list((Path(settings.MEDIA_ROOT) / "prompts").iterdir())
    assert api.get("/attendants/Sales/prompt").status_code == 404
    assert api.delete("/attendants/Sales/prompt").status_code == 404
    assert api.get("/attendants/Nowhere/prompt").status_code == 404
    assert put_prompt(api, "Nowhere", upload()).status_code == 404


@pytest.mark.parametrize(
    "body, fragment",
    [
        (upload("welcome.aiff", b"FORM" + WAV), "extension"),
        (upload("welcome.ogg", b"OggS" + WAV), "the recording cannot be read"),  # not really a browser's recording
        (upload("welcome", WAV), "extension"),
        (upload("welcome.wav", b""), "empty"),
        (upload("welcome.wav", b"Press 1 for sales.\n" * 10), "not a wav or mp3 recording"),
        (upload("welcome.wav", MP3), "holds mp3 audio but is named .wav"),
        (upload("welcome.wav", field="audio"), "file"),
        (
            encode_multipart(BOUNDARY, {"file": [SimpleUploadedFile("a.wav", WAV), SimpleUploadedFile("b.wav", WAV)]}),
            "one file",
        ),
        (encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.wav", WAV), "colour": "red"}), "unknown"),
    ],
)
def test_a_bad_prompt_is_a_400_and_stores_nothing(api, sales, settings, body, fragment):
    response = put_prompt(api, "Sales", body)
    assert response.status_code == 400, response.content
    fields = response.json()["fields"]
    assert list(fields) in (["file"], ["colour"]) and fragment in response.json()["error"].lower(), response.json()
    sales.refresh_from_db()
    assert not sales.prompt
    root = Path(settings.MEDIA_ROOT) / "prompts"
    assert not root.exists() or not list(root.iterdir())
    assert not AuditEntry.objects.filter(kind="attendant", key="Sales", action="update").exists()


def test_a_prompt_larger_than_the_page_takes_is_refused(api, sales, monkeypatch):
    monkeypatch.setattr(services, "PROMPT_MAX_BYTES", 100)
    response = put_prompt(api, "Sales", upload())
    assert response.status_code == 400 and "larger than" in response.json()["error"]
    assert api.call("PUT", "/attendants/Sales/prompt", {"file": "welcome.wav"}).status_code == 400
    sales.refresh_from_db()
    assert not sales.prompt


# ---- special mode --------------------------------------------------------------------------------------------


def test_special_mode_read_and_set(api, sales):
    read = api.get("/special-mode")
    assert read.status_code == 200 and read.json() == {"enabled": False, "attendant": None} and read["ETag"]

    on = api.put("/special-mode", {"enabled": True})  # nothing selected: afterhour (D11)
    assert on.status_code == 200 and on.json() == {"enabled": True, "attendant": "After hours"}
    selected = api.put("/special-mode", {"enabled": True, "attendant": "Sales"})
    assert selected.json() == {"enabled": True, "attendant": "Sales"}
    # the sipXconfig URIs see the same state
    rest = api.client.get(f"{REST}/auto-attendant/specialmode", **basic("superadmin", "admin1234"))
    assert b"<specialMode>true</specialMode>" in rest.content
    assert api.get("/attendants/Sales").status_code == 200
    busy = api.delete("/attendants/Sales")
    assert busy.status_code == 409 and "special mode" in busy.json()["error"]

    off = api.patch("/special-mode", {"enabled": False})  # the selection is kept
    assert off.json() == {"enabled": False, "attendant": "Sales"}
    mode = SpecialMode.current()
    assert (mode.enabled, mode.attendant.name) == (False, "Sales")
    cleared = api.put("/special-mode", {"enabled": False, "attendant": None})
    assert cleared.json() == {"enabled": False, "attendant": None}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"enabled": True, "attendant": "Nowhere"}, "attendant"),
        ({"enabled": "yes"}, "enabled"),
        ({"enabled": True, "attendant": 7}, "attendant"),
        ({"colour": "red"}, "colour"),
        ([{"enabled": True}], "body"),
    ],
)
def test_special_mode_refusals_name_the_field_and_change_nothing(api, sales, body, field):
    services.select_special(sales)
    before = AuditEntry.objects.count()
    for method in ("put", "patch"):
        response = getattr(api, method)("/special-mode", body)
        assert response.status_code == 400 and list(response.json()["fields"]) == [field], response.content
    mode = SpecialMode.current()
    assert (mode.enabled, mode.attendant.name) == (False, "Sales")
    assert AuditEntry.objects.count() == before


def test_special_mode_stale_if_match_is_412(api, sales):
    etag = api.get("/special-mode")["ETag"]
    assert api.get("/special-mode", headers={"If-None-Match": etag}).status_code == 304
    assert api.put("/special-mode", {"enabled": True}, headers={"If-Match": etag}).status_code == 200
    stale = api.put("/special-mode", {"enabled": False}, headers={"If-Match": etag})
    assert stale.status_code == 412 and SpecialMode.current().enabled
    assert (
        api.patch(
            "/special-mode", {"enabled": False}, headers={"If-Match": api.get("/special-mode")["ETag"]}
        ).status_code
        == 200
    )
    assert not SpecialMode.current().enabled


# ---- audit ---------------------------------------------------------------------------------------------------


def test_each_api_change_is_one_audit_entry(api, sales):
    assert api.post("/attendants", NEW).status_code == 201
    assert api.patch("/attendants/Support", {"description": "Helpdesk", "menu": []}).status_code == 200
    assert api.patch("/attendants/Support", {"description": "Helpdesk"}).status_code == 200  # no change: no entry
    assert put_prompt(api, "Support", upload("hello.wav")).status_code == 204
    assert api.delete("/attendants/Support/prompt").status_code == 204
    assert api.delete("/attendants/Support").status_code == 204
    entries = list(AuditEntry.objects.filter(kind="attendant", key="Support").order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "update", "update", "delete"]
    assert all(e.actor == "superadmin" and e.channel == "api" and e.address == "127.0.0.1" for e in entries)
    assert entries[0].changes["menu"] == [
        None,
        [
            {"key": "1", "action": "transfer_out", "parameter": "201"},
            {"key": "2", "action": "transfer_to_another_aa_menu", "parameter": "Sales"},
        ],
    ]
    assert entries[0].changes["digit_timeout"] == [None, 7]
    assert entries[1].changes == {
        "description": ["Help desk", "Helpdesk"],
        "menu": [
            [
                {"key": "1", "action": "transfer_out", "parameter": "201"},
                {"key": "2", "action": "transfer_to_another_aa_menu", "parameter": "Sales"},
            ],
            [],
        ],
    }
    assert list(entries[2].changes) == ["prompt"] and entries[2].changes["prompt"][0] is None
    assert entries[2].changes["prompt"][1].startswith("prompts/hello")
    assert entries[3].changes["prompt"][1] is None

    assert api.put("/special-mode", {"enabled": True, "attendant": "Sales"}).status_code == 200
    special = AuditEntry.objects.get(kind="special-mode")
    assert (special.key, special.action, special.channel) == ("special-mode", "update", "api")
    assert special.changes == {"enabled": [False, True], "attendant": [None, "Sales"]}
    listed = api.get("/audit?kind=attendant&key=Support").json()
    assert [e["action"] for e in listed["results"]] == ["delete", "update", "update", "update", "create"]


def test_pages_and_sipxconfig_uris_record_their_changes(api, sales, admin_client):
    page = admin_client.post(
        reverse("attendants:attendant_edit", args=[sales.pk]),
        {
            "name": "Sales",
            "description": "Sales team",
            "language": "en",
            "menu-TOTAL_FORMS": "1",
            "menu-INITIAL_FORMS": "0",
            "menu-0-key": "5",
            "menu-0-action": "dial_by_name",
            "menu-0-parameter": "",
        },
    )
    assert page.status_code == 302
    entry = AuditEntry.objects.filter(kind="attendant", key="Sales").latest("id")
    assert (entry.action, entry.channel, entry.actor) == ("update", "page", "superadmin")
    assert entry.changes["description"] == ["Sales menu", "Sales team"]
    assert entry.changes["menu"][1] == [{"key": "5", "action": "dial_by_name"}]

    admin_client.post(reverse("attendants:special_attendant"), {"attendant": sales.pk})
    admin = basic("superadmin", "admin1234")
    assert admin_client.put(f"{REST}/auto-attendant/specialmode", **admin).status_code == 204
    assert admin_client.delete(f"{REST}/auto-attendant/specialmode", **admin).status_code == 204
    assert admin_client.delete(f"{REST}/auto-attendant/Sales/special", **admin).status_code == 204
    changes = list(AuditEntry.objects.filter(kind="special-mode").order_by("id").values_list("channel", "changes"))
    assert changes == [
        ("page", {"attendant": [None, "Sales"]}),
        ("rest", {"enabled": [False, True]}),
        ("rest", {"enabled": [True, False]}),
        ("rest", {"attendant": ["Sales", None]}),
    ]

    with_prompt = admin_client.post(
        reverse("attendants:attendant_add"),
        {
            "name": "Greeter",
            "language": "en",
            "menu-TOTAL_FORMS": "0",
            "menu-INITIAL_FORMS": "0",
            "prompt": SimpleUploadedFile("hi.wav", WAV),
        },
    )
    assert with_prompt.status_code == 302
    created = AuditEntry.objects.get(kind="attendant", key="Greeter")
    assert created.action == "create" and created.changes["prompt"][1].startswith("prompts/hi")
    assert admin_client.post(reverse("attendants:attendant_delete", args=[sales.pk])).status_code == 302
    gone = AuditEntry.objects.filter(kind="attendant", key="Sales").latest("id")
    assert (gone.action, gone.channel) == ("delete", "page")


def test_import_replace_records_what_it_clears(tmp_path, sales):
    from tests.pbxdata.helpers import doc, run_import

    services.set_menu(AutoAttendant.objects.get(system_id="operator"), [("0", "dial_by_name", "")])
    services.select_special(sales)
    last = AuditEntry.objects.latest("id").id
    run_import(tmp_path, doc(), "--replace")
    entries = AuditEntry.objects.filter(id__gt=last)
    assert {e.channel for e in entries} == {"import"}
    assert not AutoAttendant.objects.filter(name="Sales").exists()
    assert entries.get(kind="attendant", key="Sales").action == "delete"
    assert entries.get(kind="attendant", key="operator").changes == {
        "menu": [[{"key": "0", "action": "dial_by_name"}], []]
    }
    assert entries.get(kind="special-mode").changes == {"attendant": ["Sales", None]}
    run_import(tmp_path, doc(), "--replace")  # no attendant left to clear: nothing to record for them
    # (the file has no provisioning section, so each --replace gives the provisioning credential a new random
    # password, and records that)
    kinds = {"attendant", "special-mode"}
    assert AuditEntry.objects.filter(channel="import", kind__in=kinds).count() == entries.filter(kind__in=kinds).count()
