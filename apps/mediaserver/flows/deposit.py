"""Voicemail deposit: an unanswered call of a user with voicemail (the proxy's voicemail URI, `service=deposit`,
`target=<user name>`). Plays the mailbox's active greeting — or, with none recorded, the system prompt naming the
extension — then a beep, records until hang-up, `#` or MEDIA_MAX_MESSAGE_SECONDS, and stores the message through the
voicemail service that `POST /mailbox/{user}/messages` uses, so it is in the portal, the feed and the counts at once.
A recording shorter than a second, or silent, is no message and is dropped."""

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File

from apps.mediaserver import audio, prompts
from apps.mediaserver.calls import MediaCall
from apps.mediaserver.dbthread import db
from apps.users.models import User
from apps.voicemail import services as voicemail

log = logging.getLogger("sipxweb.mediaserver")


@dataclass
class Box:
    user: User
    extension: str
    greeting: Path | None  # the active greeting's file, None for the system greeting


def find_box(name: str) -> Box | None:
    """The mailbox a deposit is for: an enabled user with voicemail, by user name or alias."""
    from apps.users.credentials import find_login

    login = find_login(name)
    user = login.user if login is not None else None
    if user is None or not user.is_active or not user.perm_voicemail:
        return None
    _, row = voicemail.greeting_heard(user)
    greeting = None
    if row is not None and row.audio:
        try:
            greeting = audio.playable(Path(row.audio.path))
        except (audio.AudioError, OSError) as exc:
            log.warning("greeting of %s not playable, the system greeting plays: %s", user.username, exc)
    return Box(user, user.username, greeting)


def store(box: Box, path: Path, sender: str) -> bool:
    """Keeps the recording as a message when it is one (audio.worth_keeping)."""
    if not audio.worth_keeping(path):
        seconds, loudest = audio.measure(path)
        log.info("deposit for %s dropped: %.1f s, at most %.0f dBFS (shorter than %s s or silent)",
                 box.user.username, seconds, loudest, audio.MIN_SECONDS)  # fmt: skip
        return False
    with open(path, "rb") as handle:
        voicemail.deposit(box.user, File(handle, name="message.wav"), sender=sender)
    return True


def greeting_of(box: Box) -> list[Path]:
    if box.greeting is not None:
        return [box.greeting]
    return [prompts.prompt("unavailable_before"), *prompts.digits(box.extension), prompts.prompt("unavailable_after")]


async def run(call: MediaCall) -> None:
    box = await db(find_box)(call.invite.params.get("target") or call.invite.number)
    if box is None:
        call.end(404)
        return
    await call.pick_up()
    await leave_message(call, box)
    call.end()


async def leave_message(call: MediaCall, box: Box) -> None:
    """The deposit itself, in a call already answered (also by an auto-attendant's voicemail_deposit key):
    greeting, beep, recording, stored message."""
    await call.play(greeting_of(box))  # a key skips the greeting
    call.digits.clear()
    await call.play([prompts.prompt(prompts.BEEP)], interrupt=False)
    with tempfile.TemporaryDirectory(dir=settings.MEDIA_CACHE_DIR) as tmp:
        path = Path(tmp) / "message.wav"
        await call.record(path, settings.MEDIA_MAX_MESSAGE_SECONDS)
        sender = call.invite.caller_from or "unknown"
        await db(store)(box, path, sender)
