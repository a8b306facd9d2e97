from django.apps import AppConfig


class AttendantsConfig(AppConfig):
    name = "apps.attendants"
    label = "attendants"
    verbose_name = "Auto-attendants"

    def ready(self):
        from apps.attendants.models import AutoAttendant
        from sipxweb import mediafiles

        mediafiles.follow_rows(AutoAttendant, "prompt")
