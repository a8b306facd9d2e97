"""`voicemail` (messages matched by message id, audio files next to the JSON file) and the users'
`activeGreeting` key (loaded by the users section, like `privatePhonebook`).

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

from django.core.files.base import ContentFile

from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, choice, integer, list_of, obj, show, text
from apps.users.models import User
from apps.voicemail.audio import NotAudio, inspect
from apps.voicemail.models import ActiveGreeting, AudioFormat, Folder, Mailbox, Message
from apps.voicemail.services import brief_from
from sipxweb import mediafiles

_export_audio: ContextVar[tuple[Path, Path] | None] = ContextVar("export_audio", default=None)


@contextmanager
def exporting_audio(json_dir: Path, audio_dir: Path):
    """Within this block `dump()` writes each recording into `audio_dir` and refers to it relative to `json_dir`."""
    token = _export_audio.set((json_dir, audio_dir))
    try:
        yield
    finally:
        _export_audio.reset(token)


# ---- activeGreeting (a user key) -------------------------------------------------------------------

validate_greeting = choice(ActiveGreeting.values)


def load_greetings(users: list[dict], ctx) -> None:
    """The file's users get their `activeGreeting` (absent = none); recorded greetings are kept."""
    rows = [ctx.users[u["userName"]] for u in users]
    wanted = {row.pk: u["activeGreeting"] or ActiveGreeting.NONE for u, row in zip(users, rows, strict=True)}
    existing = {m.user_id: m for m in Mailbox.objects.filter(user_id__in=list(wanted))}
    changed = []
    for user_id, greeting in wanted.items():
        if user_id in existing and existing[user_id].active_greeting != greeting:
            existing[user_id].active_greeting = greeting
            changed.append(existing[user_id])
    Mailbox.objects.bulk_update(changed, ["active_greeting"], batch_size=500)
    Mailbox.objects.bulk_create(
        [Mailbox(user_id=pk, active_greeting=g) for pk, g in wanted.items() if pk not in existing and g != "none"],
        batch_size=500,
    )


def dump_greetings() -> dict:
    """user id -> active greeting, for users whose greeting is not the default."""
    rows = Mailbox.objects.exclude(active_greeting=ActiveGreeting.NONE).values_list("user_id", "active_greeting")
    return dict(rows)


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


_message = obj(
    {
        "user": (text(blank=False), REQUIRED),
        "folder": (choice(Folder.values), Folder.INBOX.value),
        "messageId": (text(max_length=32, blank=False, pattern=r"[0-9A-Za-z_-]+"), REQUIRED),
        "subject": (text(), "Voice Message"),
        "from": (text(), ""),
        "fromBrief": (text(nullable=True), None),
        "received": (_time, REQUIRED),
        "durationSecs": (integer(0, 86400), 0),
        "format": (choice(AudioFormat.values), AudioFormat.WAV.value),
        "heard": (boolean, False),
        "audio": (text(max_length=1024, nullable=True, blank=False), None),
    }
)


def validate(value, path):
    return list_of(_message, unique=lambda m: m["messageId"], what="message id")(value, path)


def clear():
    Message.objects.all().delete()  # the recordings go only if the import commits (sipxweb.mediafiles)


def _read_audio(message: dict, i: int, ctx) -> bytes:
    here = f"voicemail[{i}].audio"
    base = getattr(ctx, "base_dir", None) or Path.cwd()
    path = (Path(base) / message["audio"]).resolve()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PbxDataError(here, f"cannot read {path}: {exc.strerror}") from None
    try:
        info = inspect(data)
    except NotAudio as exc:
        raise PbxDataError(here, str(exc)) from None
    if info.format != message["format"]:
        raise PbxDataError(here, f"the file is {info.format}, but format says {message['format']}")
    return data


def load(messages, ctx):
    names = {m["user"] for m in messages}
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    ids = [m["messageId"] for m in messages]
    existing = {} if ctx.replace else {m.message_id: m for m in Message.objects.filter(message_id__in=ids)}
    ctx.stage("voicemail", len(messages))
    for i, m in enumerate(messages):
        if m["user"] not in users:
            raise PbxDataError(f"voicemail[{i}].user", f"there is no user {show(m['user'])}")
        data = _read_audio(m, i, ctx) if m["audio"] else None
        row = existing.get(m["messageId"]) or Message(message_id=m["messageId"])
        row.user = users[m["user"]]
        row.folder, row.subject, row.sender = m["folder"], m["subject"], m["from"]
        row.sender_brief = m["fromBrief"] if m["fromBrief"] is not None else brief_from(m["from"])
        row.received, row.duration, row.format, row.heard = m["received"], m["durationSecs"], m["format"], m["heard"]
        if data is not None:  # written now, removed again if the import rolls back; the old one goes on commit
            mediafiles.save(row.audio, row.filename, ContentFile(data))
        row.save()
        ctx.step()


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


def dump():
    export = _export_audio.get()
    out = []
    for m in Message.objects.select_related("user").order_by("user__username", "message_id"):
        item = {
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
        if export is not None and m.audio:
            path = _export_file(m, *export)
            if path is not None:
                item["audio"] = path
        out.append(item)
    return out or None
