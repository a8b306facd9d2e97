"""`manage.py export_pbx [FILE]`: write the whole PBX as a PBX data file (docs/pbx-data.md)."""

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.pbxdata.document import export_document
from apps.pbxdata.sections.voicemail import exporting_audio


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_private(path: Path, text: str) -> None:
    """Writes `text` to `path` with mode 0600 (the file holds PIN hashes and SIP passwords), atomically:
    a temporary file in the same folder (mkstemp creates it 0600), then a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Export the whole PBX as a PBX data file (JSON, see docs/pbx-data.md); standard output when FILE is absent."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the file to write (created with mode 0600)")

    def handle(self, *args, file=None, **options):
        if file is None:  # no folder to put recordings in: voicemail is exported without its audio
            self.stdout.write(dumps(export_document()), ending="")
            return
        path = Path(file)
        try:
            with exporting_audio(path.resolve().parent, path.resolve().parent / f"{path.stem}-audio"):
                text = dumps(export_document())
        except OSError as exc:
            raise CommandError(f"cannot write the voicemail audio next to {file}: {exc.strerror}") from None
        try:
            write_private(path, text)
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}") from None
        self.stderr.write(f"Exported the PBX to {file}.")
