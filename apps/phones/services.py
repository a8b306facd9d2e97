"""Creating phones, one at a time or in bulk (POST /phone, the CSV import, the PBX data file)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Line, Phone, normalise_serial, validate_serial
from apps.users.models import User


@dataclass
class PhoneData:
    serial_number: str
    model: str
    description: str = ""
    version: str | None = None
    lines: Sequence[str] = ()  # user names (or aliases)


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


def resolve_version(model_id: str, version: str | None) -> str | None:
    """The firmware version to store: sipXconfig's "first version containing the text", else the newest."""
    model = CATALOGUE[model_id]
    if not version:
        return model.default_version
    found = model.find_version(version)
    if found is None:
        known = ", ".join(model.versions) or "none"
        raise ValidationError(f'model {model_id} has no firmware version "{version}" (known: {known}).')
    return found


def resolve_users(names: Iterable[str]) -> list[User]:
    """The users of a phone's lines, in order; each user at most once (a name and its alias are one user)."""
    from apps.users.credentials import find_login

    users = []
    for name in names:
        row = find_login(name)
        if row is None:
            raise ValidationError(f'there is no user "{name}" for a line.')
        if any(u.pk == row.user.pk for u in users):
            raise ValidationError(f'user "{row.user.username}" has a line on this phone already ("{name}").')
        users.append(row.user)
    return users


def _checked(data: PhoneData) -> tuple[str | None, list[User]]:
    """Validates everything but the serial; returns (firmware version, line users)."""
    if data.model not in CATALOGUE:
        raise ValidationError(f'unknown phone model "{data.model}".')
    if len(data.description or "") > 255:
        raise ValidationError("the description is longer than 255 characters.")
    version = resolve_version(data.model, data.version)
    users = resolve_users(data.lines)
    if len(users) > CATALOGUE[data.model].lines:
        raise ValidationError(f"model {data.model} has {CATALOGUE[data.model].lines} lines, not {len(users)}.")
    return version, users


def _set_lines(phone: Phone, users: list[User]) -> None:
    phone.lines.all().delete()
    Line.objects.bulk_create([Line(phone=phone, user=u, position=i) for i, u in enumerate(users)])


@transaction.atomic
def update_phone(phone: Phone, data: PhoneData) -> Phone:
    """Changes model, version, description and lines (in order); the serial number stays."""
    version, users = _checked(data)
    phone.model, phone.version, phone.description = data.model, version, data.description or ""
    phone.save()
    _set_lines(phone, users)
    return phone


def create_phone(data: PhoneData) -> Phone:
    """Validates and creates one phone with its lines, all or nothing. Raises ValidationError with a reason."""
    serial = normalise_serial(data.serial_number)
    validate_serial(serial)
    version, users = _checked(data)
    if Phone.objects.filter(serial_number=serial).exists():
        raise ValidationError(f"a phone with serial number {serial} already exists.")
    try:
        with transaction.atomic():
            phone = Phone.objects.create(
                serial_number=serial, model=data.model, version=version, description=data.description or ""
            )
            _set_lines(phone, users)
    except IntegrityError:  # a concurrent request created the same serial
        raise ValidationError(f"a phone with serial number {serial} already exists.") from None
    return phone


def create_phones(items: Iterable[PhoneData]) -> BulkResult:
    """Each phone on its own (D13): a bad one is skipped with its reason and leaves nothing behind."""
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
