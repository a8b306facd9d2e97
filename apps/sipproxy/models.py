"""What Kamailio reads besides sipxweb's own tables: the SIP domain its views show (docs/sipproxy.md)."""

from django.db import models


class SipDomain(models.Model):
    """The SIP domain of the views Kamailio reads (one row): `manage.py kamailio_config` and every migrate set it
    from SIPX_DOMAIN, so a changed domain reaches the views without rebuilding them."""

    name = models.CharField(max_length=255)

    def __str__(self):
        return self.name
