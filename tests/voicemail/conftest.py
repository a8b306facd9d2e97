"""Voicemail fixtures: media in a temporary directory, and the demo PBX's mailbox of 200 (Alice)."""

from datetime import UTC, datetime
from io import BytesIO

import pytest

from apps.voicemail import services
from apps.voicemail.models import Message
from sipxweb import mediafiles
from tests.voicemail.audio import tone_mp3, tone_wav


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def put_message(user, message_id, folder, seconds, fmt, sender, brief, received, heard=False, subject="Voice Message"):
    """A message with a real recording, as the demo has (ids fixed for golden files), stored by the services as
    the data file stores one."""
    data = tone_wav(seconds) if fmt == "wav" else tone_mp3(seconds)
    item = services.MessageData(
        user=user.username,
        message_id=message_id,
        received=received,
        folder=folder,
        subject=subject,
        sender=sender,
        sender_brief=brief,
        heard=heard,
        audio=lambda: BytesIO(data),
    )
    with mediafiles.atomic():
        return services.upsert_messages([item])[0]


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob", last_name="Jones")


# The demo voicemail of 200 (docs/pbx-data.md), by message id:
# (folder, seconds, format, from, brief, received, heard).
DEMO_MAIL = {
    "0000000001": ("inbox", 12, "wav", '"Bob Jones" <sip:201@example.org>', "Bob Jones - 201", (11, 20, 9, 15), False),
    "0000000002": ("inbox", 31, "mp3", "+15559998888", "+15559998888", (11, 21, 14, 2), True),
    "0000000003": ("saved", 5, "wav", '"Carol White" <sip:202@example.org>', "Carol White - 202", (11, 18, 8, 0), True),
}


def put_demo_mail(user, *message_ids: str) -> list[Message]:
    """The demo's messages (all, or those named) in `user`'s mailbox, with real recordings."""
    messages = []
    for message_id in message_ids or DEMO_MAIL:
        folder, seconds, fmt, sender, brief, (month, day, hour, minute), heard = DEMO_MAIL[message_id]
        received = datetime(2026, month, day, hour, minute, tzinfo=UTC)
        messages.append(put_message(user, message_id, folder, seconds, fmt, sender, brief, received, heard))
    return messages


@pytest.fixture
def alice_mail(alice, bob) -> list[Message]:
    services.set_active_greetings([(alice, "standard")])  # as the demo data file sets it: no recording
    return put_demo_mail(alice)
