"""The one way a change enters the audit log: the services call `record` (or `record_many` for a batch) with the
object's kind and key and its fields before and after; who, when, from where and through what come from
apps.audit.context. Secrets are masked here, once, by field name."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apps.audit.context import current
from apps.audit.models import AuditEntry

# Fields whose values never enter the log: a change shows as "(changed)".
SECRET_FIELDS = frozenset(
    {
        "password",
        "pin",
        "pinHash",
        "pin_hash",
        "voicemail_pin",
        "voicemailPin",
        "voicemail_pin_hash",
        "voicemailPinHash",
        "sip_password",
        "sipPassword",
        "digest_ha1",
        "digestHa1",
        "feed_key",
        "feedKey",
        "access_code",
        "accessCode",
        "moderator_code",
        "moderatorCode",
        "token_hash",
        "secret",
    }
)
MASK = "(changed)"


@dataclass
class Change:
    kind: str
    key: str
    before: Mapping[str, Any] | None = None  # None: the object is new
    after: Mapping[str, Any] | None = None  # None: the object is gone


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def differences(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list]:
    """{field: [before, after]} of the fields that differ (a new object: every field set; a deleted one: none)."""
    before, after = before or {}, after or {}
    out = {}
    for name in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        out[name] = [MASK, MASK] if name in SECRET_FIELDS else [_jsonable(old), _jsonable(new)]
    return out


def _entry(change: Change, actor) -> AuditEntry | None:
    if change.before is None:
        action = AuditEntry.Action.CREATE
    elif change.after is None:
        action = AuditEntry.Action.DELETE
    else:
        action = AuditEntry.Action.UPDATE
    changes = {} if action == AuditEntry.Action.DELETE else differences(change.before, change.after)
    if action == AuditEntry.Action.UPDATE and not changes:
        return None  # saved as it was: nothing to tell
    return AuditEntry(
        actor=actor.who()[:255],
        channel=actor.channel,
        address=actor.address[:64],
        kind=change.kind,
        key=str(change.key)[:255],
        action=action,
        changes=changes,
    )


def record(kind: str, key, before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None) -> None:
    """One change of object `kind` `key`: `before` None for a new object, `after` None for a deleted one."""
    record_many([Change(kind, str(key), before, after)])


def record_many(changes: Iterable[Change]) -> None:
    """A batch of changes in one INSERT per 500 rows (the data file stores thousands of users at once)."""
    actor = current()
    entries = [e for e in (_entry(c, actor) for c in changes) if e is not None]
    AuditEntry.objects.bulk_create(entries, batch_size=500)


def snapshot(instance, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A model instance's concrete field values by name (foreign keys by id), for `before`/`after`."""
    names = fields or [f.attname for f in instance._meta.concrete_fields if not f.primary_key]
    return {name: getattr(instance, name) for name in names}
