"""Voicemail fixtures: media in a temporary directory, and the demo PBX's mailbox of 200 (Alice)."""

from datetime import UTC, datetime
from io import BytesIO

import pytest

from apps.voicemail import services
from apps.voicemail.models import Message
from tests.voicemail.audio import tone_mp3, tone_wav


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def put_message(user, message_id, folder, seconds, fmt, sender, brief, received, heard=False, subject="Voice Message"):
    """A message with a real recording, as the demo has (ids fixed for golden files)."""
    data = tone_wav(seconds) if fmt == "wav" else tone_mp3(seconds)
    message = services.deposit(user, BytesIO(data), sender=sender, subject=subject, received=received, folder=folder)
    if message.message_id != message_id:
        old = message.audio.name
        message.message_id = message_id
        message.audio.save(message.filename, message.audio.file, save=False)
        message.audio.storage.delete(old)
    message.heard = heard
    message.sender_brief = brief
    message.save()
    return message


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob", last_name="Jones")


# The demo voicemail of 200 (docs/pbx-data.md), by message id.
DEMO_MAIL = {
    "0000000001": dict(
        folder="inbox",
        seconds=12,
        fmt="wav",
        sender='"Bob Jones" <sip:201@example.org>',
        brief="Bob Jones - 201",
        received=datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
    ),
    "0000000002": dict(
        folder="inbox",
        seconds=31,
        fmt="mp3",
        sender="+15559998888",
        brief="+15559998888",
        received=datetime(2026, 11, 21, 14, 2, tzinfo=UTC),
        heard=True,
    ),
    "0000000003": dict(
        folder="saved",
        seconds=5,
        fmt="wav",
        sender='"Carol White" <sip:202@example.org>',
        brief="Carol White - 202",
        received=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        heard=True,
    ),
}


def put_demo_mail(user, *message_ids: str) -> list[Message]:
    """The demo's messages (all, or those named) in `user`'s mailbox, with real recordings."""
    return [put_message(user, message_id, **DEMO_MAIL[message_id]) for message_id in message_ids or DEMO_MAIL]


@pytest.fixture
def alice_mail(alice, bob) -> list[Message]:
    services.set_active_greeting(alice, "standard")
    return put_demo_mail(alice)
