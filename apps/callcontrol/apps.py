from django.apps import AppConfig


class CallcontrolConfig(AppConfig):
    name = "apps.callcontrol"
    label = "callcontrol"
    verbose_name = "Click-to-call"
