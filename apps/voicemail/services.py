"""Voicemail rules shared by the REST views, the HTML pages, `deposit_voicemail` and the PBX data file."""

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.db.models import Max
from django.utils import timezone

from apps.users.models import LoginName, User
from apps.voicemail.audio import NotAudio, inspect
from apps.voicemail.models import ActiveGreeting, Folder, Greeting, Mailbox, Message
from sipxweb import mediafiles

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


def find_user(name: str) -> User | None:
    """A user by user name or alias (mailboxes are addressed by extension)."""
    found = User.objects.filter(username=name).first()
    if found is None:
        login = LoginName.objects.filter(folded=name.lower(), kind=LoginName.Kind.ALIAS).select_related("user").first()
        found = login.user if login else None
    return found


def active_greeting(user: User) -> str:
    value = Mailbox.objects.filter(user=user).values_list("active_greeting", flat=True).first()
    return value or ActiveGreeting.NONE


def set_active_greeting(user: User, greeting: str) -> None:
    """D3: an unknown greeting is refused (nothing stored)."""
    if greeting not in ActiveGreeting.values:
        raise ValidationError(
            f'"{greeting}" is not a greeting; use one of {", ".join(ActiveGreeting.values)}.', code="greeting"
        )
    Mailbox.objects.update_or_create(user=user, defaults={"active_greeting": greeting})


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_AUDIO_BYTES:
        raise ValidationError(f"The recording is larger than {MAX_AUDIO_BYTES // (1024 * 1024)} MB.", code="size")
    data = upload.read(MAX_AUDIO_BYTES + 1)
    if len(data) > MAX_AUDIO_BYTES:
        raise ValidationError(f"The recording is larger than {MAX_AUDIO_BYTES // (1024 * 1024)} MB.", code="size")
    return data


def audio_of(upload):
    """(bytes, AudioInfo) of an uploaded file or an open binary file; ValidationError when it is not WAV/MP3."""
    data = _read(upload)
    try:
        return data, inspect(data)
    except NotAudio as exc:
        raise ValidationError(str(exc), code="audio") from None


def next_message_id() -> str:
    """The next 10-digit message id (sipXecs numbers messages across the whole PBX). Ids of that form are
    zero-padded, so the greatest string is the greatest number; other imported ids do not take part."""
    highest = Message.objects.filter(message_id__regex=r"^[0-9]{10}$").aggregate(m=Max("message_id"))["m"]
    return f"{int(highest or 0) + 1:010d}"


def deposit(
    user: User,
    upload,
    sender: str,
    subject: str = "Voice Message",
    received: datetime | None = None,
    folder: str = Folder.INBOX,
    sender_brief: str | None = None,
) -> Message:
    """Stores a new message for `user`: duration and format come from the audio itself."""
    if folder not in Folder.values:
        raise ValidationError(f'"{folder}" is not a folder.', code="folder")
    data, info = audio_of(upload)
    sender = clean_text(sender or "")
    for _attempt in range(5):
        message = Message(
            user=user,
            folder=folder,
            message_id=next_message_id(),
            subject=clean_text(subject or "") or "Voice Message",
            sender=sender,
            sender_brief=clean_text(sender_brief) if sender_brief else brief_from(sender),
            received=received or timezone.now(),
            duration=info.duration,
            format=info.format,
        )
        try:
            with mediafiles.atomic():  # a failed save leaves no file behind
                mediafiles.save(message.audio, message.filename, ContentFile(data))
                message.save()
        except IntegrityError:  # another deposit took the same id at the same moment: take the next one
            continue
        return message
    raise ValidationError("Could not allocate a message id; try again.", code="busy")


def move(message: Message, folder: str) -> None:
    if folder not in Folder.values:
        raise ValidationError(f'"{folder}" is not a folder.', code="folder")
    message.folder = folder
    message.save(update_fields=["folder"])


def set_heard(message: Message, heard: bool = True) -> None:
    message.heard = heard
    message.save(update_fields=["heard"])


def delete(message: Message) -> None:
    """Moves a message to `deleted`; a message already there is removed with its audio."""
    if message.folder != Folder.DELETED:
        move(message, Folder.DELETED)
        return
    purge(message)


def purge(message: Message) -> None:
    message.delete()  # its recording goes when this commits (sipxweb.mediafiles)


def save_greeting(user: User, kind: str, upload) -> Greeting:
    """Records (replaces) the greeting of type `kind` from a WAV or MP3 file."""
    if kind not in Greeting.Kind.values:
        raise ValidationError(f'"{kind}" is not a greeting type.', code="greeting")
    data, info = audio_of(upload)
    mailbox, _ = Mailbox.objects.get_or_create(user=user)
    greeting = Greeting.objects.filter(mailbox=mailbox, kind=kind).first() or Greeting(mailbox=mailbox, kind=kind)
    greeting.format, greeting.duration = info.format, info.duration
    with mediafiles.atomic():  # the replaced recording goes when this commits
        mediafiles.save(greeting.audio, f"greeting-{kind}.{info.format}", ContentFile(data))
        greeting.save()
    return greeting


def delete_greeting(greeting: Greeting) -> None:
    greeting.delete()  # its recording goes when this commits (sipxweb.mediafiles)
