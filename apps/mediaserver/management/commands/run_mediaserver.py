"""Runs the media server in the foreground (docs/mediaserver.md): `make run` starts it beside gunicorn and Kamailio.
--check only says whether it can start here (PJSIP importable, prompts made, its SIP port free), for bin/run."""

import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.mediaserver import prompts

PJSIP_MAX_CALLS = 32  # PJSUA_MAX_CALLS, fixed when PJSIP was compiled


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Run the media server (voicemail, auto-attendants, conferences) on MEDIA_SIP_HOST:MEDIA_SIP_PORT."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only check that it can start")

    def handle(self, *args, check=False, **options):
        try:
            import pjsua2  # noqa: F401
        except ImportError:
            raise CommandError(
                "PJSIP (pjsua2-python) is not installed: its wheel exists for CPython 3.12 only; "
                "recreate .venv with Python 3.12 (make clean-venv && make PYTHON=python3.12 venv)."
            ) from None
        if not 1 <= settings.MEDIA_MAX_CALLS <= PJSIP_MAX_CALLS - 4:
            raise CommandError(
                f"MEDIA_MAX_CALLS must be 1 to {PJSIP_MAX_CALLS - 4}: PJSIP takes {PJSIP_MAX_CALLS} calls per process, "
                "and a few are kept to answer 486 to calls beyond the limit."
            )
        if prompts.missing():
            raise CommandError(f"{len(prompts.missing())} system prompt(s) missing: run manage.py make_prompts.")
        if not _port_free(settings.MEDIA_SIP_HOST, settings.MEDIA_SIP_PORT):
            raise CommandError(f"udp {settings.MEDIA_SIP_HOST}:{settings.MEDIA_SIP_PORT} is taken (MEDIA_SIP_PORT).")
        if check:
            self.stdout.write("ok")
            return
        settings.MEDIA_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        from apps.mediaserver.server import serve

        serve()
