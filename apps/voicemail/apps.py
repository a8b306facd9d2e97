from django.apps import AppConfig


class VoicemailConfig(AppConfig):
    name = "apps.voicemail"
    label = "voicemail"
    verbose_name = "Voicemail"

    def ready(self):
        from apps.voicemail.models import Greeting, Message
        from sipxweb import mediafiles

        mediafiles.follow_rows(Message, "audio")
        mediafiles.follow_rows(Greeting, "audio")
