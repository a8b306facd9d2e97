"""Voicemail to e-mail in Chromium (Playwright): a user chooses "the message attached" on the portal, a message
deposited over the sipXconfig URI arrives at a real SMTP server with its recording; while the mail server is down
the administrator sees the undelivered mail on the dashboard and the mailbox page, and once the server is back the
retry command sends it and the page says every mail has been sent."""

import base64
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from playwright.sync_api import expect

from apps.voicemail import email as vmmail
from apps.voicemail.models import MailDelivery
from tests.voicemail.audio import tone_wav
from tests.voicemail.smtp import SmtpServer, free_port

pytestmark = pytest.mark.e2e


class NamedBytes:
    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def read(self):
        return self.data


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def smtp(settings):
    server = SmtpServer(free_port())
    server.configure(settings)
    server.start()
    yield server
    server.stop()


def deposit_over_rest(live_server, recording: bytes, sender: str) -> None:
    """The media server's way in: POST /mailbox/200/messages as an administrator."""
    body = encode_multipart(BOUNDARY, {"audio": NamedBytes(recording, "m.wav"), "from": sender, "subject": "Hi"})
    request = urllib.request.Request(
        live_server.url + "/sipxconfig/rest/mailbox/200/messages",
        data=body,
        method="POST",
        headers={
            "Content-Type": MULTIPART_CONTENT,
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(b"superadmin:admin1234").decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    vmmail.wait_for_senders(10)


def test_choose_receive_see_failure_and_recover(transactional_db, alice, admin_user, smtp, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    section = page.locator("#voicemail-email")
    expect(section.locator("#email-address")).to_have_text("alice@example.org")
    section.get_by_label("The message attached", exact=True).check()
    section.get_by_role("button", name="Save e-mail choice").click()
    expect(page.get_by_text("New messages are sent to alice@example.org: the message attached.")).to_be_visible()
    expect(page.locator("#voicemail-email").get_by_label("The message attached", exact=True)).to_be_checked()

    recording = tone_wav(2)
    deposit_over_rest(live_server, recording, '"Bob Jones" <sip:201@example.org>')
    assert len(smtp.mails) == 1
    to, mail = smtp.mails[0]
    assert to == ["alice@example.org"] and "Bob Jones - 201" in mail["Subject"]
    assert [part.get_content() for part in mail.iter_attachments()] == [recording]

    smtp.stop()  # the mail server goes away: the next message is kept, its mail waits
    deposit_over_rest(live_server, tone_wav(1), "+15559998888")
    page.reload()
    expect(page.locator("#messages tbody tr")).to_have_count(2)

    page.context.clear_cookies()  # a new visitor: the administrator
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/")
    glance = page.locator("#voicemail-mail")
    expect(glance).to_contain_text("Alice Smith: Waiting to be sent")
    expect(glance).to_contain_text("refused the connection")
    glance.get_by_role("link", name="Alice Smith").click()
    row = page.locator("#undelivered-mail tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Waiting to be sent")

    smtp.start()
    MailDelivery.objects.filter(status=MailDelivery.Status.PENDING).update(next_attempt=timezone.now())  # time passes
    call_command("send_voicemail_mail", stdout=StringIO())
    assert len(smtp.mails) == 2
    page.reload()
    expect(page.locator("#voicemail-email")).to_contain_text("Every e-mail of this mailbox has been sent.")
