"""The e-mail part of the mailbox pages: a user chooses it on the portal, an administrator for any mailbox, and the
administrator sees the mails not delivered (the mailbox page, the dashboard) and sends given-up ones again."""

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.utils import timezone

from apps.voicemail import email as vmmail
from apps.voicemail import services
from apps.voicemail.models import EmailMode, MailDelivery
from tests.conftest import count_queries
from tests.voicemail.audio import tone_wav

Status = MailDelivery.Status


def deposit(user, sender="+15559998888"):
    upload = BytesIO(tone_wav(1))
    return services.deposit(user, upload, sender=sender, received=datetime(2026, 11, 20, 9, 15, tzinfo=UTC))


def text(response) -> str:
    return response.content.decode()


def checked(page: str) -> list[str]:
    """The e-mail choices the page shows as chosen."""
    return re.findall(r'<input type="radio" name="email_mode" value="([^"]+)"[^>]*\bchecked\b', page)


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_user_chooses_on_the_portal(client, alice):
    client.force_login(alice)
    page = text(client.get("/portal/voicemail/"))
    assert "New messages by e-mail" in page and "alice@example.org" in page
    assert checked(page) == ["off"]

    response = client.post("/portal/voicemail/email/", {"email_mode": "attach-save"}, follow=True)
    assert response.status_code == 200
    assert vmmail.email_mode(alice) == EmailMode.ATTACH_SAVE
    assert flashes(response) == [
        "New messages are sent to alice@example.org: the message attached, then moved to saved."
    ]
    assert checked(text(response)) == ["attach-save"]


def test_an_unknown_choice_changes_nothing(client, alice):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    client.force_login(alice)
    response = client.post("/portal/voicemail/email/", {"email_mode": "always"}, follow=True)
    assert response.status_code == 200
    assert flashes(response)[0].startswith("Choose one of: No e-mail, A notification")
    assert vmmail.email_mode(alice) == EmailMode.NOTIFY


def test_a_user_without_an_address_is_told(client, bob):
    client.force_login(bob)
    page = text(client.get("/portal/voicemail/"))
    assert "201 has no e-mail address in their contact information." in page
    assert 'href="/portal/contact/"' in page
    response = client.post("/portal/voicemail/email/", {"email_mode": "notify"}, follow=True)
    assert flashes(response) == [
        "Saved, but no mail can be sent yet: 201 has no e-mail address in their contact information."
    ]
    assert vmmail.email_mode(bob) == EmailMode.NOTIFY


def test_users_cannot_use_the_admin_pages(client, alice, bob):
    client.force_login(bob)
    response = client.post("/voicemail/200/email/", {"email_mode": "notify"})
    assert response.status_code in (302, 403)
    assert vmmail.email_mode(alice) == EmailMode.OFF
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    deposit(alice)
    MailDelivery.objects.update(status=Status.FAILED)
    assert client.post("/voicemail/200/email/retry/").status_code in (302, 403)
    assert MailDelivery.objects.get().status == Status.FAILED


def test_the_admin_chooses_sees_failures_and_sends_again(admin_client, alice):
    response = admin_client.post("/voicemail/200/email/", {"email_mode": "notify"}, follow=True)
    assert response.status_code == 200
    assert vmmail.email_mode(alice) == EmailMode.NOTIFY
    page = text(admin_client.get("/voicemail/200/"))
    assert "Every e-mail of this mailbox has been sent." in page

    message = deposit(alice)
    MailDelivery.objects.filter(message=message).update(
        status=Status.FAILED, attempts=12, last_error="The mail server 127.0.0.1:2525 refused the connection."
    )
    page = text(admin_client.get("/voicemail/200/"))
    assert f'data-message="{message.message_id}" data-status="failed"' in page
    assert "The mail server 127.0.0.1:2525 refused the connection." in page
    assert "Send the given-up mails again" in page

    response = admin_client.post("/voicemail/200/email/retry/", follow=True)
    assert flashes(response) == ["1 e-mail will be sent again now."]
    delivery = MailDelivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 0)
    assert delivery.next_attempt <= timezone.now()


def test_the_portal_does_not_show_delivery_errors(client, alice):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    deposit(alice)
    MailDelivery.objects.update(status=Status.FAILED, last_error="The mail server smtp.internal:25 refused")
    client.force_login(alice)
    page = text(client.get("/portal/voicemail/"))
    assert "smtp.internal" not in page and "Send the given-up" not in page


def test_the_dashboard_lists_undelivered_mail(admin_client, alice, bob):
    page = text(admin_client.get("/"))
    assert "Every voicemail e-mail has been sent." in page
    vmmail.set_email_modes([(alice, EmailMode.NOTIFY), (bob, EmailMode.NOTIFY)])
    deposit(alice)
    deposit(bob)
    MailDelivery.objects.filter(message__user=bob).update(
        status=Status.UNSENDABLE, last_error="201 has no e-mail address in their contact information."
    )
    MailDelivery.objects.filter(message__user=alice).update(status=Status.SENT)
    page = text(admin_client.get("/"))
    section = page.split('id="voicemail-mail"')[1].split("</section>")[0]
    assert 'href="/voicemail/201/#voicemail-email">Bob Jones</a>: Cannot be sent' in section
    assert "201 has no e-mail address" in section
    assert "/voicemail/200/" not in section


@pytest.mark.parametrize("url", ["/", "/voicemail/200/"])
def test_pages_cost_the_same_queries_for_any_number_of_undelivered_mails(admin_client, alice, url):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)

    def undelivered(n):
        for i in range(n):
            deposit(alice, sender=f"+1555{i:07d}")
        MailDelivery.objects.update(status=Status.FAILED, last_error="down")

    undelivered(2)
    few = count_queries(admin_client.get, url)
    undelivered(20)
    assert count_queries(admin_client.get, url) == few
