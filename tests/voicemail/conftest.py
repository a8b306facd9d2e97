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


@pytest.fixture
def alice_mail(alice, bob) -> list[Message]:
    """The demo voicemail of 200 (PBX-DATA.md)."""
    services.set_active_greeting(alice, "standard")
    return [
        put_message(
            alice,
            "0000000001",
            "inbox",
            12,
            "wav",
            '"Bob Jones" <sip:201@example.org>',
            "Bob Jones - 201",
            datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        ),
        put_message(
            alice,
            "0000000002",
            "inbox",
            31,
            "mp3",
            "+15559998888",
            "+15559998888",
            datetime(2026, 11, 21, 14, 2, tzinfo=UTC),
            heard=True,
        ),
        put_message(
            alice,
            "0000000003",
            "saved",
            5,
            "wav",
            '"Carol White" <sip:202@example.org>',
            "Carol White - 202",
            datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
            heard=True,
        ),
    ]
