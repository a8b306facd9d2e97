"""/api/v1/mailboxes over HTTP with an administrator's token: mailboxes (counts, active greeting with ETag and
If-Match), messages (filters, limit/offset, move, mark heard, delete, the recording), greetings (upload, download,
remove); who may do what; the audit log of every voicemail change, from the API, the pages, the portal and the
sipXconfig URIs; and a page costs the same queries at 10 rows as at 2,000."""

import json
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from django.test.client import encode_multipart

from apps.audit.models import AuditEntry
from apps.pbxdata.sections import voicemail as voicemail_section
from apps.users.models import User
from apps.voicemail import services
from apps.voicemail.models import Greeting, Mailbox, Message
from tests.conftest import REST, count_queries
from tests.voicemail.audio import tone_wav
from tests.voicemail.conftest import put_demo_mail

MULTIPART = "multipart/form-data"
MESSAGE_KEYS = [k for k in voicemail_section.MESSAGE.fields if k != "audio"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob", last_name="Jones")


@pytest.fixture
def alice_mail(alice, bob) -> list[Message]:
    """The demo PBX's voicemail of 200 (docs/pbx-data.md): two in the inbox (one new), one saved."""
    services.set_active_greetings([(alice, "standard")])  # as the demo data file sets it: no recording
    return put_demo_mail(alice)


def entries(kind: str, key: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind, key=key).order_by("id"))


def wav_upload(seconds: float = 1, name: str = "greeting.wav") -> BytesIO:
    upload = BytesIO(tone_wav(seconds))
    upload.name = name
    return upload


# ---- mailboxes ------------------------------------------------------------------------------------------------


def test_mailbox_list_counts_greetings_filters(api, alice_mail, alice):
    services.save_greeting(alice, "standard", wav_upload(2))
    body = api.get("/mailboxes").json()
    assert body["count"] == 3  # superadmin, 200 and 201: every user has a mailbox
    mailboxes = {m["userName"]: m for m in body["results"]}
    assert mailboxes["200"] == {
        "userName": "200",
        "activeGreeting": "standard",
        "voicemailEmail": "off",
        "greetings": [{"type": "standard", "format": "wav", "durationSecs": 2}],
        "counts": {"new": 1, "inbox": 2, "saved": 1, "deleted": 0, "conference": 0},
    }
    assert mailboxes["201"]["activeGreeting"] == "none" and mailboxes["201"]["counts"]["inbox"] == 0

    assert [m["userName"] for m in api.get("/mailboxes?unheard=true").json()["results"]] == ["200"]
    assert [m["userName"] for m in api.get("/mailboxes?q=jones").json()["results"]] == ["201"]
    assert [m["userName"] for m in api.get("/mailboxes?ordering=-new&limit=1").json()["results"]] == ["200"]
    page = api.get("/mailboxes?limit=1&offset=1").json()
    assert page["count"] == 3 and [m["userName"] for m in page["results"]] == ["201"] and page["next"]
    refused = api.get("/mailboxes?ordering=password")
    assert refused.status_code == 400 and "ordering" in refused.json()["fields"]


def test_mailbox_read_and_change_the_active_greeting(api, alice_mail, alice):
    for kind in ("outofoffice", "extendedabsence"):  # a greeting is made active once it is recorded
        services.save_greeting(alice, kind, wav_upload(name=f"{kind}.wav"))
    response = api.get("/mailboxes/200")
    assert response.status_code == 200 and response["ETag"]
    tag, mailbox = response["ETag"], response.json()
    assert mailbox["activeGreeting"] == "standard"

    changed = api.patch("/mailboxes/200", {"activeGreeting": "outofoffice"}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["activeGreeting"] == "outofoffice" and changed["ETag"] != tag
    assert services.active_greeting(alice) == "outofoffice"
    # The sipXconfig URI reads what the API stored.
    assert api.as_pin("200", "1234").get(REST + "/my/mailbox/200/preferences/activegreeting").content == b"outofoffice"

    stale = api.patch("/mailboxes/200", {"activeGreeting": "extendedabsence"}, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["type"] == "precondition_failed"
    assert services.active_greeting(alice) == "outofoffice"

    # PUT sends back what GET gave (read-only keys unchanged); an absent greeting is the system's.
    whole = {**changed.json(), "activeGreeting": "extendedabsence"}
    assert api.put("/mailboxes/200", whole, headers={"If-Match": changed["ETag"]}).status_code == 200
    assert services.active_greeting(alice) == "extendedabsence"
    assert api.put("/mailboxes/200", {}).json()["activeGreeting"] == "none"
    assert api.put("/mailboxes/200", {"activeGreeting": None}).json()["activeGreeting"] == "none"

    audit = entries("mailbox", "200")
    assert [e.changes["active_greeting"] for e in audit[-3:]] == [
        ["standard", "outofoffice"],
        ["outofoffice", "extendedabsence"],
        ["extendedabsence", "none"],
    ]
    assert {(e.channel, e.actor) for e in audit[-3:]} == {("api", "superadmin")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"activeGreeting": "loud"}, "activeGreeting"),
        ({"activeGreeting": 1}, "activeGreeting"),
        ({"activeGreting": "standard"}, "activeGreting"),
        ({"userName": "201"}, "userName"),
        ({"counts": {"new": 0}}, "counts"),
        ({"greetings": []}, "greetings"),
        (["standard"], "body"),
    ],
)
def test_mailbox_changes_refused_name_the_field(api, alice_mail, alice, body, field):
    services.save_greeting(alice, "standard", wav_upload())
    before = AuditEntry.objects.count()
    response = api.patch("/mailboxes/200", body)
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
    assert services.active_greeting(alice) == "standard" and AuditEntry.objects.count() == before


def test_unknown_mailbox(api, db):
    response = api.get("/mailboxes/nobody")
    assert response.status_code == 404 and "nobody" in response.json()["error"]
    assert api.patch("/mailboxes/nobody", {"activeGreeting": "standard"}).status_code == 404
    assert api.get("/mailboxes/nobody/messages").status_code == 404


# ---- messages -------------------------------------------------------------------------------------------------


def test_message_list_filters_and_pages(api, alice_mail):
    body = api.get("/mailboxes/200/messages").json()
    assert body["count"] == 3
    assert [m["messageId"] for m in body["results"]] == ["0000000002", "0000000001", "0000000003"]  # newest first
    first = body["results"][1]
    assert list(first) == MESSAGE_KEYS
    assert first == {
        "user": "200",
        "folder": "inbox",
        "messageId": "0000000001",
        "subject": "Voice Message",
        "from": '"Bob Jones" <sip:201@example.org>',
        "fromBrief": "Bob Jones - 201",
        "received": "2026-11-20T09:15:00Z",
        "durationSecs": 12,
        "format": "wav",
        "heard": False,
    }

    def ids(query):
        response = api.get("/mailboxes/200/messages" + query)
        assert response.status_code == 200, response.content
        return [m["messageId"] for m in response.json()["results"]]

    assert ids("?folder=inbox") == ["0000000002", "0000000001"]
    assert ids("?folder=saved") == ["0000000003"]
    assert ids("?heard=false") == ["0000000001"]
    assert ids("?folder=inbox&heard=true") == ["0000000002"]
    assert ids("?ordering=received") == ["0000000003", "0000000001", "0000000002"]
    assert ids("?limit=1&offset=1") == ["0000000001"]
    assert api.get("/mailboxes/201/messages").json() == {"count": 0, "next": None, "previous": None, "results": []}
    for query, field in [("?folder=attic", "folder"), ("?heard=maybe", "heard"), ("?ordering=size", "ordering")]:
        refused = api.get("/mailboxes/200/messages" + query)
        assert refused.status_code == 400 and list(refused.json()["fields"]) == [field], query


def test_message_move_mark_and_delete(api, alice_mail):
    url = "/mailboxes/200/messages/0000000001"
    response = api.get(url)
    tag = response["ETag"]
    assert response.json()["folder"] == "inbox"

    moved = api.patch(url, {"folder": "saved", "heard": True}, headers={"If-Match": tag})
    assert moved.status_code == 200, moved.content
    assert moved.json()["folder"] == "saved" and moved.json()["heard"] is True
    stored = Message.objects.get(message_id="0000000001")
    assert (stored.folder, stored.heard) == ("saved", True)
    assert api.patch(url, {"folder": "inbox"}, headers={"If-Match": tag}).status_code == 412
    assert api.delete(url, headers={"If-Match": tag}).status_code == 412
    # What GET gave may come back: only folder and heard may differ.
    assert api.patch(url, {**moved.json(), "heard": False}).json()["heard"] is False

    # A move to "deleted" is the pages' delete: the message can come back; DELETE removes it.
    assert api.patch(url, {"folder": "deleted"}).json()["folder"] == "deleted"
    assert api.delete(url, headers={"If-Match": api.get(url)["ETag"]}).status_code == 204
    assert not Message.objects.filter(message_id="0000000001").exists()
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404

    audit = entries("message", "200/0000000001")
    assert [(e.action, e.changes) for e in audit] == [
        ("create", audit[0].changes),  # stored by the fixture, as the data file stores a message
        ("update", {"folder": ["inbox", "saved"]}),
        ("update", {"heard": [False, True]}),
        ("update", {"heard": [True, False]}),
        ("update", {"folder": ["saved", "deleted"]}),
        ("delete", {}),
    ]
    assert {(e.channel, e.actor) for e in audit[1:]} == {("api", "superadmin")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"folder": "attic", "heard": True}, "folder"),
        ({"folder": "saved", "heard": "yes"}, "heard"),
        ({"folder": "saved", "subject": "Changed"}, "subject"),
        ({"messageId": "0000000009"}, "messageId"),
        ({"audio": "x.wav"}, "audio"),
        ({"fodler": "saved"}, "fodler"),
        ("saved", "body"),
    ],
)
def test_message_changes_refused_change_nothing(api, alice_mail, body, field):
    before = AuditEntry.objects.count()
    if isinstance(body, str):  # a JSON string, not an object
        response = api.patch("/mailboxes/200/messages/0000000001", json.dumps(body), content_type="application/json")
    else:
        response = api.patch("/mailboxes/200/messages/0000000001", body)
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
    stored = Message.objects.get(message_id="0000000001")
    assert (stored.folder, stored.heard, stored.subject) == ("inbox", False, "Voice Message")
    assert AuditEntry.objects.count() == before


def test_message_of_another_mailbox_is_not_found(api, alice_mail, bob):
    assert api.get("/mailboxes/201/messages/0000000001").status_code == 404
    assert api.patch("/mailboxes/201/messages/0000000001", {"folder": "saved"}).status_code == 404
    assert api.delete("/mailboxes/201/messages/0000000001").status_code == 404
    assert api.get("/mailboxes/201/messages/0000000001/audio").status_code == 404
    assert Message.objects.get(message_id="0000000001").folder == "inbox"


def test_message_audio(api, alice_mail):
    stored = Message.objects.get(message_id="0000000001")
    with stored.audio.open("rb") as f:
        data = f.read()
    response = api.get("/mailboxes/200/messages/0000000001/audio", headers={"Accept": "audio/*"})
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content) == data
    part = api.get("/mailboxes/200/messages/0000000001/audio", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[:4]
    missing = api.get("/mailboxes/200/messages/0000000099/audio", headers={"Accept": "audio/*"})
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")


# ---- greetings ------------------------------------------------------------------------------------------------


def test_greeting_upload_download_remove(api, alice):
    url = "/mailboxes/200/greetings/outofoffice"
    assert api.get(url).status_code == 404
    created = _upload(api, url, wav_upload(2))
    assert created.status_code == 201, created.content
    assert created.json() == {"type": "outofoffice", "format": "wav", "durationSecs": 2}
    audio = api.get(url, headers={"Accept": "audio/wav"})
    assert audio.status_code == 200 and b"".join(audio.streaming_content) == tone_wav(2)
    assert api.get("/mailboxes/200").json()["greetings"] == [created.json()]

    replaced = _upload(api, url, wav_upload(3))
    assert replaced.status_code == 200 and replaced.json()["durationSecs"] == 3
    same_length = _upload(api, url, BytesIO(tone_wav(3)[:-2] + b"\x01\x02"))
    assert same_length.status_code == 200

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404 and api.delete(url).status_code == 404
    assert not Greeting.objects.filter(mailbox__user=alice).exists()

    audit = entries("greeting", "200/outofoffice")
    assert [e.action for e in audit] == ["create", "update", "update", "delete"]
    assert audit[1].changes["duration"] == [2, 3]
    assert list(audit[2].changes) == ["sha256"]  # a new recording of the same length is a change too
    assert {e.channel for e in audit} == {"api"}


def _upload(api, url, file):
    """PUT of a multipart body with the file as `audio`, as a client uploads a greeting."""
    if not getattr(file, "name", None):
        file.name = "greeting.wav"
    boundary = "BoUnDaRy"
    return api.put(url, encode_multipart(boundary, {"audio": file}), content_type=f"{MULTIPART}; boundary={boundary}")


def test_greeting_uploads_refused(api, alice):
    url = "/mailboxes/200/greetings/standard"
    not_audio = BytesIO(b"this is not a recording")
    not_audio.name = "notes.txt"
    response = _upload(api, url, not_audio)
    assert response.status_code == 400 and list(response.json()["fields"]) == ["audio"]
    response = api.put(url, {"audio": "AAAA"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["audio"]
    unknown = _upload(api, "/mailboxes/200/greetings/birthday", wav_upload())
    assert unknown.status_code == 404 and "standard" in unknown.json()["error"]
    assert not Greeting.objects.exists() and not AuditEntry.objects.filter(kind="greeting").exists()


# ---- who may ----------------------------------------------------------------------------------------------------


def test_permissions(api, read_token, alice_mail):
    urls = ["/mailboxes", "/mailboxes/200", "/mailboxes/200/messages", "/mailboxes/200/messages/0000000001"]
    for url in urls:
        assert api.anonymous().get(url).status_code == 401, url
        assert api.as_pin("200", "1234").get(url).status_code == 403, url  # even her own mailbox: admins only
        assert api.as_token(read_token).get(url).status_code == 200, url
    reader = api.as_token(read_token)
    assert reader.get("/mailboxes/200/messages/0000000001/audio").status_code == 200
    writes = [
        reader.patch("/mailboxes/200", {"activeGreeting": "none"}),
        reader.put("/mailboxes/200", {}),
        reader.patch("/mailboxes/200/messages/0000000001", {"folder": "saved"}),
        reader.delete("/mailboxes/200/messages/0000000001"),
        _upload(reader, "/mailboxes/200/greetings/standard", wav_upload()),
        reader.delete("/mailboxes/200/greetings/standard"),
    ]
    assert [w.status_code for w in writes] == [403] * len(writes)
    assert all(w.json()["error"] == "This API token is read-only." for w in writes)
    assert api.as_pin("200", "1234").patch("/mailboxes/200/messages/0000000001", {"heard": True}).status_code == 403
    stored = Message.objects.get(message_id="0000000001")
    assert (stored.folder, stored.heard) == ("inbox", False)
    assert services.active_greeting(stored.user) == "standard"


# ---- the audit log of every other channel ---------------------------------------------------------------------


def test_pages_portal_and_sipxconfig_uris_are_audited(client, admin_client, api, alice_mail, alice, bob):
    action = "/voicemail/200/messages/0000000001/action/"
    assert admin_client.post(action, {"action": "move", "folder": "saved"}).status_code == 302
    assert admin_client.post("/voicemail/200/greeting/", {"active_greeting": "none"}).status_code == 302
    page = entries("message", "200/0000000001")[-1]
    assert (page.channel, page.actor, page.changes) == ("page", "superadmin", {"folder": ["inbox", "saved"]})
    assert entries("mailbox", "200")[-1].changes == {"active_greeting": ["standard", "none"]}

    client.logout()
    client.force_login(alice)
    assert client.post("/portal/voicemail/messages/0000000002/action/", {"action": "delete"}).status_code == 302
    portal = entries("message", "200/0000000002")[-1]
    assert (portal.channel, portal.actor, portal.changes) == ("page", "200", {"folder": ["inbox", "deleted"]})
    upload = client.post("/portal/voicemail/greetings/upload/", {"kind": "standard", "audio": wav_upload()})
    assert upload.status_code == 302
    assert [(e.channel, e.actor, e.action) for e in entries("greeting", "200/standard")] == [("page", "200", "create")]

    services.save_greeting(alice, "outofoffice", wav_upload())
    rest = api.as_pin("200", "1234").put(REST + "/my/mailbox/200/preferences/activegreeting/outofoffice", b"x")
    assert rest.status_code == 200
    last = entries("mailbox", "200")[-1]
    assert (last.channel, last.actor, last.changes) == ("rest", "200", {"active_greeting": ["none", "outofoffice"]})

    deposit = client.post(
        REST + "/mailbox/201/messages",
        {"audio": wav_upload(), "from": "<sip:200@example.org>"},
        HTTP_AUTHORIZATION=api.as_pin("superadmin", "admin1234").headers["HTTP_AUTHORIZATION"],
    )
    assert deposit.status_code == 201, deposit.content
    message = Message.objects.get(user=bob)
    created = entries("message", f"201/{message.message_id}")
    assert [(e.channel, e.action) for e in created] == [("rest", "create")]
    assert created[0].changes["folder"] == [None, "inbox"]


def test_media_server_deposit_and_retrieval_are_audited_as_the_system(bob):
    message = services.deposit(bob, wav_upload(), sender="<sip:200@example.org>")
    services.set_heard(message)
    services.delete(message)
    services.delete(message)
    audit = entries("message", f"201/{message.message_id}")
    assert [e.action for e in audit] == ["create", "update", "update", "delete"]
    assert {(e.channel, e.actor) for e in audit} == {("system", "")}


def test_data_file_voicemail_is_audited(alice_mail, alice, bob):
    """The data file stores messages and greetings through the same services (upsert, set_active_greetings)."""
    services.set_active_greetings([(alice, None), (bob, "standard")])
    assert entries("mailbox", "200")[-1].changes == {"active_greeting": ["standard", "none"]}
    assert entries("mailbox", "201")[-1].changes == {"active_greeting": ["none", "standard"]}
    count = AuditEntry.objects.count()
    services.set_active_greetings([(alice, "none"), (bob, "standard")])  # as it is: nothing to tell
    assert AuditEntry.objects.count() == count
    assert [e.action for e in entries("message", "200/0000000001")] == ["create"]


# ---- a fixed number of queries ----------------------------------------------------------------------------------


def _fill(numbers: range, now: datetime) -> None:
    """Users q<n> with a mailbox and a recorded greeting each, and one message per user, all in q00000's mailbox."""
    users = User.objects.bulk_create([User(username=f"q{i:05d}", first_name="Q") for i in numbers])
    mailboxes = Mailbox.objects.bulk_create([Mailbox(user=u, active_greeting="standard") for u in users])
    Greeting.objects.bulk_create(
        [Greeting(mailbox=m, kind="standard", audio="none.wav", format="wav", duration=1) for m in mailboxes]
    )
    owner = User.objects.get(username="q00000")
    Message.objects.bulk_create(
        [
            Message(
                user=owner,
                message_id=f"q{i:09d}",
                received=now - timedelta(minutes=i),
                folder=("inbox", "saved", "deleted")[i % 3],
                heard=bool(i % 2),
            )
            for i in numbers
        ]
    )


@pytest.mark.parametrize("query", ["", "?unheard=true&q=q0&ordering=-new", "?limit=1000&offset=3"])
def test_mailbox_list_costs_the_same_at_10_and_2000(api, admin_user, query):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    _fill(range(10), now)
    api.get(
        "/mailboxes" + query
    )  # the token's first use is stored (and the throttle's window made): not part of a page
    small = count_queries(api.get, "/mailboxes" + query)
    _fill(range(10, 2000), now)
    assert api.get("/mailboxes?limit=1").json()["count"] == 2001
    assert count_queries(api.get, "/mailboxes" + query) == small


@pytest.mark.parametrize("query", ["", "?folder=saved&heard=true", "?limit=1000&offset=2&ordering=received"])
def test_message_list_costs_the_same_at_10_and_2000(api, admin_user, query):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    _fill(range(10), now)
    api.get(
        "/mailboxes/q00000/messages" + query
    )  # the token's first use is stored (and the throttle's window made): not part of a page
    small = count_queries(api.get, "/mailboxes/q00000/messages" + query)
    _fill(range(10, 2000), now)
    assert api.get("/mailboxes/q00000/messages?limit=1").json()["count"] == 2000
    assert count_queries(api.get, "/mailboxes/q00000/messages" + query) == small
