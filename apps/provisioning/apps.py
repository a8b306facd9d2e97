from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ProvisioningConfig(AppConfig):
    name = "apps.provisioning"
    label = "provisioning"
    verbose_name = "Phone provisioning"

    def ready(self):
        from apps.provisioning import changes
        from apps.provisioning.models import Firmware
        from sipxweb import mediafiles

        mediafiles.follow_rows(Firmware, "file")

        # The change triggers sit on other apps' tables: SQLite drops a table's triggers when a migration remakes
        # the table, so every migrate takes them off first and puts them back on the tables as they then are
        # (and counts one change: writes made in between were not counted).
        pre_migrate.connect(changes.drop_on_migrate, sender=self, dispatch_uid="provisioning-drop-triggers")
        post_migrate.connect(changes.create_on_migrate, sender=self, dispatch_uid="provisioning-create-triggers")
