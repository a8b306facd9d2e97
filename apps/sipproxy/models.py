"""What Kamailio reads besides sipxweb's own tables: the SIP domain its views show (docs/sipproxy.md)."""

from django.db import models


class SipDomain(models.Model):
    """The SIP domain of the views Kamailio reads (one row): `manage.py kamailio_config` and every migrate set it
    from SIPX_DOMAIN, so a changed domain reaches the views without rebuilding them."""

    name = models.CharField(max_length=255)

    def __str__(self):
        return self.name


class ServiceNumber(models.Model):
    """A number of the dial plan by which phones reach one of the PBX's own services (docs/pbx-data.md#dialplan):
    the auto-attendant that plays now, or voicemail retrieval. Written only by dialplan_services.save_dial_plan.
    `folded` (lower case) is unique, as the dial plan ignores case; `position` keeps the order an admin gave."""

    class Service(models.TextChoices):
        ATTENDANT = "attendant", "Auto-attendant"
        VOICEMAIL = "voicemail", "Voicemail retrieval"

    number = models.CharField(max_length=64)
    folded = models.CharField(max_length=64, unique=True)
    service = models.CharField(max_length=16, choices=Service.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["service", "position"]

    def __str__(self):
        return f"{self.number} ({self.get_service_display()})"
