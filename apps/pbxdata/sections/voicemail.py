"""`voicemail` (messages matched by message id, audio files next to the JSON file) and the users'
`activeGreeting` and `voicemailEmail` keys (loaded by the users section, like `privatePhonebook`): the file's schema
and its mapping onto apps.voicemail.services (`upsert_messages`, `set_active_greetings`) and apps.voicemail.email
(`set_email_modes`), which hold every rule as they do for the REST deposit, the active-greeting URI and the mailbox
pages. Restored messages are not new: they send no e-mail. The mails' delivery rows are a queue, not data: they are
not in the file.

Audio: on import, `audio` is a path relative to the JSON file (`ctx.base_dir`); the file must be a WAV or MP3
recording and is copied into media storage. On export, recordings are written next to the exported file
(`<name>-audio/<messageId>.<format>`) only inside `exporting_audio(...)` (export_pbx with a FILE); an export to
standard output leaves `audio` out. A failed import removes the files it wrote and keeps the ones it would
have replaced (sipxweb.mediafiles)."""

import os
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import ValidationError

from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, choice, integer, list_of, obj, show, text
from apps.voicemail import email, services
from apps.voicemail.models import ActiveGreeting, EmailMode, Folder, Mailbox, Message

_export_audio: ContextVar[tuple[Path, Path] | None] = ContextVar("export_audio", default=None)


@contextmanager
def exporting_audio(json_dir: Path, audio_dir: Path):
    """Within this block `dump()` writes each recording into `audio_dir` and refers to it relative to `json_dir`."""
    token = _export_audio.set((json_dir, audio_dir))
    try:
        yield
    finally:
        _export_audio.reset(token)


# ---- activeGreeting and voicemailEmail (user keys) -------------------------------------------------

validate_greeting = choice(ActiveGreeting.values, nullable=True)  # the model's list, as the services check it
# What each new message sends by e-mail: off, notify, attach, attach-save (apps/voicemail/email.py).
EMAIL_KEY = "voicemailEmail"
validate_email_mode = choice(EmailMode.values, nullable=True)


def load_greetings(users: list[dict], ctx) -> None:
    """The file's users get their `activeGreeting` (absent = none; recorded greetings are kept) and their
    `voicemailEmail` (absent = off)."""
    choices = [(ctx.users[u["userName"]], u["activeGreeting"]) for u in users]
    try:
        services.set_active_greetings(choices)
    except services.VoicemailError as exc:
        raise PbxDataError(f"users[{exc.item}].activeGreeting", " ".join(exc.messages).rstrip(".")) from None
    modes = [(ctx.users[u["userName"]], u.get(EMAIL_KEY)) for u in users]
    try:
        email.set_email_modes(modes)
    except ValidationError as exc:
        raise PbxDataError(f"users[{exc.item}].{EMAIL_KEY}", " ".join(exc.messages).rstrip(".")) from None


def dump_greetings() -> dict:
    """user id -> active greeting, for users whose greeting is not the default."""
    rows = Mailbox.objects.exclude(active_greeting=ActiveGreeting.NONE).values_list("user_id", "active_greeting")
    return dict(rows)


def dump_email_modes() -> dict:
    """user id -> e-mail choice, for users whose choice is not the default (off)."""
    return email.email_modes()


# ---- voicemail (top-level section) -----------------------------------------------------------------


def _time(value, path):
    text()(value, path)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PbxDataError(path, f"{show(value)} is not an ISO 8601 time such as 2026-11-20T09:15:00Z") from None
    if parsed.tzinfo is None:
        raise PbxDataError(path, f"{show(value)} has no time zone (write it in UTC with a Z)")
    return parsed.astimezone(UTC)


def _seconds(value, path):
    """A whole number within the column's range (the limit is the services' rule), or null."""
    return None if value is None else integer(0, 2**31 - 1)(value, path)


# One message of the file (its keys are the admin JSON API's message keys too).
MESSAGE = obj(
    {
        "user": (text(), REQUIRED),
        "folder": (text(), Folder.INBOX.value),
        "messageId": (text(), REQUIRED),
        "subject": (text(), "Voice Message"),
        "from": (text(), ""),
        "fromBrief": (text(nullable=True), None),
        "received": (_time, REQUIRED),
        "durationSecs": (_seconds, None),  # absent: the recording's length, as a deposit stores it
        "format": (text(nullable=True), None),  # absent: the recording's format (none: wav)
        "heard": (boolean, False),
        "audio": (text(max_length=1024, nullable=True, blank=False), None),
    }
)

# MessageData field -> the file's key.
KEYS = {
    "user": "user",
    "message_id": "messageId",
    "received": "received",
    "folder": "folder",
    "subject": "subject",
    "sender": "from",
    "sender_brief": "fromBrief",
    "duration": "durationSecs",
    "format": "format",
    "heard": "heard",
    "audio": "audio",
}


def validate(value, path):
    return list_of(MESSAGE, what="message")(value, path)


def clear():
    """Every message through services.purge, each deletion in the audit log (its recording goes only if the import
    commits: sipxweb.mediafiles). One at a time: deleting a message with a recording already loads it for its
    signal, so only the audit entry is added per message."""
    for message in Message.objects.select_related("user").iterator(chunk_size=500):
        services.purge(message)


def _opener(relative: str, ctx):
    """Opens the recording `relative` to the JSON file's folder (standard input: the current folder) when the
    services read it, one at a time."""
    path = (Path(getattr(ctx, "base_dir", None) or Path.cwd()) / relative).resolve()

    def open_audio():
        try:
            return path.open("rb")
        except OSError as exc:
            raise services.VoicemailError("audio", f"cannot read {path}: {exc.strerror}") from None

    return open_audio


def load(messages, ctx):
    ctx.stage("voicemail", len(messages))
    items = [
        services.MessageData(
            **{field: m[key] for field, key in KEYS.items() if field != "audio"},
            audio=_opener(m["audio"], ctx) if m["audio"] else None,
        )
        for m in messages
    ]
    try:
        services.upsert_messages(items)
    except services.VoicemailError as exc:
        raise PbxDataError(f"voicemail[{exc.item}].{KEYS[exc.field]}", " ".join(exc.messages).rstrip(".")) from None
    ctx.step(len(messages))


def _export_file(message: Message, json_dir: Path, audio_dir: Path) -> str | None:
    try:
        with message.audio.open("rb") as f:
            data = f.read()
    except OSError:
        return None
    audio_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = audio_dir / message.filename
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # voicemail is private
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return os.path.relpath(target, json_dir)


def dump_message(m: Message) -> dict:
    """One message without its recording (`m.user` is read: select it with the message)."""
    return {
        "user": m.user.username,
        "folder": m.folder,
        "messageId": m.message_id,
        "subject": m.subject,
        "from": m.sender,
        "fromBrief": m.sender_brief,
        "received": m.received.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "durationSecs": m.duration,
        "format": m.format,
        "heard": m.heard,
    }


def dump():
    export = _export_audio.get()
    out = []
    for m in Message.objects.select_related("user").order_by("user__username", "message_id"):
        item = dump_message(m)
        if export is not None and m.audio:
            path = _export_file(m, *export)
            if path is not None:
                item["audio"] = path
        out.append(item)
    return out or None
