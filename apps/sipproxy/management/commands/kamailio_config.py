"""`manage.py kamailio_config [--run-dir DIR]`: writes the file Kamailio is started with (apps/sipproxy/services.py)
and prints its path; `kamailio -DD -E -f <path>` then serves this installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.sipproxy import services


class Command(BaseCommand):
    help = "Write the Kamailio configuration of this installation (SIP domain, ports, database, sipxweb URL)."

    def add_arguments(self, parser):
        parser.add_argument("--run-dir", help="Where to write kamailio.cfg (default SIPPROXY_RUN_DIR).")
        parser.add_argument(
            "--check-port", action="store_true", help="Fail when PBX_SIP_HOST:PBX_SIP_PORT is taken (UDP or TCP)."
        )

    def handle(self, *args, run_dir=None, check_port=False, **options):
        try:
            path = services.write_config(Path(run_dir) if run_dir else None, check_port=check_port)
        except services.ConfigProblem as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
