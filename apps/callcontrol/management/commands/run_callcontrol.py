"""`manage.py run_callcontrol`: the one SIP call-control agent (apps/callcontrol/agent.py and the modules
it names). Stops cleanly on SIGTERM / Ctrl-C. Run exactly one per installation (it owns the SIP port)."""

from django.core.management.base import BaseCommand

from apps.callcontrol.agent import run_forever


class Command(BaseCommand):
    help = "Run the SIP call-control agent that places click-to-call calls (exactly one per installation)."

    def add_arguments(self, parser):
        parser.add_argument("--poll-ms", type=int, default=None, help="polling interval for new attempts (ms)")

    def handle(self, *args, poll_ms=None, **options):
        run_forever(poll_ms)
