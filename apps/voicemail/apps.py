from django.apps import AppConfig


class VoicemailConfig(AppConfig):
    name = "apps.voicemail"
    label = "voicemail"
    verbose_name = "Voicemail"
