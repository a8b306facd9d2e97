"""The SIP proxy's own data (docs/sipproxy.md): the dial plan's service numbers. (What Kamailio reads of the users is
in dbviews.py: views, not models.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceNumber(models.Model):
    """A number of the dial plan by which phones reach one of the PBX's own services (docs/pbx-data.md#dialplan):
    the auto-attendant that plays now, or voicemail retrieval. Written only by dialplan_services.save_dial_plan.
    `folded` (lower case) is unique, as the dial plan ignores case; `position` keeps the order an admin gave."""

    class Service(models.TextChoices):
        ATTENDANT = "attendant", _("Auto-attendant")
        VOICEMAIL = "voicemail", _("Voicemail retrieval")

    number = models.CharField(max_length=64)
    folded = models.CharField(max_length=64, unique=True)
    service = models.CharField(max_length=16, choices=Service.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["service", "position"]

    def __str__(self):
        return f"{self.number} ({self.get_service_display()})"
