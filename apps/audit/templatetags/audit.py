"""The audit log in the pages: `{% audit_trail kind key %}` shows an object's recent entries on its edit page
(with a link to the whole filtered list), and `entry|audit_changes` lists an entry's changed fields as text."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit.models import AuditEntry
from apps.audit.services import MASK

register = template.Library()

TRAIL_LENGTH = 10  # entries shown on an object's page; the list has them all


def shown(value) -> str:
    """A recorded value as text: lists and dicts (rings, addresses) spelled out, nothing as an empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "; ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return str(value)


@register.filter
def audit_changes(entry: AuditEntry) -> list[dict]:
    """[{field, before, after, secret}] of an entry, field by field; a secret's values are never in the log."""
    rows = []
    for name, pair in (entry.changes or {}).items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        secret = before == MASK and after == MASK
        rows.append({"field": name, "before": shown(before), "after": shown(after), "secret": secret})
    return rows


def list_url(**filters) -> str:
    return reverse("audit:entry_list") + "?" + urlencode(filters)


@register.filter
def object_entries_url(entry: AuditEntry) -> str:
    """The audit list filtered to the entry's object (its key may hold any character)."""
    return list_url(kind=entry.kind, key=entry.key)


@register.inclusion_tag("audit/trail.html", takes_context=True)
def audit_trail(context, kind: str, key) -> dict:
    """An object's latest audit entries (one query), for administrators only."""
    # The request's user: an edit page's own `user` is the object edited (UpdateView's context name of a User).
    user = getattr(context.get("request"), "user", None)
    allowed = bool(user is not None and getattr(user, "is_admin", False))
    entries = list(AuditEntry.objects.filter(kind=kind, key=str(key))[:TRAIL_LENGTH]) if allowed else []
    return {"allowed": allowed, "entries": entries, "more_url": list_url(kind=kind, key=key), "kind": kind}
