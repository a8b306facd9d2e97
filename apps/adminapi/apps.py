from django.apps import AppConfig


class AdminApiConfig(AppConfig):
    name = "apps.adminapi"
    label = "adminapi"
    verbose_name = "Admin JSON API"
