from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class SipProxyConfig(AppConfig):
    name = "apps.sipproxy"
    label = "sipproxy"
    verbose_name = "SIP proxy (Kamailio)"

    def ready(self):
        from apps.sipproxy import checks, dbviews  # noqa: F401  (checks registers the settings' system checks)

        # The views read other apps' tables: a migration that rebuilds one of them (SQLite remakes a table to
        # alter it, PostgreSQL refuses to alter a column a view uses) would fail on a view that points at it.
        # So every migrate drops them first and builds them again from the tables as they then are.
        pre_migrate.connect(dbviews.drop_on_migrate, sender=self, dispatch_uid="sipproxy-drop-views")
        post_migrate.connect(dbviews.create_on_migrate, sender=self, dispatch_uid="sipproxy-create-views")
