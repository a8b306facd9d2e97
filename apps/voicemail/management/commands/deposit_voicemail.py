"""`manage.py deposit_voicemail USER FILE --from ...`: delivers a recording as a new message, the way the
media server does over `POST /sipxconfig/rest/mailbox/{user}/messages`."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.users.lookup import find_user
from apps.voicemail import services
from apps.voicemail.models import Folder


class Command(BaseCommand):
    help = "Deposits a WAV or MP3 file as a new voicemail message of USER (duration and format read from the file)."

    def add_arguments(self, parser):
        parser.add_argument("user", help="user name, alias or enabled IM id of the mailbox")
        parser.add_argument("file", help="a WAV or MP3 recording")
        parser.add_argument("--from", dest="sender", required=True, help='the caller: "Name" <sip:201@host>, or text')
        parser.add_argument("--subject", default="Voice Message")
        parser.add_argument("--folder", default=Folder.INBOX, choices=Folder.values)
        parser.add_argument("--received", help="ISO 8601 time (default: now)")

    def handle(self, *args, user, file, sender, subject, folder, received, **options):
        owner = find_user(user)
        if owner is None:
            raise CommandError(f'There is no user "{user}".')
        when = None
        if received:
            try:
                when = datetime.fromisoformat(received.replace("Z", "+00:00"))
            except ValueError:
                raise CommandError(f'--received "{received}" is not an ISO 8601 time.') from None
            if when.tzinfo is None:
                raise CommandError("--received needs a time zone (e.g. 2026-11-20T09:15:00Z).")
        try:
            with open(file, "rb") as f:
                message = services.deposit(owner, f, sender=sender, subject=subject, received=when, folder=folder)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Message {message.message_id} for {owner.username} in {message.folder}: "
            f"{message.duration} s {message.format}"
        )
