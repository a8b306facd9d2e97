"""`python manage.py import_phonebook NAME FILE [--replace] [--create] [--as WHO]`: imports a CSV (sipXconfig,
Outlook or Google layout) or vCard file into a phonebook, all or nothing; a progress bar on a terminal. The audit log
names the change's author as import_pbx does: --as, or the operating-system user."""

import getpass
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from apps.audit.context import acting
from apps.phonebooks import importers, services
from apps.phonebooks.models import Phonebook


class Bar:
    """A progress bar on a terminal (silent otherwise), redrawn at most ten times a second."""

    def __init__(self, stream, total: int):
        self.stream = stream if getattr(stream, "isatty", lambda: False)() else None
        self.total, self.done, self.drawn = total, 0, 0.0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.stream is not None and (time.monotonic() - self.drawn > 0.1 or self.done >= self.total):
            filled = 30 * self.done // max(self.total, 1)
            self.stream.write(f"\rimporting [{'#' * filled}{'-' * (30 - filled)}] {self.done}/{self.total}")
            self.stream.flush()
            self.drawn = time.monotonic()

    def finish(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import a CSV (sipXconfig, Outlook, Google) or vCard file into a phonebook: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("name", help="phonebook name")
        parser.add_argument("file", help="CSV or vCard file")
        parser.add_argument("--replace", action="store_true", help="remove the phonebook's file entries first")
        parser.add_argument("--create", action="store_true", help="create the phonebook when it does not exist")
        parser.add_argument(
            "--as",
            dest="actor",
            default="",
            help="who the audit log names for the changes (default: the operating-system user running the command)",
        )

    def handle(self, name, file, replace=False, create=False, actor="", **options):
        with acting("import", name=actor.strip() or _os_user()):
            self.run(name, file, replace, create)

    def run(self, name, file, replace, create):
        phonebook = Phonebook.objects.filter(name=name).first()
        if phonebook is None:
            if not create:
                raise CommandError(f"There is no phonebook {name!r} (use --create to create it).")
            try:
                phonebook = services.save_phonebook(Phonebook(name=name), members=[], consumers=[])
            except services.PhonebookError as exc:
                raise CommandError(f"Cannot create the phonebook: {' '.join(exc.messages)}") from None
        try:
            with open(file, "rb") as f:
                content = f.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            parsed = importers.parse(content)
        except importers.PhonebookFileError as exc:
            raise CommandError(str(exc)) from None
        if parsed.rejected:
            lines = "\n".join(f"  line {line}: {reason}" for line, reason in parsed.rejected[:50])
            more = f"\n  ... and {len(parsed.rejected) - 50} more" if len(parsed.rejected) > 50 else ""
            raise CommandError(
                f"Nothing imported: {len(parsed.rejected)} bad row(s) in this {parsed.layout} file:\n{lines}{more}"
            )
        bar = Bar(sys.stderr, len(parsed.entries))
        if replace:
            count = services.replace_file_entries(phonebook, parsed.entries, progress=bar)
        else:
            count = services.add_entries(parsed.entries, phonebook=phonebook, progress=bar)
        bar.finish()
        self.stdout.write(f"Imported {count} entries ({parsed.layout}) into phonebook {phonebook.name}.")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "import_phonebook"
