"""Creating, changing and deleting phones: one at a time (the phone pages, the admin JSON API), in bulk each on its
own (POST /phone, the CSV import) and in bulk all or nothing (the PBX data file, the admin JSON API). Every channel
goes through `_checked`, so a phone is accepted or refused by the same rules whichever way it arrives, and every
write is recorded in the audit log here, whichever channel asked for it. The CSV import checks a whole file first
(`new_phone_problems`, for its preview) and creates it all or nothing (`create_new_phones`)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from apps.audit import services as audit
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Line, Phone, normalise_serial, validate_serial
from apps.users.models import User

KIND = "phone"  # the audit log's kind
_CHUNK = 900  # values per IN (...): databases bound the parameters of one statement


@dataclass
class PhoneData:
    serial_number: str
    model: str
    description: str = ""
    version: str | None = None
    lines: Sequence[str] = ()  # user names, aliases or enabled IM ids


class PhoneError(ValidationError):
    """A refused phone, saying which PhoneData field is wrong (`line`: which of `lines`) and, from
    upsert_phones, which item of the batch (`item`), so that the data file can name the path."""

    def __init__(self, message: str, field: str, line: int | None = None):
        super().__init__(message)
        self.field, self.line, self.item = field, line, None


@dataclass
class BulkResult:
    """What happened to each phone, in the order given: (serial, None) created, (serial, reason) skipped."""

    outcomes: list[tuple[str, str | None]]

    @property
    def created(self) -> list[str]:
        return [serial for serial, reason in self.outcomes if reason is None]

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return [(serial, reason) for serial, reason in self.outcomes if reason is not None]


def resolve_version(model_id: str, version: str | None, newest: bool = True) -> str | None:
    """The firmware version to store: sipXconfig's "first version containing the text"; no text: the newest
    (`newest=False`, the data file restoring a phone stored without a version: none)."""
    model = CATALOGUE[model_id]
    if not version:
        return model.default_version if newest else None
    found = model.find_version(version)
    if found is None:
        known = ", ".join(model.versions) or gettext("none")
        message = gettext('model %(model)s has no firmware version "%(version)s" (known: %(known)s).')
        raise PhoneError(message % {"model": model_id, "version": version, "known": known}, "version")
    return found


def resolve_users(names: Iterable[str], find=None) -> list[User]:
    """The users of a phone's lines, in order; each user at most once (a name and its alias are one user).
    `find` replaces credentials.find_login (upsert_phones passes a memo of it: a batch names the same users often)."""
    from apps.users.credentials import find_login

    find = find or find_login
    users = []
    for index, name in enumerate(names):
        row = find(name)
        if row is None:
            raise PhoneError(gettext('there is no user "%(name)s" for a line.') % {"name": name}, "lines", index)
        if any(u.pk == row.user.pk for u in users):
            message = gettext('user "%(user)s" has a line on this phone already ("%(name)s").') % {
                "user": row.user.username,
                "name": name,
            }
            raise PhoneError(message, "lines", index)
        users.append(row.user)
    return users


def checked_serial(value: str) -> str:
    serial = normalise_serial(value)
    try:
        validate_serial(serial)
    except ValidationError as exc:
        raise PhoneError(" ".join(exc.messages), "serial_number") from None
    return serial


def _checked(data: PhoneData, newest: bool = True, find=None) -> tuple[str | None, list[User]]:
    """Validates everything but the serial; returns (firmware version, line users)."""
    if data.model not in CATALOGUE:
        raise PhoneError(gettext('unknown phone model "%(model)s".') % {"model": data.model}, "model")
    if len(data.description or "") > 255:
        raise PhoneError(gettext("the description is longer than 255 characters."), "description")
    version = resolve_version(data.model, data.version, newest)
    users = resolve_users(data.lines, find)
    model = CATALOGUE[data.model]
    if len(users) > model.lines:
        message = gettext("model %(model)s has %(lines)s lines, not %(count)s.")
        raise PhoneError(message % {"model": data.model, "lines": model.lines, "count": len(users)}, "lines")
    return version, users


# ---- the audit log ------------------------------------------------------------------------------------------


def audit_fields(phone: Phone, lines: Sequence[str]) -> dict[str, Any]:
    """What the audit log compares of a phone: its columns and its lines' user names in order."""
    return {
        "serial_number": phone.serial_number,
        "model": phone.model,
        "version": phone.version,
        "description": phone.description,
        "lines": list(lines),
    }


def _stored_lines(phone_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """phone id -> its lines' user names in order, as stored (every phone's when `phone_ids` is None)."""
    rows = Line.objects.order_by("phone_id", "position", "id").values_list("phone_id", "user__username")
    if phone_ids is None:
        found = list(rows)
    else:
        found = [row for chunk in batched(list(phone_ids), _CHUNK) for row in rows.filter(phone_id__in=chunk)]
    lines: dict[int, list[str]] = {}
    for phone_id, username in found:
        lines.setdefault(phone_id, []).append(username)
    return lines


def _audited_before(phones: Iterable[Phone]) -> dict[int, dict[str, Any]]:
    phones = list(phones)
    lines = _stored_lines([p.pk for p in phones]) if phones else {}
    return {p.pk: audit_fields(p, lines.get(p.pk, [])) for p in phones}


def _set_lines(phone: Phone, users: list[User]) -> None:
    phone.lines.all().delete()
    Line.objects.bulk_create([Line(phone=phone, user=u, position=i) for i, u in enumerate(users)])


@transaction.atomic
def update_phone(phone: Phone, data: PhoneData) -> Phone:
    """Changes model, version, description and lines (in order); the serial number stays."""
    version, users = _checked(data)
    # From the database: a model form has already put the new values on `phone`.
    before = _audited_before([Phone.objects.get(pk=phone.pk)])[phone.pk]
    phone.model, phone.version, phone.description = data.model, version, data.description or ""
    phone.save()
    _set_lines(phone, users)
    audit.record(KIND, phone.serial_number, before, audit_fields(phone, [u.username for u in users]))
    return phone


def _exists(serial: str) -> PhoneError:
    return PhoneError(
        gettext("a phone with serial number %(serial)s already exists.") % {"serial": serial}, "serial_number"
    )


def create_phone(data: PhoneData) -> Phone:
    """Validates and creates one phone with its lines, all or nothing. Raises PhoneError with a reason."""
    serial = checked_serial(data.serial_number)
    version, users = _checked(data)
    if Phone.objects.filter(serial_number=serial).exists():
        raise _exists(serial)
    try:
        with transaction.atomic():
            phone = Phone.objects.create(
                serial_number=serial, model=data.model, version=version, description=data.description or ""
            )
            _set_lines(phone, users)
            audit.record(KIND, serial, None, audit_fields(phone, [u.username for u in users]))
    except IntegrityError:  # a concurrent request created the same serial
        raise _exists(serial) from None
    return phone


def create_phones(items: Iterable[PhoneData]) -> BulkResult:
    """Each phone on its own (compatibility D13): a bad one is skipped with its reason and leaves nothing behind."""
    outcomes: list[tuple[str, str | None]] = []
    for item in items:
        serial = normalise_serial(item.serial_number) or item.serial_number
        try:
            create_phone(item)
        except ValidationError as exc:
            outcomes.append((serial, " ".join(exc.messages)))
        else:
            outcomes.append((serial, None))
    return BulkResult(outcomes)


class BatchRefused(ValidationError):
    """Nothing of a batch was created: `problems` holds each item's reason, None for the good ones."""

    def __init__(self, problems: list[str | None]):
        super().__init__(next(p for p in problems if p))
        self.problems = problems


def new_phone_problems(items: Sequence[PhoneData]) -> list[str | None]:
    """Why each phone of a batch cannot be created, None where it can: the rules of create_phone, a serial that is
    stored already or given twice in the batch. Every item is checked (the import's preview names them all)."""
    return _check_new(items)[0]


def _check_new(items: Sequence[PhoneData]) -> tuple[list[str | None], list[tuple[str | None, list[User]] | None]]:
    """(each item's problem or None, each good item's (version, line users) as `_checked` gives them)."""
    from functools import cache

    from apps.users.credentials import find_login

    find = cache(find_login)  # one lookup per distinct name; a file names the same users often
    serials = [normalise_serial(item.serial_number) for item in items]
    stored = set()
    for chunk in batched(sorted(set(serials)), _CHUNK):
        stored.update(Phone.objects.filter(serial_number__in=chunk).values_list("serial_number", flat=True))
    seen: set[str] = set()
    problems: list[str | None] = []
    checked: list[tuple[str | None, list[User]] | None] = []
    for item, serial in zip(items, serials, strict=True):
        try:
            checked_serial(item.serial_number)
            if serial in stored:
                raise _exists(serial)
            if serial in seen:
                raise PhoneError(
                    gettext("the serial number %(serial)s is given twice.") % {"serial": serial}, "serial_number"
                )
            seen.add(serial)
            checked.append(_checked(item, find=find))
        except PhoneError as exc:
            problems.append(" ".join(exc.messages))
            checked.append(None)
        else:
            problems.append(None)
    return problems, checked


def create_new_phones(items: Sequence[PhoneData]) -> list[Phone]:
    """All or nothing (the CSV import): every phone is new and follows the rules of create_phone, or nothing is
    created and BatchRefused names every item's problem. Each creation is in the audit log."""
    if not items:
        return []
    with transaction.atomic():
        problems, checked = _check_new(items)
        if any(problems):
            raise BatchRefused(problems)
        serials = [normalise_serial(item.serial_number) for item in items]
        phones = [
            Phone(serial_number=serial, model=item.model, version=version, description=item.description or "")
            for serial, item, (version, _) in zip(serials, items, checked, strict=True)
        ]
        try:
            with transaction.atomic():
                Phone.objects.bulk_create(phones, batch_size=500)
        except IntegrityError:  # another request created one of these serials since the check
            raise BatchRefused(new_phone_problems(items)) from None
        stored = {}
        for chunk in batched(serials, _CHUNK):  # the ids, on backends that do not return them from a bulk insert
            stored.update((p.serial_number, p) for p in Phone.objects.filter(serial_number__in=chunk))
        Line.objects.bulk_create(
            [
                Line(phone=stored[serial], user=user, position=position)
                for serial, (_, users) in zip(serials, checked, strict=True)
                for position, user in enumerate(users)
            ],
            batch_size=500,
        )
        audit.record_many(
            audit.Change(KIND, serial, None, audit_fields(stored[serial], [u.username for u in users]))
            for serial, (_, users) in zip(serials, checked, strict=True)
        )
    return [stored[serial] for serial in serials]


@transaction.atomic
def upsert_phones(items: Sequence[PhoneData], keep_missing_version: bool = False) -> list[Phone]:
    """All or nothing: creates the phones whose serial is new and changes the others (as update_phone does), each
    checked by `_checked` like every other channel; the writes are bulk queries (a file may hold thousands).
    The first bad item raises its PhoneError with `item` set. A serial given twice is refused like an existing
    one on create. `keep_missing_version` stores a phone without a version as such (a restore), where the other
    channels pick the model's newest."""
    from functools import cache

    from apps.users.credentials import find_login

    find = cache(find_login)  # one lookup per distinct name; the batch writes no users meanwhile
    serials: list[str] = []
    checked = []
    for index, data in enumerate(items):
        try:
            serial = checked_serial(data.serial_number)
            if serial in serials:
                raise PhoneError(
                    gettext("the serial number %(serial)s is given twice.") % {"serial": serial}, "serial_number"
                )
            serials.append(serial)
            checked.append(_checked(data, newest=not keep_missing_version, find=find))
        except PhoneError as exc:
            exc.item = index
            raise
    existing = {p.serial_number: p for p in Phone.objects.filter(serial_number__in=serials)}
    before = _audited_before(existing.values())
    new, changed = [], []
    for serial, data, (version, _) in zip(serials, items, checked, strict=True):
        phone = existing.get(serial)
        if phone is None:
            phone = Phone(serial_number=serial)
            new.append(phone)
        else:
            changed.append(phone)
        phone.model, phone.version, phone.description = data.model, version, data.description or ""
    Phone.objects.bulk_create(new, batch_size=500)
    Phone.objects.bulk_update(changed, ["model", "version", "description"], batch_size=500)
    phones = {p.serial_number: p for p in Phone.objects.filter(serial_number__in=serials)}  # pks of the new ones
    Line.objects.filter(phone__in=phones.values()).delete()
    lines = [
        Line(phone=phones[serial], user=user, position=position)
        for serial, (_, users) in zip(serials, checked, strict=True)
        for position, user in enumerate(users)
    ]
    Line.objects.bulk_create(lines, batch_size=500)
    audit.record_many(
        audit.Change(
            KIND, serial, before.get(phones[serial].pk), audit_fields(phones[serial], [u.username for u in users])
        )
        for serial, (_, users) in zip(serials, checked, strict=True)
    )
    return [phones[serial] for serial in serials]


@transaction.atomic
def delete_phone(phone: Phone) -> None:
    """Deletes a phone and its lines (the phone pages and the admin JSON API)."""
    before = _audited_before([phone])[phone.pk]
    serial = phone.serial_number
    phone.delete()
    audit.record(KIND, serial, before, None)


@transaction.atomic
def delete_all_phones() -> None:
    """Every phone and its lines (the data file's import --replace), each deletion in the audit log."""
    lines = _stored_lines()
    phones = list(Phone.objects.order_by("serial_number"))
    Phone.objects.all().delete()
    audit.record_many(audit.Change(KIND, p.serial_number, audit_fields(p, lines.get(p.pk, [])), None) for p in phones)
