"""`manage.py seed_demo [--if-empty]`: load the demo PBX of docs/pbx-data.md (apps/pbxdata/demo/demo-pbx.json)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.pbxdata.document import Progress, import_text, terminal
from apps.pbxdata.schema import PbxDataError
from apps.pbxdata.sections import calls
from apps.users.models import User

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo-pbx.json"


class Command(BaseCommand):
    help = (
        "Load the demo PBX (users superadmin, 200-203, groups, ...). Idempotent: the demo's users and groups "
        "are created or reset to the demo values; other data is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")

    def handle(self, *args, if_empty, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("Users exist already: the demo PBX was not loaded.")
            return
        try:
            import_text(
                DEMO_FILE.read_bytes(), progress=Progress(terminal(self.stdout._out)), base_dir=DEMO_FILE.parent
            )
        except PbxDataError as exc:  # a broken demo file is a bug: say where
            raise CommandError(f"{DEMO_FILE}: {exc}") from None
        calls.seed_demo()  # the demo's calls are relative to now (docs/pbx-data.md), so they are not in the file
        self.stdout.write("Loaded the demo PBX: log in as superadmin / admin1234, or alice / 1234.")
