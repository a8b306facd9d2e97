"""Speaks the media server's system prompts with espeak-ng (apps/mediaserver/prompts.py): the ones missing, or all
with --force. `make run` runs it before starting the media server; it is quick when nothing changed."""

import subprocess

from django.core.management.base import BaseCommand, CommandError

from apps.mediaserver import prompts


class Command(BaseCommand):
    help = "Speak the media server's system prompts (espeak-ng) into MEDIA_PROMPTS_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="speak every prompt again")

    def handle(self, *args, force=False, **options):
        try:
            written = prompts.make(force=force)
        except (prompts.PromptError, subprocess.SubprocessError, OSError) as exc:
            raise CommandError(f"the system prompts could not be made: {exc}") from None
        self.stdout.write(f"{len(written)} prompt(s) spoken into {prompts.directory()}")
