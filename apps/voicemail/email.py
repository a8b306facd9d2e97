"""Voicemail to e-mail: the rules of a mailbox's e-mail choice and of the mail each new message sends.

* **The choice** (`Mailbox.email_mode`, `EmailMode`): no e-mail (the default), a notification, the message
  attached, or attached and then moved to Saved. Set by `set_email_mode` (the mailbox pages, the portal, the admin
  JSON API) and `set_email_modes` (the PBX data file, in bulk); audited as the mailbox's `email_mode`.
* **Queued with the message**: `services.deposit` — the one way a new message arrives (the sipXconfig deposit URI,
  the media server, `manage.py deposit_voicemail`) — calls `queue()` in its transaction, so a `MailDelivery` row
  exists exactly when the message does. The data file's restore (`upsert_messages`) sends nothing: its messages
  are not new.
* **Sent after the commit**: `queue()` registers `kick()` with `transaction.on_commit`: a thread sends every
  delivery that is due (this one, and earlier ones waiting for a retry), so the deposit never waits for the mail
  server. `manage.py send_voicemail_mail` does the same from cron (docs/operations.md).
* **Once per message**: a sender first claims a due row with one conditional UPDATE (status pending and due, or a
  lease that ran out) that sets `sending` and a lease; only the sender whose UPDATE changed the row sends it. A row
  marked `sent` is never claimed again. (A sender that dies between the mail server's acceptance and marking the
  row leaves a lease that runs out: that mail may go twice, the only case.)
* **A failure never loses the message** (it is stored before any mail is tried): the row records the attempt, the
  error as a sentence and the next attempt, 1, 2, 4 … minutes later, at most 6 hours apart; after MAX_ATTEMPTS it
  is given up (`failed`). A user without a usable address is `unsendable`, with the reason. An administrator sees
  these on the mailbox page and the dashboard and may send them again (`retry`).
* **Moved to Saved** only once the mail server accepted the mail, in the transaction that marks it sent.
"""

import logging
import re
import smtplib
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from itertools import batched

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import connections, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.context import acting
from apps.users.availability import user_zone
from apps.users.models import User
from apps.voicemail.models import EmailMode, Folder, Mailbox, MailDelivery, Message

log = logging.getLogger("sipxweb.voicemail.email")

Status = MailDelivery.Status
MAX_ATTEMPTS = 12  # 1 + 2 + 4 … minutes, at most 6 hours apart: about a day of trying
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
LEASE = timedelta(minutes=10)  # a claimed row is another sender's again after this (its sender died)
BATCH = 100  # rows one sender claims and sends per query of due rows
_CHUNK = 900


class Unsendable(Exception):
    """The mail cannot be sent however often it is tried (no address): the sentence says why."""


# ---- the mailbox's choice ---------------------------------------------------------------------------------------


def email_mode(user: User) -> str:
    value = Mailbox.objects.filter(user=user).values_list("email_mode", flat=True).first()
    return value or EmailMode.OFF


def check_mode(mode: str) -> str:
    if mode not in EmailMode.values:
        raise ValidationError(
            _('"%(mode)s" is not an e-mail choice; use one of %(choices)s.')
            % {"mode": mode, "choices": ", ".join(EmailMode.values)},
            code="email_mode",
        )
    return mode


def set_email_mode(user: User, mode: str) -> None:
    """One user's choice, as the pages and the admin JSON API set it."""
    set_email_modes([(user, mode)])


def set_email_modes(choices: Sequence[tuple[User, str | None]]) -> None:
    """Each user's choice (None: no e-mail), refused as a whole at the first unknown one (ValidationError with
    `item`, its index); a fixed number of queries for any number of users. A user without a mailbox gets one only
    for a choice other than `off`."""
    wanted: dict[int, str] = {}
    names: dict[int, str] = {}
    for index, (user, mode) in enumerate(choices):
        try:
            wanted[user.pk] = check_mode(mode or EmailMode.OFF)
        except ValidationError as exc:
            exc.item = index
            raise
        names[user.pk] = user.username
    before = dict.fromkeys(wanted, EmailMode.OFF.value)
    for chunk in batched(wanted, _CHUNK):
        before.update(Mailbox.objects.filter(user_id__in=chunk).values_list("user_id", "email_mode"))
    chosen = [Mailbox(user_id=pk, email_mode=m) for pk, m in wanted.items() if m != EmailMode.OFF]
    Mailbox.objects.bulk_create(
        chosen, batch_size=500, update_conflicts=True, unique_fields=["user"], update_fields=["email_mode"]
    )
    off = [pk for pk, m in wanted.items() if m == EmailMode.OFF]
    for chunk in batched(off, _CHUNK):
        Mailbox.objects.filter(user_id__in=chunk).exclude(email_mode=EmailMode.OFF).update(email_mode=EmailMode.OFF)
    audit.record_many(
        audit.Change("mailbox", names[pk], {"email_mode": before[pk]}, {"email_mode": m})
        for pk, m in wanted.items()
        if m != before[pk]
    )


def email_modes() -> dict[int, str]:
    """user id -> choice, for the users whose choice is not `off` (the data file's export)."""
    return dict(Mailbox.objects.exclude(email_mode=EmailMode.OFF).values_list("user_id", "email_mode"))


def recipient(user: User) -> str:
    """The address the mail goes to: the user's e-mail in their contact information; Unsendable says what is
    missing."""
    profile = getattr(user, "profile", None)
    return checked_address(user.username, profile.email_address if profile is not None else None)


def checked_address(username: str, address: str | None) -> str:
    address = (address or "").strip()
    if not address:
        raise Unsendable(_("%(user)s has no e-mail address in their contact information.") % {"user": username})
    try:
        validate_email(address)
    except ValidationError:
        raise Unsendable(
            _('"%(address)s" of %(user)s is not an e-mail address.') % {"address": one_line(address), "user": username}
        ) from None
    return address


def summary(user: User) -> dict:
    """What the mailbox page shows, in one query: the choice (`mode`), the `address` mails go to or the `problem`
    that stops them, and whether any of the mailbox's mails are `undelivered` (troubled())."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            mode=Coalesce(F("mailbox__email_mode"), Value(EmailMode.OFF.value)),
            address=F("profile__email_address"),
            undelivered=Exists(troubled().filter(message__user_id=OuterRef("pk"))),
        )
        .values("mode", "address", "undelivered")
        .get()
    )
    try:
        address, problem = checked_address(user.username, row["address"]), ""
    except Unsendable as exc:
        address, problem = "", str(exc)
    return {"mode": row["mode"], "address": address, "problem": problem, "undelivered": row["undelivered"]}


# ---- queueing -----------------------------------------------------------------------------------------------------


def queue(message: Message) -> MailDelivery | None:
    """In the transaction that stores a new message: its delivery when the mailbox sends e-mail; sending is tried
    once the transaction commits."""
    mode = email_mode(message.user)
    if mode == EmailMode.OFF:
        return None
    delivery = MailDelivery.objects.create(message=message, mode=mode, next_attempt=timezone.now())
    transaction.on_commit(kick, robust=True)
    return delivery


_senders: set[threading.Thread] = set()
_senders_lock = threading.Lock()


def kick() -> threading.Thread:
    """Sends what is due in a thread of its own (a slow mail server never holds up a deposit). Not a daemon: a
    command that deposited (deposit_voicemail) or a stopping worker waits for the mail to be handed over."""
    thread = threading.Thread(target=_send_in_thread, name="voicemail-mail")
    with _senders_lock:
        _senders.add(thread)
    thread.start()
    return thread


def _send_in_thread() -> None:
    try:
        send_due()
    except Exception:  # noqa: BLE001 - a thread's failure is logged; the rows say what is left to send
        log.exception("sending voicemail e-mail failed")
    finally:
        connections.close_all()  # this thread's connections
        with _senders_lock:
            _senders.discard(threading.current_thread())


def wait_for_senders(timeout: float | None = None) -> None:
    """Waits for the sending threads started so far (commands and tests that need the outcome)."""
    with _senders_lock:
        running = list(_senders)
    for thread in running:
        thread.join(timeout)


# ---- sending ------------------------------------------------------------------------------------------------------


def _due(now) -> Q:
    return Q(status=Status.PENDING, next_attempt__lte=now) | Q(status=Status.SENDING, claimed_until__lt=now)


def send_due(now=None) -> Counter:
    """Sends every delivery that is due, BATCH at a time; returns how many ended in each status."""
    outcome: Counter = Counter()
    last = 0  # each row at most once per run, in the order the messages arrived
    while True:
        moment = now or timezone.now()
        ids = list(
            MailDelivery.objects.filter(_due(moment), pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return outcome
        for pk in ids:
            status = send(pk, moment)
            if status is not None:
                outcome[status] += 1
        last = ids[-1]


def _claim(pk: int, now) -> bool:
    """One atomic UPDATE: the sender whose update changed the row is its only sender until the lease runs out
    (PostgreSQL re-checks the condition on a row another transaction just changed; SQLite writes one at a time)."""
    claimed = MailDelivery.objects.filter(_due(now), pk=pk).update(
        status=Status.SENDING, claimed_until=now + LEASE, attempts=F("attempts") + 1
    )
    return claimed == 1


def send(pk: int, now=None) -> str | None:
    """Claims and sends one delivery; its new status, or None when it was not due or another sender has it."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return None
    delivery = MailDelivery.objects.select_related("message__user__profile").filter(pk=pk).first()
    if delivery is None:  # its message was deleted for good meanwhile
        return None
    message = delivery.message
    try:
        address = recipient(message.user)
        build(delivery, address).send()
    except Unsendable as exc:
        return _finish(delivery, Status.UNSENDABLE, str(exc))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _reply in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):  # refused for good: retrying changes nothing
            return _finish(delivery, Status.UNSENDABLE, refusal(exc))
        return _failed(delivery, refusal(exc), now)
    except Exception as exc:  # noqa: BLE001 - whatever the mail server or the network did: recorded, retried
        return _failed(delivery, describe(exc), now)
    with transaction.atomic():
        MailDelivery.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.SENT, sent=timezone.now(), address=address, last_error="", claimed_until=None
        )
        if delivery.mode == EmailMode.ATTACH_SAVE:
            _save(message)
    return Status.SENT


def _save(message: Message) -> None:
    """Moves the mailed message from the inbox to Saved (a message the user already moved stays where it is)."""
    from apps.voicemail import services  # services imports this module to queue deposits

    current = Message.objects.select_for_update().filter(pk=message.pk).first()
    if current is not None and current.folder == Folder.INBOX:
        current.user = message.user
        with acting("system", name="voicemail e-mail"):
            services.move(current, Folder.SAVED)


def _finish(delivery: MailDelivery, status: str, error: str) -> str:
    MailDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=status, last_error=error[:500], next_attempt=None, claimed_until=None
    )
    log.warning("voicemail e-mail of message %s: %s", delivery.message.message_id, error)
    return status


def _failed(delivery: MailDelivery, error: str, now) -> str:
    attempts = delivery.attempts  # counted by the claim
    if attempts >= MAX_ATTEMPTS:
        return _finish(delivery, Status.FAILED, f"{error} Given up after {attempts} attempts.")
    wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    MailDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.PENDING, last_error=error[:500], next_attempt=now + wait, claimed_until=None
    )
    log.warning("voicemail e-mail of message %s, attempt %d: %s", delivery.message.message_id, attempts, error)
    return Status.PENDING


def refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    replies = "; ".join(
        f"{address} ({code} {one_line(reply.decode(errors='replace') if isinstance(reply, bytes) else str(reply))})"
        for address, (code, reply) in exc.recipients.items()
    )
    return f"The mail server refused the address {replies}."[:480]


def describe(exc: Exception) -> str:
    """The failure as a sentence for the administrator (never the server's credentials: they are not in it)."""
    options = getattr(settings, "MAILERS", {}).get("default", {}).get("OPTIONS", {})
    server = f"{options.get('host', 'localhost')}:{options.get('port', 25)}"
    if isinstance(exc, ConnectionRefusedError):
        return f"The mail server {server} refused the connection."
    if isinstance(exc, TimeoutError):
        return f"The mail server {server} did not answer in time."
    if isinstance(exc, FileNotFoundError):
        return "The message's recording is missing from the media storage."
    detail = one_line(str(exc)) or type(exc).__name__
    return f"Sending through {server} failed: {detail}"[:480]


# ---- the mail -----------------------------------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(value: str) -> str:
    """Text safe in a mail header: line breaks and other control characters become one space (a caller name with
    CR/LF must neither add a header nor make Django refuse the mail on every retry)."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


def caller(message: Message) -> str:
    return one_line(message.sender_brief or message.sender) or _("an unknown caller")


def subject(message: Message) -> str:
    """In the active language (build's: the owner's)."""
    local = timezone.localtime(message.received)
    text = _("Voicemail from %(caller)s, %(time)s") % {"caller": caller(message), "time": f"{local:%Y-%m-%d %H:%M}"}
    return one_line(text)[:200]


def attachment_name(message: Message) -> str:
    local = timezone.localtime(message.received)
    return f"voicemail-{local:%Y-%m-%d-%H%M}-{message.message_id}.{message.format}"


def mail_language(user: User) -> str:
    """The language of the user's mails: their chosen one (User.language), else the site's (English); the browser's
    is not known when a message arrives."""
    chosen = user.language
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def build(delivery: MailDelivery, address: str) -> EmailMessage:
    """The mail of a new message, in its owner's language (mail_language) and time zone (as their pages)."""
    owner = delivery.message.user
    with translation.override(mail_language(owner)), timezone.override(user_zone(owner)):
        return _build(delivery, address)


def _build(delivery: MailDelivery, address: str) -> EmailMessage:
    message = delivery.message
    local = timezone.localtime(message.received)
    attached = delivery.mode in (EmailMode.ATTACH, EmailMode.ATTACH_SAVE)
    left = _("%(caller)s left you a voicemail message of %(seconds)s seconds on %(date)s at %(time)s (%(zone)s).")
    values = {
        "caller": caller(message),
        "seconds": message.duration,
        "date": f"{local:%Y-%m-%d}",
        "time": f"{local:%H:%M}",
        "zone": f"{local:%Z}",
    }
    lines = [
        left % values,
        "",
        _("The recording is attached.")
        if attached
        else _("Listen to it on your phone or in your voicemail on the portal."),
    ]
    if delivery.mode == EmailMode.ATTACH_SAVE:
        lines.append(_("The message has been moved to your Saved folder."))
    mail = EmailMessage(subject(message), "\n".join(lines) + "\n", settings.DEFAULT_FROM_EMAIL, [address])
    if attached:
        with message.audio.open("rb") as recording:
            mail.attach(attachment_name(message), recording.read(), message.mime_type)
    return mail


# ---- what the administrator sees and does ---------------------------------------------------------------------


def troubled():
    """Deliveries not sent yet after at least one attempt, given up, or not sendable: newest first."""
    waiting = Q(status__in=[Status.PENDING, Status.SENDING], attempts__gt=0)
    return MailDelivery.objects.filter(waiting | Q(status__in=[Status.FAILED, Status.UNSENDABLE]))


def retry(user: User) -> int:
    """Sends the mailbox's given-up and unsendable mails again (from the first attempt), now; how many."""
    rows = list(
        MailDelivery.objects.filter(message__user=user, status__in=[Status.FAILED, Status.UNSENDABLE]).select_related(
            "message"
        )
    )
    now = timezone.now()
    MailDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=Status.PENDING, attempts=0, next_attempt=now, claimed_until=None
    )
    audit.record_many(
        audit.Change(
            "voicemail e-mail", f"{user.username}/{r.message.message_id}", {"status": r.status}, {"status": "pending"}
        )
        for r in rows
    )
    if rows:
        transaction.on_commit(kick, robust=True)
    return len(rows)
