"""The PBX data file's `voicemail`, `conferences` and users' `activeGreeting` (docs/pbx-data.md): the demo PBX with
real, playable recordings; export -> import --replace -> export is identical, audio files included; errors
name the offending path."""

import io
import json
import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from apps.conferences.models import Conference
from apps.pbxdata.management.commands.seed_demo import DEMO_FILE
from apps.users.models import User
from apps.voicemail import services
from apps.voicemail.models import Message
from sipxweb.audio import inspect
from tests.conftest import REST, basic
from tests.voicemail.audio import tone_mp3, tone_wav

BASE = {"format": "sipxweb-pbx", "version": 1}
ALICE = {"userName": "200", "aliases": ["alice"], "pin": "1234"}


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def run_import(tmp_path, document, *args):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({**BASE, **document}))
    call_command("import_pbx", str(path), *args, stdout=io.StringIO())


def test_demo_messages_are_real_recordings_of_their_duration(db):
    seed()
    messages = {m.message_id: m for m in Message.objects.select_related("user")}
    expected = {
        "0000000001": ("inbox", 12, "wav", False),
        "0000000002": ("inbox", 31, "mp3", False),
        "0000000003": ("saved", 5, "wav", True),
    }
    for message_id, (folder, seconds, fmt, heard) in expected.items():
        m = messages[message_id]
        assert (m.user.username, m.folder, m.duration, m.format, m.heard) == ("200", folder, seconds, fmt, heard)
        info = inspect(m.audio.read())
        assert (info.format, info.duration) == (fmt, seconds)
    assert messages["0000000001"].sender_brief == "Bob Jones - 201"
    assert messages["0000000002"].sender_brief == "+15559998888"
    assert messages["0000000003"].sender_brief == "Carol White - 202"
    assert services.active_greeting(messages["0000000001"].user) == "standard"
    team, sales = Conference.objects.order_by("name").reverse()
    assert (team.name, team.owner.username, team.extension, team.access_code, team.enabled) == (
        "team",
        "200",
        "8000",
        "555",
        True,
    )
    assert (sales.name, sales.owner.username, sales.extension, sales.enabled) == ("sales-weekly", "201", "8001", False)
    seed()  # idempotent
    assert Message.objects.count() == 3 and Conference.objects.count() == 2


def test_demo_over_rest(client, db):
    seed()
    feed = client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234"))
    assert feed.content.count(b"<item>") == 2
    assert (
        client.get(REST + "/my/mailbox/200/preferences/activegreeting", **basic("alice", "1234")).content == b"standard"
    )


def test_round_trip_with_audio(db, tmp_path):
    seed()
    first = tmp_path / "one" / "pbx.json"
    first.parent.mkdir()
    call_command("export_pbx", str(first), stderr=io.StringIO())
    doc = json.loads(first.read_text())
    assert doc["voicemail"][1]["audio"] == "pbx-audio/0000000002.mp3"
    assert (first.parent / "pbx-audio" / "0000000002.mp3").read_bytes() == (
        DEMO_FILE.parent / "voicemail" / "0000000002.mp3"
    ).read_bytes()
    assert {u["userName"]: u.get("activeGreeting") for u in doc["users"]}["200"] == "standard"
    assert doc["conferences"][1] == {
        "name": "team",
        "owner": "200",
        "description": "Weekly team call",
        "extension": "8000",
        "enabled": True,
        "accessCode": "555",
    }
    moved = tmp_path / "two"
    shutil.copytree(first.parent, moved)
    call_command("import_pbx", str(moved / "pbx.json"), "--replace", stdout=io.StringIO())
    second = tmp_path / "three.json"
    call_command("export_pbx", str(second), stderr=io.StringIO())
    again = json.loads(second.read_text())
    for d in (doc, again):
        for u in d["users"]:
            u.pop("pinHash", None), u.pop("voicemailPinHash", None)
        for m in d["voicemail"]:
            m.pop("audio")
    assert again == doc
    assert (tmp_path / "three-audio" / "0000000001.wav").read_bytes()[:4] == b"RIFF"


def test_stdout_export_leaves_audio_out(db):
    seed()
    out = io.StringIO()
    call_command("export_pbx", stdout=out)
    assert all("audio" not in m for m in json.loads(out.getvalue())["voicemail"])


def test_import_merges_by_message_id_and_name(db, tmp_path):
    (tmp_path / "a.wav").write_bytes(tone_wav(2))
    message = {
        "user": "200",
        "messageId": "42",
        "received": "2026-01-02T03:04:05Z",
        "durationSecs": 2,
        "from": '"Dan" <sip:300@example.org>',
        "audio": "a.wav",
    }
    run_import(
        tmp_path,
        {"users": [ALICE], "voicemail": [message], "conferences": [{"name": "c", "owner": "200", "extension": "9000"}]},
    )
    m = Message.objects.get()
    assert (m.message_id, m.sender_brief, m.folder, m.subject, m.format) == (
        "42",
        "Dan - 300",
        "inbox",
        "Voice Message",
        "wav",
    )
    assert m.audio.read() == tone_wav(2)
    run_import(
        tmp_path,
        {
            "voicemail": [{**message, "folder": "saved", "heard": True}],
            "conferences": [{"name": "c", "extension": "9001", "accessCode": "12"}],
        },
    )
    m = Message.objects.get()
    assert (m.folder, m.heard) == ("saved", True)
    c = Conference.objects.get()
    assert (c.extension, c.access_code, c.owner) == ("9001", "12", None)


@pytest.mark.parametrize(
    ("section", "error"),
    [
        (
            {"voicemail": [{"user": "200", "messageId": "1", "received": "yesterday"}]},
            'voicemail[0].received: "yesterday" is not an ISO 8601 time',
        ),
        (
            {"voicemail": [{"user": "200", "messageId": "1", "received": "2026-01-01T00:00:00"}]},
            'voicemail[0].received: "2026-01-01T00:00:00" has no time zone',
        ),
        (
            {"voicemail": [{"user": "999", "messageId": "1", "received": "2026-01-01T00:00:00Z"}]},
            'voicemail[0].user: There is no user "999"',
        ),
        (
            {"voicemail": [{"user": "200", "messageId": "1", "received": "2026-01-01T00:00:00Z", "folder": "trash"}]},
            'voicemail[0].folder: "trash" is not a folder',
        ),
        (
            {"voicemail": [{"user": "200", "messageId": "1", "received": "2026-01-01T00:00:00Z", "audio": "none.wav"}]},
            "voicemail[0].audio: cannot read",
        ),
        (
            {"voicemail": [{"user": "200", "messageId": "1", "received": "2026-01-01T00:00:00Z", "audio": "bad.wav"}]},
            "voicemail[0].audio: The file is not a WAV or MP3 recording",
        ),
        (
            {
                "voicemail": [
                    {
                        "user": "200",
                        "messageId": "1",
                        "received": "2026-01-01T00:00:00Z",
                        "audio": "b.mp3",
                        "format": "wav",
                    }
                ]
            },
            "voicemail[0].audio: The file is mp3, but the format says wav",
        ),
        (
            {"voicemail": [{"user": "200", "messageId": "1", "received": "2026-01-01T00:00:00Z", "duration": 3}]},
            "voicemail[0].duration: unknown key",
        ),
        (
            {"conferences": [{"name": "c", "extension": "alice"}]},
            'conferences[0].extension: Extension "alice" is a user name',
        ),
        (
            {"conferences": [{"name": "c", "extension": "1"}, {"name": "d", "extension": "1"}]},
            'conferences[1].extension: Extension "1" is given to conference "c" too',
        ),
        (
            {"conferences": [{"name": "c", "extension": "1", "owner": "999"}]},
            'conferences[0].owner: There is no user "999"',
        ),
        ({"conferences": [{"name": "c", "extension": "1", "accessCode": "abc"}]}, "conferences[0].accessCode:"),
        (
            {"users": [{**ALICE, "activeGreeting": "loud"}]},
            'users[0].activeGreeting: "loud" is not one of',
        ),
    ],
)
def test_errors_name_the_path_and_import_nothing(db, tmp_path, section, error):
    (tmp_path / "bad.wav").write_bytes(b"RIFF....nonsense")
    (tmp_path / "b.mp3").write_bytes(tone_mp3(1))
    document = {"users": [ALICE], **section} if "users" not in section else section
    with pytest.raises(CommandError, match=error.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        run_import(tmp_path, document)
    assert not Message.objects.exists() and not Conference.objects.exists()


@pytest.mark.parametrize(
    "document, error",
    [
        # a merge adds a user named like an existing conference's extension
        (
            {"users": [{"userName": "8000", "pin": "1"}]},
            'users[0].userName: "8000" is the extension of conference "team"',
        ),
        (
            {"users": [{**ALICE, "aliases": ["alice", "8001"]}]},
            'users[0].aliases[1]: "8001" is the extension of conference "sales-weekly"',
        ),
        # a merge gives an existing conference a user's name as its extension
        (
            {"conferences": [{"name": "team", "extension": "201"}]},
            'conferences[0].extension: Extension "201" is a user name or alias',
        ),
    ],
)
def test_users_and_conferences_never_share_a_name_after_a_merge(db, tmp_path, document, error):
    seed()
    before = Conference.objects.order_by("name").values_list("name", "extension")
    before = list(before)
    with pytest.raises(CommandError, match=re.escape(error)):
        run_import(tmp_path, document)
    assert list(Conference.objects.order_by("name").values_list("name", "extension")) == before
    assert not User.objects.filter(username="8000").exists()
