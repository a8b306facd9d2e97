"""Voicemail rules, the only writer of mailboxes and messages: the REST views, the HTML pages, the admin JSON API,
the media server, `deposit_voicemail` and the PBX data file (in bulk: `upsert_messages`, `set_active_greetings`) all
call these, so a message or a greeting is accepted or refused by the same rules whichever way it arrives. Every
change is recorded in the audit log here: kind "mailbox" (key "200"), "message" ("200/0000000042") and "greeting"
("200/standard")."""

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import batched
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.users import lookup
from apps.users.availability import away_greeting
from apps.users.models import User
from apps.voicemail import email as mail
from apps.voicemail.models import ActiveGreeting, Folder, Greeting, Mailbox, Message
from sipxweb import mediafiles, transcode
from sipxweb.audio import NotAudio, inspect

MAX_AUDIO_BYTES = 50 * 1024 * 1024  # ~50 minutes of 8 kHz 16-bit WAV; a bigger upload is refused, not stored
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SIP_FROM = re.compile(r'^\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^<"]*?))\s*<(?:sips?:)?(?P<user>[^@>;]+)(?:@[^>]*)?>\s*$')


def clean_text(value: str, limit: int = 255) -> str:
    """One line of text without control characters (they are not representable in XML 1.0)."""
    return _CONTROL.sub("", value.replace("\r", " ").replace("\n", " ")).strip()[:limit]


def brief_from(sender: str) -> str:
    """sipXecs's short caller form: `"Bob Jones" <sip:201@example.org>` -> `Bob Jones - 201`; a bare number or
    an already brief form stays as it is."""
    match = _SIP_FROM.match(sender)
    if not match:
        return sender
    name = (match.group("quoted") or match.group("bare") or "").strip()
    user = match.group("user")
    return f"{name} - {user}" if name else user


_CHUNK = 900  # values per IN (...): databases bound the parameters of one statement


class VoicemailError(ValidationError):
    """A refused value: `field` names it (a Message field, or "active_greeting"); `item` is its index in a
    batch (upsert_messages, set_active_greetings), so that the data file can name the path."""

    def __init__(self, field: str, message: str, code: str | None = None):
        super().__init__(message, code=code)
        self.field, self.item = field, None


def active_greeting(user: User) -> str:
    """The greeting callers hear now: an active away period's (apps/users/availability.py), else the mailbox's."""
    value = Mailbox.objects.filter(user=user).values_list("active_greeting", flat=True).first()
    return away_greeting(user) or value or ActiveGreeting.NONE


def greeting_heard(user: User) -> tuple[str, "Greeting | None"]:
    """The greeting callers hear now (active_greeting) with its recording, None when the system greeting plays: none
    is active, or the active one was never recorded. The media server plays it; the portal home says which it is."""
    kind = active_greeting(user)
    if kind == ActiveGreeting.NONE:
        return kind, None
    return kind, Greeting.objects.filter(mailbox__user=user, kind=kind).first()


def set_active_greeting(user: User, greeting: str, recorded_only: bool = True) -> None:
    """One user's active greeting as people choose it: the mailbox pages, the portal, the REST URI and the admin
    JSON API. D3: an unknown greeting is refused (nothing stored). `recorded_only`: a recorded greeting only: with
    none recorded callers would hear the system greeting while the page said "Out of office" (choosing the active one
    again changes nothing and is no refusal). The sipXconfig URI passes False: 4.6 stored the choice, and its
    clients (a phone's menu, a script that sets "out of office" before the greeting is recorded) rely on that. The
    PBX data file restores its choices with set_active_greetings, as given: the file carries no greeting recordings
    (the demo's 200 has `standard` active)."""
    if recorded_only and greeting in Greeting.Kind.values and greeting != active_greeting(user):
        if not Greeting.objects.filter(mailbox__user=user, kind=greeting).exists():
            label = Greeting.Kind(greeting).label
            raise VoicemailError(
                "active_greeting",
                _('There is no "%(greeting)s" greeting recorded yet: upload it before making it the active one.')
                % {"greeting": label},
                code="not_recorded",
            )
    set_active_greetings([(user, greeting)])


def set_active_greetings(choices: Sequence[tuple[User, str | None]]) -> None:
    """Each user's active greeting (None: the system greeting), refused as a whole at the first unknown one;
    a fixed number of queries for any number of users. A user without a mailbox gets one only for a greeting
    other than `none` (no mailbox means `none`)."""
    wanted: dict[int, str] = {}
    names: dict[int, str] = {}
    for index, (user, greeting) in enumerate(choices):
        greeting = greeting or ActiveGreeting.NONE
        if greeting not in ActiveGreeting.values:
            error = VoicemailError(
                "active_greeting",
                _('"%(greeting)s" is not a greeting; use one of %(choices)s.')
                % {"greeting": greeting, "choices": ", ".join(ActiveGreeting.values)},
                code="greeting",
            )
            error.item = index
            raise error
        wanted[user.pk] = greeting
        names[user.pk] = user.username
    before = dict.fromkeys(wanted, ActiveGreeting.NONE.value)
    for chunk in batched(wanted, _CHUNK):
        before.update(Mailbox.objects.filter(user_id__in=chunk).values_list("user_id", "active_greeting"))
    # One upsert for the greetings (safe against a concurrent first change), one update back to the default.
    chosen = [Mailbox(user_id=pk, active_greeting=g) for pk, g in wanted.items() if g != ActiveGreeting.NONE]
    Mailbox.objects.bulk_create(
        chosen, batch_size=500, update_conflicts=True, unique_fields=["user"], update_fields=["active_greeting"]
    )
    default = [pk for pk, g in wanted.items() if g == ActiveGreeting.NONE]
    for chunk in batched(default, _CHUNK):
        Mailbox.objects.filter(user_id__in=chunk).exclude(active_greeting=ActiveGreeting.NONE).update(
            active_greeting=ActiveGreeting.NONE
        )
    audit.record_many(
        audit.Change("mailbox", names[pk], {"active_greeting": before[pk]}, {"active_greeting": g})
        for pk, g in wanted.items()
        if g != before[pk]
    )


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_AUDIO_BYTES:
        raise VoicemailError("audio", too_large(), code="size")
    data = upload.read(MAX_AUDIO_BYTES + 1)
    if len(data) > MAX_AUDIO_BYTES:
        raise VoicemailError("audio", too_large(), code="size")
    return data


def too_large() -> str:
    return _("The recording is larger than %(mb)s MB.") % {"mb": MAX_AUDIO_BYTES // (1024 * 1024)}


def audio_of(upload, browser_recording: bool = False):
    """(bytes, AudioInfo) of an uploaded file or an open binary file; ValidationError when it is not WAV/MP3.
    `browser_recording`: a recording made in a browser (WebM, Ogg, MP4) is taken too, as WAV (sipxweb.transcode)."""
    data = _read(upload)
    try:
        if browser_recording and transcode.is_browser_recording(data):
            data = transcode.to_wav(data, MAX_AUDIO_BYTES)
        return data, inspect(data)
    except NotAudio as exc:
        raise VoicemailError("audio", str(exc), code="audio") from None


def next_message_id() -> str:
    """The next 10-digit message id (sipXecs numbers messages across the whole PBX). Ids of that form are
    zero-padded, so the greatest string is the greatest number; other imported ids do not take part."""
    highest = Message.objects.filter(message_id__regex=r"^[0-9]{10}$").aggregate(m=Max("message_id"))["m"]
    return f"{int(highest or 0) + 1:010d}"


def _message_rules(message: Message) -> None:
    """The stored text is one clean line each; then the model's field rules (folder, message id, duration)."""
    if message.folder not in Folder.values:
        raise VoicemailError("folder", _('"%(folder)s" is not a folder.') % {"folder": message.folder}, code="folder")
    message.sender = clean_text(message.sender or "")
    message.subject = clean_text(message.subject or "") or "Voice Message"
    message.sender_brief = clean_text(message.sender_brief) if message.sender_brief else brief_from(message.sender)
    try:
        message.clean_fields(exclude=["user", "audio"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise VoicemailError(field, " ".join(messages)) from None


# What the audit log shows of a message (its recording is not a value) and of a greeting.
AUDITED_MESSAGE_FIELDS = ("folder", "subject", "sender", "sender_brief", "received", "duration", "format", "heard")


def message_key(message: Message) -> str:
    return f"{message.user.username}/{message.message_id}"


def _audited(message: Message) -> dict:
    return audit.snapshot(message, AUDITED_MESSAGE_FIELDS)


def deposit(
    user: User,
    upload,
    sender: str,
    subject: str = "Voice Message",
    received: datetime | None = None,
    folder: str = Folder.INBOX,
    sender_brief: str | None = None,
) -> Message:
    """Stores a new message for `user` under the next message id: duration and format come from the audio. Its
    e-mail, when the mailbox sends one, is queued in the same transaction and sent after it commits."""
    message = Message(
        user=user,
        folder=folder,
        message_id=next_message_id(),
        subject=subject,
        sender=sender,
        sender_brief=sender_brief,
        received=received or timezone.now(),
    )
    _message_rules(message)
    data, info = audio_of(upload)
    message.duration, message.format = info.duration, info.format
    _message_rules(message)  # the duration read from the audio is bounded too
    for _attempt in range(5):
        try:
            with mediafiles.atomic():  # a failed save leaves no file behind
                mediafiles.save(message.audio, message.filename, ContentFile(data))
                message.save()
                audit.record("message", message_key(message), None, _audited(message))
                mail.queue(message)  # its e-mail, sent once this commits (apps/voicemail/email.py)
        except IntegrityError:  # another deposit took the same id at the same moment: take the next one
            message.pk, message.message_id = None, next_message_id()
            continue
        return message
    raise ValidationError(_("Could not allocate a message id; try again."), code="busy")


@dataclass
class MessageData:
    """A message as a bulk channel (the data file) gives it. `user` is a typed name (apps.users.lookup);
    `audio` opens the recording (None: keep the stored one); `format` must be the recording's when both are
    given; `duration` None: the recording's."""

    user: str
    message_id: str
    received: datetime
    folder: str = Folder.INBOX
    subject: str = "Voice Message"
    sender: str = ""
    sender_brief: str | None = None
    duration: int | None = None
    format: str | None = None
    heard: bool = False
    audio: Callable[[], BinaryIO] | None = None


STORED = ["user", "folder", "subject", "sender", "sender_brief", "received", "duration", "format", "heard", "audio"]


def upsert_messages(items: Sequence[MessageData]) -> list[Message]:
    """Creates or changes the messages `items` name (matched by message id) in the caller's transaction (use
    mediafiles.atomic(): a rollback removes the recordings written here, a commit the ones replaced). The first
    refused item raises VoicemailError with its index in `item`. A fixed number of queries for any number."""
    users = lookup.find_users({i.user for i in items})
    ids = [i.message_id for i in items]
    existing = {m.message_id: m for chunk in batched(ids, _CHUNK) for m in Message.objects.filter(message_id__in=chunk)}
    before = {m.message_id: _audited(m) for m in existing.values()}
    rows: list[Message] = []
    replaced: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            if item.message_id in seen:
                raise VoicemailError("message_id", _("Message %(id)s is given twice.") % {"id": item.message_id})
            seen.add(item.message_id)
            if item.user not in users:
                raise VoicemailError("user", _('There is no user "%(user)s".') % {"user": item.user})
            row = existing.get(item.message_id) or Message(message_id=item.message_id)
            row.user = users[item.user]
            row.folder, row.subject, row.sender = item.folder, item.subject, item.sender
            row.sender_brief, row.received, row.heard = item.sender_brief, item.received, item.heard
            row.format = item.format or row.format
            row.duration = item.duration if item.duration is not None else row.duration
            _message_rules(row)
            if item.audio is not None:
                replaced += _attach(row, item)
                _message_rules(row)  # the recording's format and duration
        except VoicemailError as exc:
            exc.item = index
            raise
        rows.append(row)
    Message.objects.bulk_update([row for row in rows if row.pk], STORED, batch_size=500)
    Message.objects.bulk_create([row for row in rows if not row.pk], batch_size=500)
    mediafiles.discard(Message, "audio", replaced)
    audit.record_many(audit.Change("message", message_key(r), before.get(r.message_id), _audited(r)) for r in rows)
    return rows


def _attach(row: Message, item: MessageData) -> list[str]:
    """Reads the item's recording by the rules of a deposit and stores it under the row's name (removed again
    if the transaction rolls back); returns the stored name it replaces, if any."""
    with item.audio() as file:
        data, info = audio_of(file)
    if item.format and info.format != item.format:
        raise VoicemailError(
            "audio",
            _("The file is %(found)s, but the format says %(given)s.") % {"found": info.format, "given": item.format},
        )
    row.format = info.format
    if item.duration is None:
        row.duration = info.duration
    old = row.audio.name if row.pk and row.audio else ""
    mediafiles.save(row.audio, row.filename, ContentFile(data))
    return [old] if old and old != row.audio.name else []


def move(message: Message, folder: str) -> None:
    if folder not in Folder.values:
        raise VoicemailError("folder", _('"%(folder)s" is not a folder.') % {"folder": folder}, code="folder")
    before = message.folder
    message.folder = folder
    message.save(update_fields=["folder"])
    audit.record("message", message_key(message), {"folder": before}, {"folder": folder})


def set_heard(message: Message, heard: bool = True) -> None:
    before = message.heard
    message.heard = heard
    message.save(update_fields=["heard"])
    audit.record("message", message_key(message), {"heard": before}, {"heard": heard})


def delete(message: Message) -> None:
    """Moves a message to `deleted`; a message already there is removed with its audio."""
    if message.folder != Folder.DELETED:
        move(message, Folder.DELETED)
        return
    purge(message)


def purge(message: Message) -> None:
    key = message_key(message)
    message.delete()  # its recording goes when this commits (sipxweb.mediafiles)
    audit.record("message", key, _audited(message), None)


def save_greeting(user: User, kind: str, upload) -> Greeting:
    """Records (replaces) the greeting of type `kind` from a WAV or MP3 file, or from a recording made in the browser
    (stored as WAV), whichever page or URI it comes through."""
    if kind not in Greeting.Kind.values:
        raise ValidationError(_('"%(kind)s" is not a greeting type.') % {"kind": kind}, code="greeting")
    data, info = audio_of(upload, browser_recording=True)
    mailbox, _created = Mailbox.objects.get_or_create(user=user)
    greeting = Greeting.objects.filter(mailbox=mailbox, kind=kind).first() or Greeting(mailbox=mailbox, kind=kind)
    before = _audited_greeting(greeting) if greeting.pk else None
    greeting.format, greeting.duration = info.format, info.duration
    with mediafiles.atomic():  # the replaced recording goes when this commits
        mediafiles.save(greeting.audio, f"greeting-{kind}.{info.format}", ContentFile(data))
        greeting.save()
        after = {"format": greeting.format, "duration": greeting.duration, "sha256": hashlib.sha256(data).hexdigest()}
        audit.record("greeting", f"{user.username}/{kind}", before, after)
    return greeting


def _audited_greeting(greeting: Greeting) -> dict:
    """Format, length and the recording's digest, so that a new recording of the same length is a change too."""
    try:
        with greeting.audio.open("rb") as stored:
            digest = hashlib.file_digest(stored, "sha256").hexdigest()
    except (OSError, ValueError):  # the stored recording is missing
        digest = None
    return {"format": greeting.format, "duration": greeting.duration, "sha256": digest}


@transaction.atomic
def delete_greeting(greeting: Greeting) -> bool:
    """Removes a recorded greeting. When it was the active one, callers hear the system greeting from now on (the
    mailbox's choice goes back to `none`, as set_active_greeting would not choose an unrecorded greeting); returns
    whether it was."""
    mailbox = greeting.mailbox
    key = f"{mailbox.user.username}/{greeting.kind}"
    greeting.delete()  # its recording goes when this commits (sipxweb.mediafiles)
    audit.record("greeting", key, {"format": greeting.format, "duration": greeting.duration}, None)
    was_active = Mailbox.objects.filter(pk=mailbox.pk, active_greeting=greeting.kind).exists()
    if was_active:
        set_active_greetings([(mailbox.user, ActiveGreeting.NONE)])
    return was_active
