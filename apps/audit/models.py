"""The audit log: one row per change to a stored object, whoever made it and through whichever channel (the admin
JSON API, the pages, the sipXconfig URIs, the data file, a phone on the media server)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """A change: who (`actor`, a user name kept as text so that it outlives the user), when, from where (`address`)
    and through what (`channel`); the object (`kind` such as "user", and its key as the admin JSON API names it);
    what was done (`action`) and the changed fields (`changes`: {field: [before, after]}, secrets masked)."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    class Channel(models.TextChoices):
        API = "api", _("admin JSON API")
        REST = "rest", _("sipXconfig URIs")
        PAGE = "page", _("pages")
        IMPORT = "import", _("data file")
        SYSTEM = "system", _("system")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=255, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    address = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=40, db_index=True)
    key = models.CharField(max_length=255, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["kind", "key", "-at"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor or 'system'} {self.action} {self.kind} {self.key}"

    def get_absolute_url(self):
        return reverse("audit:entry_list") + f"?kind={self.kind}&key={self.key}"
