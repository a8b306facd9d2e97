"""Voicemail: each user's mailbox (active greeting, one recorded greeting per type) and the messages in its
folders, with their audio in Django's media storage (`default_storage`, so shared storage works the same)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Folder(models.TextChoices):
    """Mailbox folders (docs/compatibility.md B.5.7)."""

    INBOX = "inbox", _("Inbox")
    SAVED = "saved", _("Saved")
    DELETED = "deleted", _("Deleted")
    CONFERENCE = "conference", _("Conference")


class ActiveGreeting(models.TextChoices):
    """The greeting callers hear (sipXconfig `voicemail/mailbox/active-greeting`)."""

    NONE = "none", _("None (system greeting)")
    STANDARD = "standard", _("Standard")
    OUT_OF_OFFICE = "outofoffice", _("Out of office")
    EXTENDED_ABSENCE = "extendedabsence", _("Extended absence")


class EmailMode(models.TextChoices):
    """What the mailbox's owner gets by e-mail for each new message (apps/voicemail/email.py)."""

    OFF = "off", _("No e-mail")
    NOTIFY = "notify", _("A notification")
    ATTACH = "attach", _("The message attached")
    ATTACH_SAVE = "attach-save", _("The message attached, then moved to Saved")


class AudioFormat(models.TextChoices):
    WAV = "wav", "WAV"
    MP3 = "mp3", "MP3"


MIME_TYPES = {AudioFormat.WAV: "audio/wav", AudioFormat.MP3: "audio/mpeg"}
# A message id names the recording's file and stands in URLs: no "/", ".." or spaces can reach either.
message_id_chars = RegexValidator(r"^[0-9A-Za-z_-]+$", _("A message id is letters, digits, '_' or '-'."))
MAX_DURATION = 86400  # a day: longer is a broken header, not a message


def message_upload_to(message: "Message", filename: str) -> str:
    return f"voicemail/{message.user.username}/{message.message_id}.{message.format}"


def greeting_upload_to(greeting: "Greeting", filename: str) -> str:
    return f"voicemail/{greeting.mailbox.user.username}/greeting-{greeting.kind}.{greeting.format}"


class Mailbox(models.Model):
    """A user's mailbox preferences. Created on first change; a user without one has the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox")
    active_greeting = models.CharField(max_length=20, choices=ActiveGreeting.choices, default=ActiveGreeting.NONE)
    email_mode = models.CharField(_("e-mail"), max_length=12, choices=EmailMode.choices, default=EmailMode.OFF)

    class Meta:
        ordering = ["user"]

    def __str__(self):
        return f"mailbox of {self.user}"

    def get_absolute_url(self):
        return reverse("voicemail:mailbox", args=[self.user.username])


class Greeting(models.Model):
    """A recorded greeting of one type (the `none` greeting is the system's and has no recording)."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard")
        OUT_OF_OFFICE = "outofoffice", _("Out of office")
        EXTENDED_ABSENCE = "extendedabsence", _("Extended absence")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="greetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    audio = models.FileField(upload_to=greeting_upload_to, max_length=255)
    format = models.CharField(max_length=3, choices=AudioFormat.choices)
    duration = models.PositiveIntegerField(_("duration (s)"), default=0)

    class Meta:
        ordering = ["mailbox", "kind"]
        constraints = [models.UniqueConstraint(fields=["mailbox", "kind"], name="one_greeting_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} greeting of {self.mailbox.user}"

    def get_absolute_url(self):
        return self.mailbox.get_absolute_url()

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


class MessageQuerySet(models.QuerySet):
    def counts_by_folder(self) -> dict[str, dict[str, int]]:
        """{folder: {"total": n, "unheard": m}} for every folder, in one query."""
        counts = {f: {"total": 0, "unheard": 0} for f in Folder.values}
        rows = self.values("folder").annotate(
            total=models.Count("id"), unheard=models.Count("id", filter=models.Q(heard=False))
        )
        for row in rows:
            counts[row["folder"]] = {"total": row["total"], "unheard": row["unheard"]}
        return counts


class Message(models.Model):
    """A voicemail message. `message_id` is the media server's id (10 digits, unique in the PBX);
    `sender` is the caller as a SIP address or number, `sender_brief` its short form ("Bob Jones - 201")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voicemail_messages")
    folder = models.CharField(max_length=10, choices=Folder.choices, default=Folder.INBOX, db_index=True)
    message_id = models.CharField(_("message id"), max_length=32, unique=True, validators=[message_id_chars])
    subject = models.CharField(max_length=255, default="Voice Message")
    sender = models.CharField(_("from"), max_length=255, blank=True)
    sender_brief = models.CharField(_("from (brief)"), max_length=255, blank=True)
    received = models.DateTimeField(db_index=True)
    duration = models.PositiveIntegerField(_("duration (s)"), default=0, validators=[MaxValueValidator(MAX_DURATION)])
    format = models.CharField(max_length=3, choices=AudioFormat.choices, default=AudioFormat.WAV)
    heard = models.BooleanField(default=False)
    audio = models.FileField(upload_to=message_upload_to, max_length=255, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received", "-message_id"]
        indexes = [models.Index(fields=["user", "folder", "-received"], name="vm_user_folder_received")]

    def __str__(self):
        return f"message {self.message_id}"

    def get_absolute_url(self):
        return reverse("portal-voicemail:mailbox") + f"?folder={self.folder}"

    @property
    def mime_type(self) -> str:
        return MIME_TYPES.get(self.format, "audio/mpeg")

    @property
    def filename(self) -> str:
        return f"{self.message_id}.{self.format}"


class MailDelivery(models.Model):
    """The e-mail of one new message (apps/voicemail/email.py): queued with the message in its transaction, sent
    after it commits, retried with a growing delay until it is sent or given up. `attempts` counts the tries,
    `last_error` says why the last one failed, `next_attempt` is when a sender may try again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")
        UNSENDABLE = "unsendable", _("Cannot be sent")

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="mail_delivery")
    mode = models.CharField(max_length=12, choices=EmailMode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    address = models.CharField(_("to"), max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    next_attempt = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a sender's lease while it sends
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt"], name="vm_mail_due")]

    def __str__(self):
        return f"e-mail of {self.message}"
