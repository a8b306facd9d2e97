"""Phones (identified by their MAC address) and their lines; phone models come from `catalogue.py`."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.phones.catalogue import CATALOGUE, MODEL_CHOICES

SERIAL = re.compile(r"^[0-9a-f]{12}$")


def normalise_serial(value: str) -> str:
    """A MAC address as sipXconfig keeps it: 12 lower-case hex digits (separators dropped)."""
    return re.sub(r"[\s:.-]", "", value or "").lower()


def validate_serial(value: str) -> None:
    if not SERIAL.match(value or ""):
        raise ValidationError(
            gettext('"%(value)s" is not a MAC address of 12 hexadecimal digits.') % {"value": value}, code="serial"
        )


class Phone(models.Model):
    """A phone: serial number (MAC), model id of the catalogue, firmware version, description."""

    serial_number = models.CharField(max_length=12, unique=True, validators=[validate_serial])
    model = models.CharField(max_length=64, choices=MODEL_CHOICES)
    version = models.CharField(_("firmware version"), max_length=32, blank=True, null=True)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["serial_number"]

    def __str__(self):
        return self.serial_number

    def save(self, *args, **kwargs):
        self.serial_number = normalise_serial(self.serial_number)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("phones:phone_edit", args=[self.pk])

    @property
    def model_info(self):
        return CATALOGUE.get(self.model)


class Line(models.Model):
    """A line of a phone, registered as a user."""

    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, related_name="lines")
    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phone", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["phone", "user"], name="unique_line_user_per_phone")]

    def __str__(self):
        return f"{self.phone} line {self.position + 1}: {self.user}"

    def get_absolute_url(self):
        return self.phone.get_absolute_url()
