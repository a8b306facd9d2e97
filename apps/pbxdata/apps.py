from django.apps import AppConfig


class PbxdataConfig(AppConfig):
    name = "apps.pbxdata"
    label = "pbxdata"
    verbose_name = "PBX data"
