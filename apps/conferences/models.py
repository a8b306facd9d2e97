"""Conference bridges' rooms (sipXconfig `Conference`, docs/compatibility.md B.5.5)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

digits = RegexValidator(r"^[0-9]{1,10}$", _("Use 1 to 10 digits."))
extension_chars = RegexValidator(r"^[A-Za-z0-9._+*#-]+$", _("An extension is digits or letters, no spaces."))
name_chars = RegexValidator(r"^[A-Za-z0-9._-]+$", _("A name is letters, digits, '.', '_' or '-'."))
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
    access_code = models.CharField(
        _("participant access code"), max_length=10, null=True, blank=True, validators=[digits]
    )
    moderator_code = models.CharField(_("moderator code"), max_length=10, null=True, blank=True, validators=[digits])
    max_participants = models.PositiveIntegerField(
        _("maximum participants"),
        default=0,
        help_text=_("0 means no limit."),
        validators=[MaxValueValidator(MAX_PARTICIPANTS)],
    )
    auto_record = models.BooleanField(_("record automatically"), default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("conferences:conference_edit", args=[self.pk])


class Participant(models.Model):
    """Someone in a conference room now, as the media server that holds the call wrote it (apps/mediaserver/flows/
    conference.py through services.join/leave). The pages change `muted` and set `removed`; the media server polls
    its rows twice a second and applies them. `server` is the media server process's id (a new one at each start):
    the server deletes other ids' rows when it starts, so a crashed server's callers do not linger."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="participants")
    server = models.CharField(max_length=64)
    call_key = models.CharField(_("media call key"), max_length=64)
    caller = models.CharField(max_length=255, blank=True)  # the calling user's name (From user part)
    display = models.CharField(max_length=255, blank=True)  # the From header's name and address
    joined = models.DateTimeField(auto_now_add=True)
    muted = models.BooleanField(default=False)
    is_moderator = models.BooleanField(default=False)
    removed = models.BooleanField(default=False)  # asked from a page: the media server hangs the call up

    class Meta:
        ordering = ["joined", "pk"]
        constraints = [models.UniqueConstraint(fields=["server", "call_key"], name="participant_call_once")]

    def __str__(self):
        return self.caller or self.display or f"call {self.call_key}"
