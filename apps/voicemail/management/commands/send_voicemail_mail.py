"""`manage.py send_voicemail_mail [--every SECONDS]`: sends the voicemail e-mails that are due — those whose first
attempt did not get through (the mail server was down) and are waiting for their retry — as each new message's
own attempt does (apps/voicemail/email.py). Run it from cron, or with --every as a service of its own."""

import time

from django.core.management.base import BaseCommand

from apps.audit.context import acting
from apps.voicemail import email


class Command(BaseCommand):
    help = "Sends the voicemail e-mails that are due (retries included); with --every, again and again."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep running, sending every SECONDS")

    def handle(self, *args, every=None, **options):
        while True:
            with acting("system", name="send_voicemail_mail"):
                outcome = email.send_due()
            if outcome or not every:
                summary = ", ".join(f"{count} {status}" for status, count in sorted(outcome.items())) or "nothing due"
                self.stdout.write(f"Voicemail e-mail: {summary}.")
            if not every:
                return
            time.sleep(max(every, 1))
