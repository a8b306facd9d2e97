from django.apps import AppConfig


class PhonebooksConfig(AppConfig):
    name = "apps.phonebooks"
    label = "phonebooks"
    verbose_name = "Phonebooks"
