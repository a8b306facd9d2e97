"""Voicemail to e-mail, through a real SMTP server on a local port (aiosmtpd): a new message is mailed once, with
its recording when the mailbox says so; an SMTP outage keeps the message and the mail goes later; a caller name
with line breaks never breaks the mail; a user without an address is recorded, not retried for ever."""

import threading
from datetime import UTC, datetime, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.voicemail import email as vmmail
from apps.voicemail import services
from apps.voicemail.models import EmailMode, Folder, MailDelivery, Message
from tests.conftest import REST, basic
from tests.voicemail.audio import tone_wav
from tests.voicemail.smtp import Sink, SmtpServer, free_port

Status = MailDelivery.Status


@pytest.fixture
def smtp_down(settings):
    """The settings point at a port where nothing listens yet; `.start()` brings the server up."""
    server = SmtpServer(free_port())
    server.configure(settings)
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down):
    smtp_down.start()
    return smtp_down


def deposit(user, sender='"Bob Jones" <sip:201@example.org>', seconds=2):
    upload = BytesIO(tone_wav(seconds))
    upload.name = "m.wav"
    return services.deposit(user, upload, sender=sender, received=datetime(2026, 11, 20, 9, 15, tzinfo=UTC))


def attachments(mail):
    return [(part.get_filename(), part.get_content_type(), part.get_content()) for part in mail.iter_attachments()]


# ---- a new message, end to end ------------------------------------------------------------------------------------


def test_deposit_over_rest_mails_once_with_the_recording(transactional_db, client, admin_user, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    recording = tone_wav(3)
    upload = BytesIO(recording)
    upload.name = "m.wav"
    response = client.post(
        f"{REST}/mailbox/200/messages",
        {"audio": upload, "from": '"Bob Jones" <sip:201@example.org>', "subject": "Voice Message"},
        **basic("superadmin", "admin1234"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    vmmail.wait_for_senders(10)  # the thread the commit started

    assert len(smtp.mails) == 1
    to, mail = smtp.mails[0]
    assert to == ["alice@example.org"]
    assert mail["To"] == "alice@example.org"
    assert mail["From"] == "voicemail@example.org"
    assert "Bob Jones - 201" in mail["Subject"]
    assert mail["Subject"].strip() == "Voicemail from Bob Jones - 201, " + timezone.localtime(
        Message.objects.get(user=alice).received
    ).strftime("%Y-%m-%d %H:%M")
    [(name, content_type, data)] = attachments(mail)
    assert content_type == "audio/wav" and name.endswith(".wav")
    assert data == recording
    message = Message.objects.get(user=alice)
    delivery = message.mail_delivery
    assert (delivery.status, delivery.attempts, delivery.address) == (Status.SENT, 1, "alice@example.org")
    assert message.folder == Folder.INBOX  # "attach" leaves it where it is

    # The retry command finds nothing to send, however often it runs.
    for _ in range(2):
        out = StringIO()
        call_command("send_voicemail_mail", stdout=out)
        assert "nothing due" in out.getvalue()
    assert len(smtp.mails) == 1


def test_command_deposit_waits_for_its_mail(transactional_db, alice, smtp, tmp_path):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    wav = tmp_path / "m.wav"
    wav.write_bytes(tone_wav(1))
    call_command("deposit_voicemail", "200", str(wav), "--from", "+15559998888", stdout=StringIO())
    vmmail.wait_for_senders(10)
    assert len(smtp.mails) == 1
    assert "+15559998888" in smtp.mails[0][1]["Subject"]


def test_mail_is_sent_once_by_the_sender(db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    deposit(alice)
    assert vmmail.send_due() == {Status.SENT: 1}
    assert vmmail.send_due() == {}
    call_command("send_voicemail_mail", stdout=StringIO())
    assert len(smtp.mails) == 1


def test_concurrent_senders_send_each_mail_once(transactional_db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    messages = [deposit(alice, sender=f"+1555000{i:04d}") for i in range(6)]
    vmmail.wait_for_senders(10)
    smtp.mails.clear()
    MailDelivery.objects.update(status=Status.PENDING, attempts=0, next_attempt=timezone.now(), sent=None)
    start = threading.Barrier(4)

    def sender():
        start.wait()
        try:
            vmmail.send_due()
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(smtp.mails) == len(messages)
    assert sorted(m["Subject"] for _, m in smtp.mails) == sorted({m["Subject"] for _, m in smtp.mails})
    assert set(MailDelivery.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(MailDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_mailbox_without_email_queues_nothing(db, alice, smtp):
    message = deposit(alice)
    assert not MailDelivery.objects.filter(message=message).exists()
    assert vmmail.send_due() == {}
    assert smtp.mails == []


# ---- the mail's content -------------------------------------------------------------------------------------------


def test_notify_only_has_no_attachment(db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    deposit(alice, seconds=2)
    vmmail.send_due()
    [(to, mail)] = smtp.mails
    assert to == ["alice@example.org"]
    assert attachments(mail) == []
    assert not mail.is_multipart()
    body = mail.get_content()
    assert "Bob Jones - 201 left you a voicemail message of 2 seconds" in body


def test_the_mail_gives_the_time_in_the_owners_time_zone(db, alice, smtp, settings):
    """As on the owner's pages: a message received at 09:15 UTC reads 10:15 (CET) for a user in Berlin, whatever
    the server's zone."""
    settings.TIME_ZONE = "America/New_York"
    alice.time_zone = "Europe/Berlin"
    alice.save(update_fields=["time_zone"])
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    deposit(alice)
    vmmail.send_due()
    [(_, mail)] = smtp.mails
    assert mail["Subject"].strip() == "Voicemail from Bob Jones - 201, 2026-11-20 10:15"
    assert "on 2026-11-20 at 10:15 (CET)." in mail.get_content()


def test_attach_and_save_moves_the_message_after_sending(db, alice, smtp_down):
    vmmail.set_email_mode(alice, EmailMode.ATTACH_SAVE)
    message = deposit(alice)
    vmmail.send_due()  # the server is down: the message stays in the inbox
    message.refresh_from_db()
    assert message.folder == Folder.INBOX
    assert message.mail_delivery.status == Status.PENDING

    smtp_down.start()
    vmmail.send_due(now=timezone.now() + timedelta(minutes=2))
    assert len(smtp_down.mails) == 1
    assert len(attachments(smtp_down.mails[0][1])) == 1
    message.refresh_from_db()
    assert message.folder == Folder.SAVED
    entry = AuditEntry.objects.filter(kind="message", key="200/" + message.message_id).latest("at")
    assert entry.changes == {"folder": ["inbox", "saved"]}
    assert (entry.actor, entry.channel) == ("voicemail e-mail", "system")


def test_caller_name_with_line_breaks_is_one_subject_line(db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    message = deposit(alice)
    # A row stored before the services cleaned text, or written by hand: the mail must still go, once.
    Message.objects.filter(pk=message.pk).update(sender_brief="Eve\r\nBcc: victim@example.net\nX-Evil: 1")
    assert vmmail.send_due() == {Status.SENT: 1}
    [(to, mail)] = smtp.mails
    assert to == ["alice@example.org"]
    assert mail["Bcc"] is None and mail["X-Evil"] is None
    assert mail["Subject"].strip().startswith("Voicemail from Eve Bcc: victim@example.net X-Evil: 1,")
    assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]


# ---- failures -----------------------------------------------------------------------------------------------------


def test_smtp_outage_keeps_the_message_and_the_retry_sends_it_once(db, alice, smtp_down):
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    message = deposit(alice)
    before = timezone.now()
    assert vmmail.send_due() == {Status.PENDING: 1}

    assert Message.objects.filter(pk=message.pk, folder=Folder.INBOX).exists()  # the message is kept
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    assert delivery.last_error == f"The mail server 127.0.0.1:{smtp_down.port} refused the connection."
    assert delivery.next_attempt >= before + timedelta(seconds=59)
    assert vmmail.send_due() == {}  # not due yet: nothing tried
    assert MailDelivery.objects.get(pk=delivery.pk).attempts == 1
    assert delivery in vmmail.troubled()

    # Still down at the second attempt: the wait doubles.
    vmmail.send_due(now=delivery.next_attempt + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt >= timezone.now() + timedelta(minutes=1, seconds=50)

    smtp_down.start()
    out = StringIO()
    call_command("send_voicemail_mail", stdout=out)  # not due yet
    assert smtp_down.mails == []
    vmmail.send_due(now=delivery.next_attempt + timedelta(seconds=1))
    vmmail.send_due(now=delivery.next_attempt + timedelta(hours=1))
    assert len(smtp_down.mails) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 3, "")
    assert delivery not in vmmail.troubled()


def test_given_up_after_the_last_attempt_and_sent_again_by_the_admin(db, alice, smtp_down):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    message = deposit(alice)
    moment = timezone.now()
    for _ in range(vmmail.MAX_ATTEMPTS):
        vmmail.send_due(now=moment)
        moment += vmmail.LONGEST_RETRY + timedelta(seconds=1)
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == Status.FAILED and delivery.attempts == vmmail.MAX_ATTEMPTS
    assert delivery.last_error.endswith(f"Given up after {vmmail.MAX_ATTEMPTS} attempts.")
    assert vmmail.send_due(now=moment + timedelta(days=30)) == {}

    smtp_down.start()
    assert vmmail.retry(alice) == 1
    vmmail.send_due()
    assert len(smtp_down.mails) == 1
    assert MailDelivery.objects.get(pk=delivery.pk).status == Status.SENT


def test_user_without_address_is_recorded_as_unsendable(db, bob, smtp):
    vmmail.set_email_mode(bob, EmailMode.ATTACH)
    message = deposit(bob, sender="+15551234567")
    assert vmmail.send_due() == {Status.UNSENDABLE: 1}
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.status == Status.UNSENDABLE
    assert delivery.last_error == "201 has no e-mail address in their contact information."
    assert vmmail.send_due(now=timezone.now() + timedelta(days=2)) == {}  # not tried again by itself
    assert smtp.mails == []
    assert Message.objects.filter(pk=message.pk).exists()


def test_sender_lease_that_ran_out_is_taken_over(db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    message = deposit(alice)
    # A sender claimed the row and died before sending.
    MailDelivery.objects.filter(message=message).update(
        status=Status.SENDING, attempts=1, claimed_until=timezone.now() + vmmail.LEASE
    )
    assert vmmail.send_due() == {}  # its lease still runs
    assert vmmail.send_due(now=timezone.now() + vmmail.LEASE + timedelta(seconds=1)) == {Status.SENT: 1}
    assert len(smtp.mails) == 1


def test_unknown_mode_is_refused_and_nothing_changes(db, alice):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    with pytest.raises(vmmail.ValidationError, match='"always" is not an e-mail choice'):
        vmmail.set_email_mode(alice, "always")
    assert vmmail.email_mode(alice) == EmailMode.NOTIFY
    entries = AuditEntry.objects.filter(kind="mailbox", key="200")
    assert [e.changes for e in entries] == [{"email_mode": ["off", "notify"]}]


class RefusingSink(Sink):
    """A server that refuses the recipient: for good (550) or for now (451)."""

    def __init__(self, code: int):
        super().__init__()
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        return f"{self.code} No such mailbox here"


@pytest.mark.parametrize(("code", "status"), [(550, Status.UNSENDABLE), (451, Status.PENDING)])
def test_a_refused_address_is_unsendable_only_when_refused_for_good(db, alice, smtp_down, code, status):
    smtp_down.sink = RefusingSink(code)
    smtp_down.start()
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    message = deposit(alice)
    assert vmmail.send_due() == {status: 1}
    delivery = MailDelivery.objects.get(message=message)
    assert (
        delivery.last_error == f"The mail server refused the address alice@example.org ({code} No such mailbox here)."
    )
    assert smtp_down.mails == []


def test_a_message_deleted_before_its_mail_sends_nothing(db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    message = deposit(alice)
    services.purge(message)
    assert vmmail.send_due() == {}
    assert smtp.mails == [] and not MailDelivery.objects.exists()


def test_a_missing_recording_is_a_failed_attempt_with_a_sentence(db, alice, smtp):
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    message = deposit(alice)
    message.audio.storage.delete(message.audio.name)
    assert vmmail.send_due() == {Status.PENDING: 1}
    delivery = MailDelivery.objects.get(message=message)
    assert delivery.last_error == "The message's recording is missing from the media storage."
    assert smtp.mails == []


def test_a_backlog_larger_than_a_batch_is_sent_in_one_run(db, alice, smtp, monkeypatch):
    monkeypatch.setattr(vmmail, "BATCH", 2)
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    for i in range(5):
        deposit(alice, sender=f"+1555000{i:04d}")
    out = StringIO()
    call_command("send_voicemail_mail", stdout=out)
    assert out.getvalue() == "Voicemail e-mail: 5 sent.\n"
    assert len(smtp.mails) == 5
