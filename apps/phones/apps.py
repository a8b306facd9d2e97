from django.apps import AppConfig


class PhonesConfig(AppConfig):
    name = "apps.phones"
    label = "phones"
    verbose_name = "Phones"
