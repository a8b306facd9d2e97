"""Media files (recordings, greetings, prompts) follow the transaction of the rows that name them.

Storage is not transactional: a file is written before its row is saved, and a deleted file cannot come
back. A rolled-back change would otherwise leave files that no row names (written, then rolled back) or,
worse, rows whose files are gone (a failed `import_pbx --replace` used to lose every recording). So:

* A file that no row names any more — its row was deleted, or now names another file — is deleted when
  the transaction commits (at once outside one), and only if no row of the model names it then: a rollback
  keeps it with the rows that still name it. `follow_rows(Model, "field", ...)` connects this to a model.
* Bulk writes (`bulk_update` sends no signals) name the files they replaced to `discard()`.
* `atomic()` is transaction.atomic() that also deletes, when it rolls back, the files written inside it:
  those written with `save()` (before their row is saved) and the uploads a followed row stored when it
  was saved. A name assigned as text (an import naming a prompt) is someone's stored file: never removed.
  Use it for the outermost transaction of a change that writes files.
"""

import contextlib
import contextvars
import functools

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save, pre_save

_written: contextvars.ContextVar[set | None] = contextvars.ContextVar("media_files_written", default=None)


def _stored_name(value) -> str | None:
    """The name of the stored file a field value stands for: "" when nothing is stored yet (a new row, or a
    File assigned but not yet saved), None when the field was not loaded (deferred)."""
    if value is None or isinstance(value, str):
        return value
    return value.name if getattr(value, "_committed", False) else ""


def _delete_unless_named(model, field: str, name: str) -> None:
    if not model._base_manager.filter(**{field: name}).exists():
        model._meta.get_field(field).storage.delete(name)


def _discard(model, field: str, name: str | None) -> None:
    if name:
        transaction.on_commit(functools.partial(_delete_unless_named, model, field, name), robust=True)


def _delete_unnamed(model, field: str, names: list[str]) -> None:
    named = set(model._base_manager.filter(**{f"{field}__in": names}).values_list(field, flat=True))
    storage = model._meta.get_field(field).storage
    for name in names:
        if name not in named:
            storage.delete(name)


def discard(model, field: str, names) -> None:
    """The files a bulk write no longer names: deleted when the transaction commits, those no row names then
    (one query per 900 names)."""
    names = sorted({name for name in names if name})
    for start in range(0, len(names), 900):
        chunk = names[start : start + 900]
        transaction.on_commit(functools.partial(_delete_unnamed, model, field, chunk), robust=True)


def _record(storage, name: str | None) -> None:
    files = _written.get()
    if files is not None and name:
        files.add((storage, name))


def save(field_file, name: str, content) -> None:
    """`field_file.save(name, content, save=False)`, recorded so that the enclosing `atomic()` deletes the file
    if it rolls back (the row may never be saved)."""
    field_file.save(name, content, save=False)
    _record(field_file.storage, field_file.name)


@contextlib.contextmanager
def atomic():
    files: set = set()
    outer = _written.get()
    token = _written.set(files)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in files:
            storage.delete(name)
        raise
    finally:
        _written.reset(token)
    if outer is not None:  # committed into an enclosing atomic(): its rollback removes these too
        outer.update(files)


def follow_rows(model, *fields: str) -> None:
    """Connects the rules above to `model`'s FileFields `fields`."""

    def loaded(sender, instance, **kwargs):
        # The stored names as loaded (None for a deferred field: unknown, so never discarded on save).
        instance._media_names = {f: _stored_name(instance.__dict__.get(f)) for f in fields}

    def saving(sender, instance, **kwargs):
        # FileField.pre_save writes a file that is not in storage yet (an upload) after this signal: those are
        # the files this save writes. A name assigned as text names a file that is already stored by others.
        # (`in __dict__`: a deferred field is not an upload, and reading it would cost a query.)
        instance._media_uploads = {
            f for f in fields if f in instance.__dict__ and getattr(instance, f) and not getattr(instance, f)._committed
        }

    def saved(sender, instance, update_fields=None, **kwargs):
        before = getattr(instance, "_media_names", {})
        uploads = getattr(instance, "_media_uploads", set())
        for field in fields:
            if update_fields is not None and field not in update_fields:
                continue
            old, new = before.get(field), getattr(instance, field).name or ""
            if field in uploads:
                _record(getattr(instance, field).storage, new)
            if new != old:
                _discard(model, field, old)
            before[field] = new

    def deleted(sender, instance, **kwargs):
        for field in fields:
            _discard(model, field, getattr(instance, field).name)

    uid = f"mediafiles:{model._meta.label}"
    post_init.connect(loaded, sender=model, weak=False, dispatch_uid=uid)
    pre_save.connect(saving, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
