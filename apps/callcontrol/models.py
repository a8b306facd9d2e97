"""Click-to-call attempts: the web workers queue a CallAttempt row, the one call-control agent picks it up
(it polls the table) and writes back CallStatus rows (the status lines of `GET /callcontroller`).

Why the database and not loopback HTTP to the agent: every web worker on every host already shares it,
an attempt survives an agent restart (it is picked up when the agent comes back), and the status lines a
GET reads are there whichever worker answers. The price is the polling interval (see docs/architecture.md)."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class CallAttempt(models.Model):
    """One click-to-call request: the agent calls `calling_uri` as `agent`, then sends it to `called_uri`."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    class Method(models.TextChoices):
        REFER = "refer", "REFER"
        INVITE = "invite", "re-INVITE"

    key = models.CharField(max_length=600, db_index=True, help_text="agent:callingParty:calledParty")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_attempts")
    calling_uri = models.CharField(max_length=512)
    called_uri = models.CharField(max_length=512)
    forwarding_allowed = models.BooleanField(default=False)
    subject = models.CharField(max_length=255, blank=True)
    timeout = models.PositiveIntegerField(default=180)
    result_cache_time = models.PositiveIntegerField(default=180)
    sip_method = models.CharField(max_length=8, choices=Method.choices, default=Method.REFER)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED, db_index=True)
    call_id = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # The agent that claimed the attempt and until when its claim holds: it renews the lease every second
    # while alive, so a running attempt whose lease ran out belongs to a dead agent (apps/callcontrol/store.py).
    owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    picked_up = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.calling_uri} -> {self.called_uri} ({self.state})"

    def get_absolute_url(self):
        return reverse("cdrs:active_calls")


class CallStatus(models.Model):
    """One status line of an attempt: a response to the INVITE, or the sipfrag of a NOTIFY."""

    attempt = models.ForeignKey(CallAttempt, on_delete=models.CASCADE, related_name="statuses")
    timestamp = models.BigIntegerField(help_text="epoch milliseconds")
    call_id = models.CharField(max_length=255)
    method = models.CharField(max_length=16)
    status_line = models.CharField(max_length=255)

    class Meta:
        ordering = ["timestamp", "id"]

    def __str__(self):
        return f"{self.method} {self.status_line}"

    def get_absolute_url(self):
        return reverse("cdrs:active_calls")


class Notification(models.Model):
    """An out-of-dialog NOTIFY the agent sends to a user's registered phones through the proxy (e.g. `Event:
    check-sync`, "fetch your configuration again": phone provisioning's Resync), queued by a web worker like a call
    attempt; the agent writes back the final response, which says whether a phone got it (200) or none is
    registered (404, 480). `key` names what it is about for the sender (`phone:12`), which reads its latest row."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "being sent"
        DONE = "done", "answered"  # a final response came: `status`, `reason`
        FAILED = "failed", "failed"  # none came (no agent, no answer, agent error): `outcome` says why

    key = models.CharField(max_length=100, db_index=True)
    # The AOR the NOTIFY goes to, and the account that answers the proxy's challenge (as click-to-call's caller).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=64)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED, db_index=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The final response's status code.")
    reason = models.CharField(max_length=255, blank=True, help_text="The final response's reason phrase.")
    outcome = models.CharField(max_length=255, blank=True)
    owner = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    picked_up = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"NOTIFY {self.event} to {self.user_id} ({self.state})"

    def get_absolute_url(self):
        return reverse("cdrs:active_calls")
