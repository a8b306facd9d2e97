"""Call-state events and call records (docs/callcontrol.md#call-records-and-active-calls): sipXproxy's
`call_state_events` and
sipXcdr's `cdrs`, persisted. A record with termination `I` and no `end_time` is an active call.

Events come from the call-control agent (its own legs) and from `POST /sipxconfig/rest/cse` (a proxy or
PBX adapter). `apps.cdrs.resolver` folds each event into its call record as it is stored."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    REQUEST = "R", "call requested (INVITE without To tag)"
    SETUP = "S", "call set up (2xx to INVITE)"
    END = "E", "call ended (BYE)"
    FAILURE = "F", "call failed (final 3xx-6xx to INVITE)"
    TRANSFER = "T", "transfer (REFER)"


class Termination(models.TextChoices):
    REQUESTED = "R", _("requested")
    IN_PROGRESS = "I", _("in progress")
    COMPLETED = "C", _("completed")
    TRANSFERRED = "T", _("transferred")
    UNKNOWN = "U", _("unknown")
    FAILED = "F", _("failed")
    ABANDONED = "A", _("abandoned")


class CallStateEvent(models.Model):
    """One observed SIP event of a call (sipXproxy's `call_state_events` columns)."""

    observer = models.CharField(max_length=255, blank=True)
    event_seq = models.BigIntegerField(default=0)
    event_time = models.DateTimeField(db_index=True)
    event_type = models.CharField(max_length=1, choices=EventType.choices)
    cseq = models.IntegerField(default=0)
    call_id = models.CharField(max_length=255, db_index=True)
    from_tag = models.CharField(max_length=255, blank=True)
    to_tag = models.CharField(max_length=255, blank=True)
    from_url = models.CharField(max_length=512, blank=True)
    to_url = models.CharField(max_length=512, blank=True)
    contact = models.CharField(max_length=512, blank=True)
    refer_to = models.CharField(max_length=512, blank=True)
    referred_by = models.CharField(max_length=512, blank=True)
    failure_status = models.IntegerField(null=True, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    request_uri = models.CharField(max_length=512, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    caller_internal = models.BooleanField(default=False)
    callee_route = models.CharField(max_length=255, blank=True)
    branch_id = models.CharField(max_length=255, blank=True)
    via_count = models.IntegerField(default=0)

    class Meta:
        ordering = ["event_time", "id"]

    def __str__(self):
        return f"{self.event_type} {self.call_id} at {self.event_time:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self):
        return reverse("cdrs:cdr_list") + f"?call_id={self.call_id}"


class Cdr(models.Model):
    """A call record (sipXcdr's `cdrs`). AORs are stored as `<sip:user@host>` (display name and tag removed,
    as sipXcdr did), so the REST `from` is the user part."""

    call_id = models.CharField(max_length=255, unique=True)
    from_tag = models.CharField(max_length=255, blank=True)
    to_tag = models.CharField(max_length=255, blank=True)
    caller_aor = models.CharField(max_length=512)
    caller_name = models.CharField(_("caller display name"), max_length=255, blank=True)
    callee_aor = models.CharField(max_length=512)
    start_time = models.DateTimeField(db_index=True)
    connect_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True, db_index=True)
    termination = models.CharField(max_length=1, choices=Termination.choices, default=Termination.REQUESTED)
    failure_status = models.IntegerField(null=True, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    call_direction = models.CharField(max_length=1, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    caller_contact = models.CharField(max_length=512, blank=True)
    callee_contact = models.CharField(max_length=512, blank=True)
    caller_internal = models.BooleanField(default=False)
    callee_route = models.CharField(max_length=255, blank=True)
    # Users matched by the user part of the AORs, kept in columns so filters and indexes can use them.
    caller_user = models.CharField(max_length=255, blank=True, db_index=True)
    callee_user = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ["-start_time", "-id"]
        verbose_name = _("call record")

    def __str__(self):
        return f"{self.caller_user or self.caller_aor} -> {self.callee_user or self.callee_aor}"

    def get_absolute_url(self):
        return reverse("cdrs:cdr_list") + f"?call_id={self.call_id}"

    @property
    def is_active(self) -> bool:
        return self.termination == Termination.IN_PROGRESS and self.end_time is None

    @property
    def duration_seconds(self) -> int | None:
        """How long the call was connected; 0 for a call never answered (its ringing is no part of a call's
        length); None while it goes on."""
        if self.end_time is None or self.start_time is None:
            return None
        if self.connect_time is None:
            return 0
        return max(0, int((self.end_time - self.connect_time).total_seconds()))
