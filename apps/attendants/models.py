"""Auto-attendants (IVR menus), their menu items, and the PBX-wide special (after-hours) mode."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AutoAttendant(models.Model):
    """An auto-attendant. `operator` and `afterhour` (system ids) always exist: a migration creates them and
    they cannot be deleted. Others have no system id; sipXconfig names them `xcf<id>`."""

    class SystemId(models.TextChoices):
        OPERATOR = "operator", "operator"
        AFTERHOUR = "afterhour", "afterhour"

    name = models.CharField(max_length=255, unique=True)
    system_id = models.CharField(max_length=16, choices=SystemId.choices, unique=True, null=True, blank=True)
    description = models.CharField(max_length=255, blank=True)
    prompt = models.FileField(upload_to="prompts/", blank=True)
    language = models.CharField(max_length=16, default="en")
    # What the media server does with a caller who presses nothing or a key with no menu item
    # (apps/mediaserver/flows/attendant.py): wait `digit_timeout` seconds for a key after the prompt, say
    # "invalid" and replay the prompt, and after `max_invalid` such tries go to `on_failure`.
    digit_timeout = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Seconds to wait for a key after the prompt (1 to 60)."),
    )
    max_invalid = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("How many missing or invalid keys a caller gets before the failure action (1 to 10)."),
    )

    class OnFailure(models.TextChoices):
        DISCONNECT = "disconnect", _("Say goodbye and hang up")
        OPERATOR = "operator", _("Go to the operator attendant")

    on_failure = models.CharField(
        max_length=16,
        choices=OnFailure.choices,
        default=OnFailure.DISCONNECT,
        help_text=_("What happens after the last missing or invalid key."),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("attendants:attendant_edit", args=[self.pk])

    @property
    def system_name(self) -> str:
        """sipXconfig's name for the attendant: its system id, or `xcf<id>`."""
        return self.system_id or f"xcf{self.pk}"

    @property
    def is_system(self) -> bool:
        return self.system_id is not None


class MenuItem(models.Model):
    """One key of an attendant's menu: the action and its parameter (docs/compatibility.md B.5.6, docs/pbx-data.md)."""

    class Key(models.TextChoices):
        K0, K1, K2, K3, K4 = "0", "1", "2", "3", "4"
        K5, K6, K7, K8, K9 = "5", "6", "7", "8", "9"
        STAR, HASH = "*", "#"

    class Action(models.TextChoices):
        OPERATOR = "operator", _("Operator")
        DIAL_BY_NAME = "dial_by_name", _("Dial by name")
        REPEAT_PROMPT = "repeat_prompt", _("Repeat prompt")
        VOICEMAIL_ACCESS = "voicemail_access", _("Voicemail access")
        VOICEMAIL_DEPOSIT = "voicemail_deposit", _("Voicemail deposit (extension)")
        DISCONNECT = "disconnect", _("Disconnect")
        TRANSFER_TO_AA = "transfer_to_another_aa_menu", _("Another attendant")
        TRANSFER_OUT = "transfer_out", _("Transfer (extension or SIP URI)")

    attendant = models.ForeignKey(AutoAttendant, on_delete=models.CASCADE, related_name="menu")
    key = models.CharField(max_length=1, choices=Key.choices)
    action = models.CharField(max_length=32, choices=Action.choices)
    parameter = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["attendant", "key"]
        constraints = [models.UniqueConstraint(fields=["attendant", "key"], name="unique_menu_key")]

    def __str__(self):
        return f"{self.attendant}: {self.key} → {self.action}"

    def get_absolute_url(self):
        return self.attendant.get_absolute_url()


class SpecialMode(models.Model):
    """The PBX-wide special (after-hours) mode: on/off and the selected attendant. One row (pk=1)."""

    enabled = models.BooleanField(default=False)
    attendant = models.ForeignKey(AutoAttendant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"special mode {'on' if self.enabled else 'off'} ({self.attendant or 'none selected'})"

    def get_absolute_url(self):
        return reverse("attendants:attendant_list")

    @classmethod
    def current(cls) -> "SpecialMode":
        return cls.objects.select_related("attendant").get_or_create(pk=1)[0]


class SpecialModePeriod(models.Model):
    """A period of the special-mode schedule (apps/attendants/schedule.py): while the PBX's clock (settings.TIME_ZONE)
    is inside one, the special attendant plays as if special mode were switched on. A one-off period (`weekdays`
    empty) runs from `start_date start_time` to `end_date end_time` (not included); a weekly one starts at
    `start_time` on each of its `weekdays` ("0" Monday ... "6" Sunday) and ends at the next `end_time`, the next day
    when that is not later (equal: 24 hours)."""

    name = models.CharField(max_length=100)
    weekdays = models.CharField(max_length=7, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_time = models.TimeField()
    end_date = models.DateField(null=True, blank=True)
    end_time = models.TimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("attendants:period_edit", args=[self.pk])

    @property
    def weekly(self) -> bool:
        return bool(self.weekdays)
