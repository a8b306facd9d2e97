"""Conference bridges' rooms (sipXconfig `Conference`, docs/compatibility.md B.5.5)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

digits = RegexValidator(r"^[0-9]{1,10}$", "Use 1 to 10 digits.")
extension_chars = RegexValidator(r"^[A-Za-z0-9._+*#-]+$", "An extension is digits or letters, no spaces.")
name_chars = RegexValidator(r"^[A-Za-z0-9._-]+$", "A name is letters, digits, '.', '_' or '-'.")
MAX_PARTICIPANTS = 100000  # a room larger than any bridge holds is a typo


class Conference(models.Model):
    """A conference room. `access_code` is the participants' PIN, `moderator_code` the organizer's; both are
    secrets of the owner (shown to the owner and admins only). `max_participants` 0 = no limit. None in the
    text fields means "not set" (omitted on the wire). Every writer goes through apps.conferences.services."""

    name = models.CharField(max_length=255, unique=True, validators=[name_chars])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="conferences"
    )
    description = models.CharField(max_length=255, null=True, blank=True)
    extension = models.CharField(max_length=64, unique=True, validators=[extension_chars])
    enabled = models.BooleanField(default=True)
    access_code = models.CharField("participant access code", max_length=10, null=True, blank=True, validators=[digits])
    moderator_code = models.CharField("moderator code", max_length=10, null=True, blank=True, validators=[digits])
    max_participants = models.PositiveIntegerField(
        "maximum participants",
        default=0,
        help_text="0 means no limit.",
        validators=[MaxValueValidator(MAX_PARTICIPANTS)],
    )
    auto_record = models.BooleanField("record automatically", default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("conferences:conference_edit", args=[self.pk])
