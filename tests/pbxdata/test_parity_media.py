"""Parity for conferences and voicemail: every rule the data file can express gives the same answer whichever way
the input arrives — REST where a URI writes it (real admin Basic credentials), the admin HTML pages (logged in as
an administrator) and import_pbx. Each row of a table runs once per channel on its own database; an accepted
input stores the same thing, a refused one stores nothing. The data file's sections cost a fixed number of
queries whatever their length."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.urls import reverse

from apps.conferences.models import Conference
from apps.users import lookup
from apps.users.credentials import find_login
from apps.voicemail import services as voicemail
from apps.voicemail.models import Mailbox, Message
from tests.conftest import REST, basic, count_queries
from tests.pbxdata.helpers import doc, run_import
from tests.pbxdata.test_parity import ADMIN, admin_client_in, file_accepts, pbx  # noqa: F401 (fixtures)
from tests.voicemail.audio import tone_mp3, tone_wav


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def room(pbx):  # noqa: F811 (the fixture imported above)
    """A stored conference whose extension is in mixed case."""
    return Conference.objects.create(name="team", extension="Team8")


# ---- conferences -------------------------------------------------------------------------------------------

# (id, the conference as the data file writes it, accepted?, stored fields when accepted)
# Stored: (owner's user name, description, extension, enabled, access code, moderator code, max, auto record).
DEFAULT = (None, None, "8100", True, None, None, 0, False)
FILE_ONLY = "file only"  # the page picks the owner from a list: a typed name reaches it only through the file
CONFERENCES = [
    ("plain", {}, True, DEFAULT),
    ("name with a dot", {"name": "room.1"}, True, DEFAULT),
    ("name with a space", {"name": "a room"}, False, None),
    ("name with a slash", {"name": "a/b"}, False, None),
    ("name empty", {"name": ""}, False, None),
    ("name too long", {"name": "r" * 256}, False, None),
    ("extension with symbols", {"extension": "*98#"}, True, (None, None, "*98#", True, None, None, 0, False)),
    ("extension with a space", {"extension": "81 00"}, False, None),
    ("extension empty", {"extension": ""}, False, None),
    ("extension too long", {"extension": "8" * 65}, False, None),
    ("extension is a user name", {"extension": "200"}, False, None),
    ("extension is an alias in another case", {"extension": "ALICE"}, False, None),
    (
        "extension is an IM id (nobody dials it)",
        {"extension": "alice.im"},
        True,
        (*DEFAULT[:2], "alice.im", *DEFAULT[3:]),
    ),
    ("extension of another conference", {"extension": "Team8"}, False, None),
    ("extension of another conference in another case", {"extension": "TEAM8"}, False, None),
    ("owner by user name", {"owner": "200"}, True, ("200", *DEFAULT[1:])),
    ("owner unknown", {"owner": "nobody"}, False, None),
    ("owner by alias", {"owner": "alice"}, FILE_ONLY, ("200", *DEFAULT[1:])),
    ("owner by enabled IM id", {"owner": "alice.im"}, FILE_ONLY, ("200", *DEFAULT[1:])),
    ("owner by disabled IM id", {"owner": "bob.im"}, FILE_ONLY, None),
    ("description", {"description": "Board"}, True, (None, "Board", *DEFAULT[2:])),
    ("description empty is not set", {"description": ""}, True, DEFAULT),
    ("description too long", {"description": "d" * 256}, False, None),
    ("disabled", {"enabled": False}, True, (*DEFAULT[:3], False, *DEFAULT[4:])),
    ("access code", {"accessCode": "0123"}, True, (*DEFAULT[:4], "0123", None, 0, False)),
    ("access code empty is not set", {"accessCode": ""}, True, DEFAULT),
    ("access code with letters", {"accessCode": "12ab"}, False, None),
    ("access code of 11 digits", {"accessCode": "12345678901"}, False, None),
    ("moderator code", {"moderatorCode": "4321"}, True, (*DEFAULT[:5], "4321", 0, False)),
    ("moderator code with a sign", {"moderatorCode": "-1"}, False, None),
    ("participant limit", {"maxParticipants": 100000}, True, (*DEFAULT[:6], 100000, False)),
    ("participant limit too high", {"maxParticipants": 100001}, False, None),
    ("participant limit negative", {"maxParticipants": -1}, False, None),
    ("recorded", {"autoRecord": True}, True, (*DEFAULT[:7], True)),
]

# The data file's key -> the admin form's field.
FORM_FIELDS = {
    "name": "name",
    "description": "description",
    "extension": "extension",
    "accessCode": "access_code",
    "moderatorCode": "moderator_code",
    "maxParticipants": "max_participants",
}


def conference_record(fields: dict) -> dict:
    return {"name": "room", "extension": "8100", **fields}


def send_conference(channel: str, record: dict, client, tmp_path) -> bool:
    if channel == "page":
        form = {field: record.get(key) or "" for key, field in FORM_FIELDS.items()}
        form["max_participants"] = str(record.get("maxParticipants", 0))
        if record.get("enabled", True):
            form["enabled"] = "on"
        if record.get("autoRecord"):
            form["auto_record"] = "on"
        owner = lookup.find_user(record["owner"]) if record.get("owner") else None
        form["owner"] = owner.pk if owner else (99999 if record.get("owner") else "")
        response = client.post(reverse("conferences:conference_add"), form)
        assert response.status_code in (200, 302)
        return response.status_code == 302
    return file_accepts(tmp_path, doc(conferences=[record]))


def stored_conferences():
    return sorted(Conference.objects.values_list("name", "owner__username", "extension", "access_code"))


def conference_cases():
    for name, fields, accepted, stored in CONFERENCES:
        for channel in ["file"] if accepted == FILE_ONLY else ["page", "file"]:
            ok = stored is not None if accepted == FILE_ONLY else accepted
            yield pytest.param(channel, fields, ok, stored, id=f"{name}-{channel}")


@pytest.mark.parametrize(("channel", "fields", "accepted", "stored"), list(conference_cases()))
def test_conference_rule(admin_client_in, room, tmp_path, channel, fields, accepted, stored):  # noqa: F811
    before = stored_conferences()
    record = conference_record(fields)
    assert send_conference(channel, record, admin_client_in, tmp_path) is accepted
    if not accepted:
        assert stored_conferences() == before
        return
    c = Conference.objects.select_related("owner").get(name=record["name"])
    owner = c.owner.username if c.owner else None
    codes = (c.access_code, c.moderator_code, c.max_participants, c.auto_record)
    assert (owner, c.description, c.extension, c.enabled, *codes) == stored


def test_an_owner_sees_the_same_room_whichever_way_it_came(admin_client_in, tmp_path):  # noqa: F811
    """GET /my/conferences (the read URI) shows what the page and the file stored, byte for byte."""
    record = conference_record({"owner": "200", "description": "Board", "accessCode": "123"})
    assert send_conference("page", record, admin_client_in, tmp_path)
    from_page = admin_client_in.get(f"{REST}/my/conferences", **basic("alice", "1234")).content
    Conference.objects.all().delete()
    assert send_conference("file", record, admin_client_in, tmp_path)
    assert admin_client_in.get(f"{REST}/my/conferences", **basic("alice", "1234")).content == from_page
    assert b"<accessCode>123</accessCode>" in from_page


def test_the_page_refuses_a_taken_name_the_file_merges_by_it(admin_client_in, room, tmp_path):  # noqa: F811
    assert send_conference("page", conference_record({"name": "team"}), admin_client_in, tmp_path) is False
    assert send_conference("file", conference_record({"name": "team", "extension": "8100"}), None, tmp_path)
    assert Conference.objects.get(name="team").extension == "8100"


def test_file_extensions_may_move_between_its_rooms(pbx, tmp_path):  # noqa: F811
    rooms = [{"name": "a", "extension": "1"}, {"name": "b", "extension": "2"}]
    run_import(tmp_path, doc(conferences=rooms))
    run_import(tmp_path, doc(conferences=[{"name": "a", "extension": "2"}, {"name": "b", "extension": "1"}]))
    assert sorted(Conference.objects.values_list("name", "extension")) == [("a", "2"), ("b", "1")]


@pytest.mark.parametrize(
    ("rooms", "message"),
    [
        ([{"name": "a", "extension": "1"}, {"name": "b", "extension": "1"}], r"conferences\[1\]\.extension: "),
        ([{"name": "a", "extension": "1"}, {"name": "a", "extension": "2"}], r"conferences\[1\]\.name: "),
        ([{"name": "a", "extension": "1"}, {"name": "b", "extension": "TEAM8"}], r"conferences\[1\]\.extension: "),
        (
            [{"name": "a", "extension": "1"}, {"name": "b", "extension": "2", "owner": "x"}],
            r"conferences\[1\]\.owner: ",
        ),
    ],
)
def test_file_names_the_path_of_a_refused_room(room, tmp_path, rooms, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        run_import(tmp_path, doc(conferences=rooms))
    assert list(Conference.objects.values_list("name", flat=True)) == ["team"]


def test_file_conferences_cost_a_fixed_number_of_queries(pbx, tmp_path):  # noqa: F811
    def queries(count: int) -> int:
        Conference.objects.all().delete()
        rooms = [
            {"name": f"r{i}", "extension": f"9{i:03d}", "owner": "alice" if i % 2 else "201", "accessCode": "1"}
            for i in range(count)
        ]
        created = count_queries(run_import, tmp_path, doc(conferences=rooms))
        assert Conference.objects.count() == count
        merged = count_queries(run_import, tmp_path, doc(conferences=rooms))  # the same rooms again: each changed
        return created, merged

    assert queries(5) == queries(50)


# ---- voicemail: the active greeting ------------------------------------------------------------------------

GREETINGS = [
    ("none", True),
    ("standard", True),
    ("outofoffice", True),
    ("extendedabsence", True),
    ("loud", False),
    ("Standard", False),
]


def send_greeting(channel: str, greeting: str, client, tmp_path) -> bool:
    if channel == "rest":
        url = f"{REST}/my/mailbox/alice/preferences/activegreeting/{greeting}"
        status = client.put(url, "+", **ADMIN).status_code
        assert status in (200, 400)
        return status == 200
    if channel == "page":  # the page answers with a message either way: the stored value tells
        client.post(reverse("voicemail:greeting", args=["200"]), {"active_greeting": greeting})
        return voicemail.active_greeting(alice_user()) == greeting
    user = {"userName": "200", "aliases": ["alice"], "imId": "alice.im", "imEnabled": True, "activeGreeting": greeting}
    return file_accepts(tmp_path, doc(users=[user]))


def alice_user():
    return lookup.find_user("200")


def record_greetings(user, kinds=("standard", "outofoffice", "extendedabsence")):
    for kind in kinds:
        audio = BytesIO(tone_wav(1))
        audio.name = f"{kind}.wav"
        voicemail.save_greeting(user, kind, audio)


@pytest.mark.parametrize("channel", ["rest", "page", "file"])
@pytest.mark.parametrize(("greeting", "accepted"), GREETINGS)
def test_active_greeting_rule(admin_client_in, tmp_path, channel, greeting, accepted):  # noqa: F811
    record_greetings(alice_user())
    # Start from another greeting, so that an accepted input is seen to change it.
    voicemail.set_active_greeting(alice_user(), "outofoffice" if greeting != "outofoffice" else "standard")
    before = voicemail.active_greeting(alice_user())
    assert send_greeting(channel, greeting, admin_client_in, tmp_path) is accepted
    assert voicemail.active_greeting(alice_user()) == (greeting if accepted else before)


@pytest.mark.parametrize(("channel", "accepted"), [("rest", True), ("page", False), ("file", True)])
def test_a_greeting_never_recorded(admin_client_in, tmp_path, channel, accepted):  # noqa: F811
    """People choose a recorded greeting on the pages; the data file, which carries no recordings, restores its choice
    as given, and the sipXconfig URI stores it as 4.6 does (docs/compatibility.md)."""
    record_greetings(alice_user(), ["standard"])
    assert send_greeting(channel, "outofoffice", admin_client_in, tmp_path) is accepted
    assert voicemail.active_greeting(alice_user()) == ("outofoffice" if accepted else "none")


@pytest.mark.parametrize("channel", ["rest", "file"])
def test_greeting_back_to_none_is_stored_as_no_choice(admin_client_in, tmp_path, channel):  # noqa: F811
    record_greetings(alice_user(), ["standard"])
    voicemail.set_active_greeting(alice_user(), "standard")
    assert send_greeting(channel, "none", admin_client_in, tmp_path)
    assert Mailbox.objects.get(user=alice_user()).active_greeting == "none"


def test_active_greetings_cost_a_fixed_number_of_queries(make_user):
    users = [make_user(str(300 + i)) for i in range(50)]

    def queries(count: int) -> int:
        choices = [(u, ["standard", "none", "outofoffice"][i % 3]) for i, u in enumerate(users[:count])]
        return count_queries(voicemail.set_active_greetings, choices)

    assert queries(5) == queries(50)
    assert [voicemail.active_greeting(u) for u in users[45:48]] == ["standard", "none", "outofoffice"]


# ---- voicemail: messages -----------------------------------------------------------------------------------

ANNA = '"Anna Lee" <sip:204@example.org>'
RECORDINGS = {"wav": (tone_wav(2), "m.wav"), "mp3": (tone_mp3(3), "m.mp3"), "junk": (b"RIFF....nonsense", "m.wav")}
RECORDINGS["empty"] = (b"", "m.wav")

# (id, user, subject, from, recording, accepted?, stored (user, subject, from, brief, format, duration) if accepted)
MESSAGES = [
    ("by user name", "200", "Hi", ANNA, "wav", True, ("200", "Hi", ANNA, "Anna Lee - 204", "wav", 2)),
    ("by alias", "ALICE", "Hi", ANNA, "wav", True, ("200", "Hi", ANNA, "Anna Lee - 204", "wav", 2)),
    ("by enabled IM id", "alice.im", "Hi", ANNA, "wav", True, ("200", "Hi", ANNA, "Anna Lee - 204", "wav", 2)),
    ("by disabled IM id", "bob.im", "Hi", ANNA, "wav", False, None),
    ("unknown user", "nobody", "Hi", ANNA, "wav", False, None),
    ("mp3", "200", "Hi", "+15551234", "mp3", True, ("200", "Hi", "+15551234", "+15551234", "mp3", 3)),
    ("not audio", "200", "Hi", ANNA, "junk", False, None),
    ("empty recording", "200", "Hi", ANNA, "empty", False, None),
    ("anonymous caller", "200", "Hi", "", "wav", True, ("200", "Hi", "", "", "wav", 2)),
    ("subject on two lines", "200", "a\nb", ANNA, "wav", True, ("200", "a b", ANNA, "Anna Lee - 204", "wav", 2)),
    ("control characters", "200", "a\x07b", "x\x1by", "wav", True, ("200", "ab", "xy", "xy", "wav", 2)),
    ("subject blank", "200", " ", ANNA, "wav", True, ("200", "Voice Message", ANNA, "Anna Lee - 204", "wav", 2)),
    ("subject too long", "200", "s" * 256, ANNA, "wav", False, None),
    ("from too long", "200", "Hi", "f" * 256, "wav", False, None),
]


def send_message(channel, user, subject, sender, recording, client, tmp_path) -> bool:
    data, filename = RECORDINGS[recording]
    if channel == "rest":
        audio = BytesIO(data)
        audio.name = filename
        fields = {"audio": audio, "from": sender, "subject": subject}
        response = client.post(f"{REST}/mailbox/{user}/messages", fields, HTTP_ACCEPT="application/json", **ADMIN)
        assert response.status_code in (201, 400, 404), response.content
        return response.status_code == 201
    (tmp_path / filename).write_bytes(data)
    message = {
        "user": user,
        "messageId": "0000000001",
        "received": "2026-11-20T09:15:00Z",
        "subject": subject,
        "from": sender,
        "audio": filename,
    }
    return file_accepts(tmp_path, doc(voicemail=[message]))


@pytest.mark.parametrize("channel", ["rest", "file"])
@pytest.mark.parametrize(
    ("user", "subject", "sender", "recording", "accepted", "stored"),
    [m[1:] for m in MESSAGES],
    ids=[m[0] for m in MESSAGES],
)
def test_message_rule(admin_client_in, tmp_path, channel, user, subject, sender, recording, accepted, stored):  # noqa: F811
    assert send_message(channel, user, subject, sender, recording, admin_client_in, tmp_path) is accepted
    if not accepted:
        assert not Message.objects.exists()
        return
    m = Message.objects.select_related("user").get()
    assert (m.user.username, m.subject, m.sender, m.sender_brief, m.format, m.duration) == stored
    assert (m.folder, m.heard) == ("inbox", False)
    assert m.audio.read() == RECORDINGS[recording][0]


# Folders and "heard": the mailbox pages' actions and the file's keys.
FOLDERS = [
    ("inbox", True),
    ("saved", True),
    ("deleted", True),
    ("conference", True),
    ("trash", False),
    ("Saved", False),
]


def stored_message(tmp_path, **fields) -> Message:
    (tmp_path / "m.wav").write_bytes(tone_wav(1))
    message = {"user": "200", "messageId": "42", "received": "2026-11-20T09:15:00Z", "audio": "m.wav", **fields}
    run_import(tmp_path, doc(voicemail=[message]))
    return Message.objects.get(message_id="42")


@pytest.mark.parametrize("channel", ["page", "file"])
@pytest.mark.parametrize(("folder", "accepted"), FOLDERS)
def test_folder_rule(admin_client_in, tmp_path, channel, folder, accepted):  # noqa: F811
    message = stored_message(tmp_path, folder="conference" if folder == "inbox" else "inbox")
    before = message.folder
    if channel == "page":
        url = reverse("voicemail:action", args=["200", "42"])
        admin_client_in.post(url, {"action": "move", "folder": folder})
        ok = Message.objects.get().folder == folder
    else:
        ok = file_accepts(tmp_path, doc(voicemail=[message_record(folder=folder)]))
    assert ok is accepted
    assert Message.objects.get().folder == (folder if accepted else before)


def message_record(**fields) -> dict:
    return {"user": "200", "messageId": "42", "received": "2026-11-20T09:15:00Z", **fields}


@pytest.mark.parametrize("channel", ["page", "file"])
@pytest.mark.parametrize("heard", [True, False])
def test_heard_rule(admin_client_in, tmp_path, channel, heard):  # noqa: F811
    stored_message(tmp_path, heard=not heard)
    if channel == "page":
        url = reverse("voicemail:action", args=["200", "42"])
        admin_client_in.post(url, {"action": "heard" if heard else "unheard"})
    else:
        assert file_accepts(tmp_path, doc(voicemail=[message_record(heard=heard)]))
    assert Message.objects.get().heard is heard


# What only the file says (a deposit numbers, dates and measures a message itself): the services' rules still.
FILE_ONLY_MESSAGES = [
    ("message id with _ and -", {"messageId": "a_1-B"}, True),
    ("message id with a slash", {"messageId": "a/b"}, False),
    ("message id with dots", {"messageId": ".."}, False),
    ("message id too long", {"messageId": "1" * 33}, False),
    ("message id empty", {"messageId": ""}, False),
    ("duration of a day", {"durationSecs": 86400}, True),
    ("duration over a day", {"durationSecs": 86401}, False),
    ("duration negative", {"durationSecs": -1}, False),
    ("format of the recording", {"format": "wav", "audio": "m.wav"}, True),
    ("format not the recording's", {"format": "mp3", "audio": "m.wav"}, False),
    ("format unknown", {"format": "ogg"}, False),
    ("received without a zone", {"received": "2026-11-20T09:15:00"}, False),
    ("brief given", {"fromBrief": "Someone"}, True),
]


@pytest.mark.parametrize(("fields", "accepted"), [pytest.param(*m[1:], id=m[0]) for m in FILE_ONLY_MESSAGES])
def test_file_only_message_rule(pbx, tmp_path, fields, accepted):  # noqa: F811
    (tmp_path / "m.wav").write_bytes(tone_wav(1))
    assert file_accepts(tmp_path, doc(voicemail=[message_record(**fields)])) is accepted
    assert Message.objects.exists() is accepted


def test_a_message_of_a_deposit_exports_and_imports_unchanged(admin_client_in, tmp_path):  # noqa: F811
    from tests.pbxdata.helpers import export

    assert send_message("rest", "alice", "a\tb", ANNA, "mp3", admin_client_in, tmp_path)
    before = export()["voicemail"]
    run_import(tmp_path, doc(voicemail=before))
    assert export()["voicemail"] == before


def test_file_messages_cost_a_fixed_number_of_queries(pbx, tmp_path):  # noqa: F811
    (tmp_path / "m.wav").write_bytes(tone_wav(1))
    when = datetime(2026, 11, 20, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def queries(count: int) -> int:
        Message.objects.all().delete()
        messages = [
            {"user": "alice" if i % 2 else "201", "messageId": f"{i:010d}", "received": when, "audio": "m.wav"}
            for i in range(count)
        ]
        spent = count_queries(run_import, tmp_path, doc(voicemail=messages))
        assert Message.objects.count() == count
        return spent

    assert queries(5) == queries(50)


# ---- the one lookup of a typed name ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["200", "ALICE", "alice.im", "bob.im", "201", "nobody", "", "a\0b"])
def test_typed_names_find_the_user_logging_in_finds(pbx, name):  # noqa: F811
    """apps.users.lookup (mailboxes, phones, rooms, messages) and credentials.find_login (logging in) agree on who
    a typed name is, for active users."""
    login = find_login(name)
    assert lookup.find_user(name) == (login.user if login else None)
