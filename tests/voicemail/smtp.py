"""A real SMTP server for the voicemail e-mail tests (aiosmtpd on a free local port), started and stopped by the
test: an outage is nothing listening on the port the settings name."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd's handler: every mail the server accepted, parsed."""

    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed free port that the test starts and stops (an outage is nothing listening)."""

    def __init__(self, port: int):
        self.port, self.sink, self.controller = port, Sink(), None

    def start(self):
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def configure(self, settings) -> None:
        """Django's mailer sends to this server (pytest-django's `settings` fixture puts it back)."""
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }
        settings.DEFAULT_FROM_EMAIL = "voicemail@example.org"

    @property
    def mails(self):
        return self.sink.mails
