"""A new message's e-mail is written in its owner's language (User.language), whoever deposits it and in whatever
language the depositing request runs; a user who chose none gets English (the browser's is not known then). The
German here comes from a small catalogue compiled for the test, so the rule is tested whatever the shipped
translation says. Needs Debian's gettext (msgfmt)."""

import json
import shutil
import subprocess
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.utils import translation

from apps.voicemail import email as vmmail
from apps.voicemail import services
from apps.voicemail.models import EmailMode
from tests.conftest import REST, basic
from tests.voicemail.audio import tone_wav
from tests.voicemail.smtp import SmtpServer, free_port

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="Debian's gettext is not installed")

GERMAN = {
    "Voicemail from %(caller)s, %(time)s": "Sprachnachricht von %(caller)s, %(time)s",
    "%(caller)s left you a voicemail message of %(seconds)s seconds on %(date)s at %(time)s (%(zone)s).": (
        "Sie haben am %(date)s um %(time)s (%(zone)s) eine Sprachnachricht von %(caller)s erhalten "
        "(Länge: %(seconds)s s)."
    ),
    "The recording is attached.": "Die Aufnahme ist angehängt.",
    "an unknown caller": "einem unbekannten Anrufer",
}


@pytest.fixture(autouse=True)
def german_catalogue(settings, tmp_path):
    folder = tmp_path / "locale" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    entries = "".join(
        f"\n#, python-format\nmsgid {json.dumps(k, ensure_ascii=False)}\nmsgstr {json.dumps(v, ensure_ascii=False)}\n"
        for k, v in GERMAN.items()
    )
    (folder / "django.po").write_text(header + entries, encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", folder / "django.mo", folder / "django.po"], check=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # Django drops its loaded catalogues when this changes


@pytest.fixture
def smtp(settings):
    server = SmtpServer(free_port())
    server.configure(settings)
    server.start()
    yield server
    server.stop()


def recording(name="m.wav"):
    upload = BytesIO(tone_wav(2))
    upload.name = name
    return upload


def test_a_german_users_mail_is_german_though_the_deposit_came_over_the_english_api(
    transactional_db, client, admin_user, alice, smtp
):
    alice.language = "de"
    alice.save(update_fields=["language"])
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    response = client.post(
        f"{REST}/mailbox/200/messages",
        {"audio": recording(), "from": "", "subject": "Voice Message"},
        **basic("superadmin", "admin1234"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    vmmail.wait_for_senders(10)

    [(_to, mail)] = smtp.mails
    assert mail["Subject"].startswith("Sprachnachricht von einem unbekannten Anrufer, ")
    body = mail.get_body(("plain",)).get_content()
    assert "eine Sprachnachricht von einem unbekannten Anrufer erhalten (Länge: 2 s)." in body
    assert "Die Aufnahme ist angehängt." in body


def test_a_user_without_a_language_gets_english_whatever_language_is_active(transactional_db, alice, smtp):
    assert alice.language == ""
    vmmail.set_email_mode(alice, EmailMode.ATTACH)
    with translation.override("de"):  # e.g. a German page's request that deposits and sends
        services.deposit(alice, recording(), sender="", received=datetime(2026, 11, 20, 9, 15, tzinfo=UTC))
        vmmail.wait_for_senders(10)
        vmmail.send_due()
        assert translation.get_language() == "de"  # the mail's language was the mail's only

    [(_to, mail)] = smtp.mails
    assert mail["Subject"].startswith("Voicemail from an unknown caller, ")
    body = mail.get_body(("plain",)).get_content()
    assert "an unknown caller left you a voicemail message of 2 seconds on 2026-11-20" in body
    assert "The recording is attached." in body
