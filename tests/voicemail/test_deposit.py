"""Messages arrive: POST /mailbox/{user}/messages (admins) and `manage.py deposit_voicemail`; duration and format
come from the audio; anything but WAV/MP3 is refused with 400 and nothing is stored."""

from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.voicemail.models import Message
from tests.conftest import REST, basic
from tests.voicemail.audio import tone_mp3, tone_wav


def upload(data: bytes, name: str) -> BytesIO:
    f = BytesIO(data)
    f.name = name
    return f


def post(
    client,
    user,
    data,
    name="m.wav",
    sender='"Alice Smith" <sip:200@example.org>',
    who=("superadmin", "admin1234"),
    **extra,
):
    fields = {"audio": upload(data, name), "from": sender, "subject": "Voice Message", **extra}
    return client.post(f"{REST}/mailbox/{user}/messages", fields, **basic(*who), HTTP_ACCEPT="application/json")


def test_wav(client, admin_user, bob):
    response = post(client, "201", tone_wav(3))
    assert response.status_code == 201, response.content
    body = response.json()["message"]
    assert (body["duration"], body["format"], body["fromBrief"]) == (3, "wav", "Alice Smith - 200")
    message = Message.objects.get(message_id=body["messageId"])
    assert (message.user, message.folder, message.heard) == (bob, "inbox", False)
    assert message.audio.read() == tone_wav(3)


def test_mp3(client, admin_user, bob):
    response = post(client, "bob", tone_mp3(7), name="m.mp3", sender="+15559998888")
    assert response.status_code == 201, response.content
    body = response.json()["message"]
    assert (body["duration"], body["format"], body["fromBrief"]) == (7, "mp3", "+15559998888")
    assert Message.objects.get().audio.name.endswith(".mp3")


def test_format_comes_from_the_bytes_not_the_name(client, admin_user, bob):
    response = post(client, "201", tone_mp3(2), name="lies.wav")
    assert response.json()["message"]["format"] == "mp3"


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is not audio" * 10,
        b"RIFF\x00\x00\x00\x00WAVEjunk",
        b"ID3\x04garbage",
        b"\xff\xfb\x00\x00" * 4,
        b"%PDF-1.4 ...",
    ],
)
def test_not_audio_is_400_and_nothing_stored(client, admin_user, bob, data, media_root):
    response = post(client, "201", data, name="x.wav")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert Message.objects.count() == 0
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True


def test_missing_fields_are_400(client, admin_user, bob):
    response = client.post(f"{REST}/mailbox/201/messages", {"from": "x"}, **basic("superadmin", "admin1234"))
    assert response.status_code == 400
    response = client.post(
        f"{REST}/mailbox/201/messages", {"audio": upload(tone_wav(1), "a.wav")}, **basic("superadmin", "admin1234")
    )
    assert response.status_code == 400
    response = client.post(
        f"{REST}/mailbox/201/messages", "<x/>", content_type="text/xml", **basic("superadmin", "admin1234")
    )
    assert response.status_code in (400, 415)


def test_admins_only_and_unknown_user(client, admin_user, alice, bob):
    assert post(client, "201", tone_wav(1), who=("alice", "1234")).status_code == 403
    assert client.post(f"{REST}/mailbox/201/messages", {}).status_code == 401
    assert post(client, "999", tone_wav(1)).status_code == 404
    assert client.get(f"{REST}/mailbox/201/messages", **basic("superadmin", "admin1234")).status_code == 405


def test_ids_increase(client, admin_user, bob):
    ids = [post(client, "201", tone_wav(1)).json()["message"]["messageId"] for _ in range(3)]
    assert ids == ["0000000001", "0000000002", "0000000003"]


def test_command_wav_and_mp3(bob, tmp_path):
    wav, mp3 = tmp_path / "a.wav", tmp_path / "b.mp3"
    wav.write_bytes(tone_wav(3))
    mp3.write_bytes(tone_mp3(4))
    out = StringIO()
    call_command("deposit_voicemail", "201", str(wav), "--from", "Alice Smith - 200", stdout=out)
    assert "3 s wav" in out.getvalue()
    call_command(
        "deposit_voicemail",
        "bob",
        str(mp3),
        "--from",
        '"Carol" <sip:202@x>',
        "--folder",
        "saved",
        "--received",
        "2026-11-20T09:15:00Z",
        stdout=out,
    )
    first, second = Message.objects.order_by("message_id")
    assert (first.duration, first.format, first.sender_brief, first.folder) == (3, "wav", "Alice Smith - 200", "inbox")
    assert (second.duration, second.format, second.sender_brief, second.folder) == (4, "mp3", "Carol - 202", "saved")
    assert second.received.isoformat() == "2026-11-20T09:15:00+00:00"


def test_command_errors(bob, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(CommandError, match="not a WAV or MP3"):
        call_command("deposit_voicemail", "201", str(bad), "--from", "x")
    with pytest.raises(CommandError, match="no user"):
        call_command("deposit_voicemail", "999", str(bad), "--from", "x")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("deposit_voicemail", "201", str(tmp_path / "missing.wav"), "--from", "x")
    assert Message.objects.count() == 0
