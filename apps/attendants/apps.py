from django.apps import AppConfig


class AttendantsConfig(AppConfig):
    name = "apps.attendants"
    label = "attendants"
    verbose_name = "Auto-attendants"
