"""`manage.py import_pbx FILE [--replace]`: load a PBX data file (docs/pbx-data.md) in one transaction."""

import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from apps.audit.context import acting
from apps.pbxdata.document import Progress, import_text, terminal
from apps.pbxdata.schema import PbxDataError


class Command(BaseCommand):
    help = (
        "Import a PBX data file (JSON, see docs/pbx-data.md) in one transaction: all of it or nothing. Users and "
        "groups are matched by name and created or updated; --replace empties the database first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help='the JSON file, or "-" for standard input')
        parser.add_argument("--replace", action="store_true", help="delete the existing PBX data before importing")
        parser.add_argument(
            "--as",
            dest="actor",
            default="",
            help="who the audit log names for the changes (default: the operating-system user running the command)",
        )

    def handle(self, *args, file, replace, actor, **options):
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        try:
            base_dir = Path.cwd() if file == "-" else Path(file).resolve().parent  # voicemail audio is relative to it
            # Every change the import makes enters the audit log through the data file, as this actor.
            with acting("import", name=actor.strip() or _os_user()):
                ctx = import_text(
                    data, replace=replace, progress=Progress(terminal(self.stdout._out)), base_dir=base_dir
                )
        except PbxDataError as exc:
            raise CommandError(f"{file}: {exc} (nothing was imported)") from None
        except DatabaseError as exc:
            raise CommandError(f"{file}: the database refused the data: {exc} (nothing was imported)") from None
        counts = ", ".join(f"{n} {key}" for key, n in ctx.counts.items() if key not in ("domain", "settings"))
        self.stdout.write(f"Imported {counts or 'nothing'} from {file}{' (replaced)' if replace else ''}.")


def _os_user() -> str:
    """The login name of whoever runs the command, or the command's name where there is none (a container)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "import_pbx"
