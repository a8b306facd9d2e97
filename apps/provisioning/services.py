"""The provisioning rules, one home each, for the view, the admin pages and the PBX data file: the credential
(`check_credential`; `set_credential` and `reset_credential`, its writers, which record each change in the audit
log), what a fetch finds and leaves behind (`find_phone_file`, `record_fetch`, `record_unknown`) and the
firmware a model's phones are pointed at (`save_firmware`)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from apps.audit import services as audit
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Phone
from apps.provisioning import changes
from apps.provisioning.models import DEFAULT_USER, Firmware, PhoneFile, ProvisioningSettings, UnknownPhone, new_password
from apps.provisioning.render import one_line
from apps.users import lockout
from sipxweb import mediafiles
from sipxweb.text import text_problem


class ProvisioningError(ValidationError):
    """A refused value, naming the field (the form's and the data file's key) it belongs to."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


# ---- the credential ------------------------------------------------------------------------------------

# Basic splits "name:password" at the first colon, Digest quotes the name: a name of these characters is safe in
# both, and in the user info of the URLs the files name.
USER_NAME = re.compile(r"[A-Za-z0-9._~-]{1,64}")
MIN_PASSWORD = 8


def check_credential(user: str, password: str) -> None:
    if not isinstance(user, str) or not USER_NAME.fullmatch(user):
        raise ProvisioningError(
            gettext("the user name must be 1 to 64 letters, digits or . _ ~ - (no spaces, no colon)."), "user"
        )
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > 255:
        raise ProvisioningError(
            gettext("the password must be %(min)s to 255 characters long.") % {"min": MIN_PASSWORD}, "password"
        )
    if text_problem(password) or one_line(password) != password:
        raise ProvisioningError(gettext("the password may not contain control characters."), "password")


@cache
def _credential_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    return f"SELECT {q('user')}, {q('password')} FROM {q(ProvisioningSettings._meta.db_table)} WHERE {q('id')} = 1"


def credential() -> ProvisioningSettings:
    """The credential, read on every fetch (plain SQL built once); made on first use (ProvisioningSettings.load)."""
    with connection.cursor() as cursor:
        cursor.execute(_credential_sql(connection.vendor))
        row = cursor.fetchone()
    if row is None:
        return ProvisioningSettings.load()
    return ProvisioningSettings(pk=1, user=row[0], password=row[1])


# The audit log's kind and key of the credential (one row); "password" is one of the audit log's secret field names,
# so its values never enter the log: a change shows as changed.
KIND, KEY = "provisioning", "credential"
CREDENTIAL_FIELDS = ("user", "password")


def set_credential(user: str, password: str) -> ProvisioningSettings:
    """The installation's provisioning credential, changed at once for every phone and worker; the change is in the
    audit log (nothing when it is saved as it was)."""
    check_credential(user, password)
    with transaction.atomic():
        stored = ProvisioningSettings.objects.select_for_update().filter(pk=1).first()
        before = audit.snapshot(stored, CREDENTIAL_FIELDS) if stored else None
        row = ProvisioningSettings(pk=1, user=user, password=password)
        # One upsert: the same statement whether the row was there or not (an import's cost does not depend on it),
        # and a row a phone's first fetch creates meanwhile (ProvisioningSettings.load) is updated, not a conflict.
        ProvisioningSettings.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["id"], update_fields=list(CREDENTIAL_FIELDS)
        )
        audit.record(KIND, KEY, before, audit.snapshot(row, CREDENTIAL_FIELDS))
    return row


def reset_credential() -> ProvisioningSettings:
    """import --replace: the credential a new installation gets (the default user name, a new random password),
    written and recorded as set_credential writes any change. Stored even where none was yet, so that the PBX after
    the import has the credential it will hand out (the export writes it; a read never has to create it)."""
    return set_credential(DEFAULT_USER, new_password())


# ---- fetches -------------------------------------------------------------------------------------------


@dataclass
class Found:
    """A known phone and what was stored of the file asked for (None: never served)."""

    phone: Phone
    changes: int | None  # changes.version_sql, read with the phone: before anything the file is built from
    version: str | None
    etag: str | None
    modified: datetime | None
    fetched: datetime | None = None  # the last fetch recorded: when, from where, by what, answered how
    address: str = ""
    user_agent: str = ""
    status: int | None = None


# Every poll runs these: as plain SQL built once per database engine they cost a fraction of what building the
# ORM's queries did (the users' login lookup made the same choice, apps/users/credentials.py).
_PHONE_FIELDS = ("id", "serial_number", "model", "version", "description")


_STORED_TIMES = ("modified", "fetched")


@cache
def _phone_file_sql(vendor: str) -> tuple[str, list]:
    q = connection.ops.quote_name
    phones, stored = q(Phone._meta.db_table), q(PhoneFile._meta.db_table)
    columns = ", ".join(f"p.{q(Phone._meta.get_field(f).column)}" for f in _PHONE_FIELDS)
    kept = ", ".join(f"f.{q(c)}" for c in ("version", "etag", "modified", "fetched", "address", "user_agent", "status"))
    sql = (
        f"SELECT {columns}, {kept}, {changes.version_sql(connection)} "
        f"FROM {phones} p LEFT JOIN {stored} f ON f.{q('phone_id')} = p.{q('id')} AND f.{q('name')} = %s "
        f"WHERE p.{q('serial_number')} = %s"
    )
    converters = []
    for name in _STORED_TIMES:
        field = PhoneFile._meta.get_field(name)
        column = field.get_col(PhoneFile._meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))
    return sql, converters


def find_phone_file(mac: str, name: str) -> Found | None:
    """The phone with this MAC, the stored state of its file `name` and the count of writes, in one query."""
    sql, converters = _phone_file_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, mac])
        row = cursor.fetchone()
    if row is None:
        return None
    phone = Phone.from_db(connection.alias, list(_PHONE_FIELDS), row[: len(_PHONE_FIELDS)])
    version, etag, modified, fetched, address, agent, status, counted = row[len(_PHONE_FIELDS) :]
    times = []
    for value, (column, convert_all) in zip((modified, fetched), converters, strict=True):
        for convert in convert_all:
            value = convert(value, column, connection) if value is not None else None
        times.append(value)
    return Found(phone, counted, version, etag, times[0], times[1], address or "", agent or "", status)


def _client(request) -> tuple[str, str]:
    """(address, user agent) as stored: the lockout's client address, the user agent on one line, cut to fit."""
    agent = one_line(request.META.get("HTTP_USER_AGENT", ""))
    return lockout.client_address(request)[:64], agent[:255]


_FETCH_COLUMNS = ("phone_id", "name", "version", "etag", "modified", "fetched", "address", "user_agent", "status")


@cache
def _fetch_sql(vendor: str) -> str:
    """One upsert (SQLite and PostgreSQL share the syntax): the file as served and this fetch."""
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in _FETCH_COLUMNS)
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in _FETCH_COLUMNS[2:])
    return (
        f"INSERT INTO {q(PhoneFile._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(_FETCH_COLUMNS))}) "
        f"ON CONFLICT ({q('phone_id')}, {q('name')}) DO UPDATE SET {updates}"
    )


# A phone polling every few seconds would otherwise write a row per poll: a 304 that changes nothing the admin sees
# (the same file, address, user agent and answer) is written at most once a minute, so "last fetched" is at most
# this old on the phone page, and the poll is a read.
FETCH_RECORD_INTERVAL = timedelta(seconds=60)


def worth_recording(found: Found, request, status: int) -> bool:
    """False for a repeated 304 from the same client within FETCH_RECORD_INTERVAL of the recorded one."""
    if status != 304 or found.status != 304 or found.fetched is None:
        return True
    if (found.address, found.user_agent) != _client(request):
        return True
    return not (timezone.now() - FETCH_RECORD_INTERVAL < found.fetched <= timezone.now())


def record_fetch(
    phone: Phone, name: str, version: str | None, etag: str, modified: datetime, request, status: int
) -> None:
    """One upsert: the file's ETag and change time as served, and this fetch (time, address, user agent)."""
    address, agent = _client(request)
    adapt = connection.ops.adapt_datetimefield_value
    values = [phone.pk, name, version or "", etag, adapt(modified), adapt(timezone.now()), address, agent, status]
    try:  # no savepoint around it: it is the poll's one write, and the refusal below is a rare race
        with connection.cursor() as cursor:
            cursor.execute(_fetch_sql(connection.vendor), values)
    except IntegrityError:  # the phone was deleted meanwhile: nothing to remember it by
        pass


def record_unknown(mac: str, name: str, request) -> None:
    """Counts a fetch by a MAC no phone has. At most PROVISIONING_UNKNOWN_MAX rows are kept: a new MAC makes room by
    forgetting the least recently seen ones, so no client can grow the table (the known ones keep being counted)."""
    address, agent = _client(request)
    now = timezone.now()
    seen = {"file_name": name, "address": address, "user_agent": agent, "last_seen": now}
    if UnknownPhone.objects.filter(mac=mac).update(count=F("count") + 1, **seen):
        return
    limit = max(settings.PROVISIONING_UNKNOWN_MAX, 1)
    try:
        with transaction.atomic():
            stale = UnknownPhone.objects.order_by("-last_seen", "-id").values_list("pk", flat=True)[limit - 1 :]
            UnknownPhone.objects.filter(pk__in=list(stale)).delete()
            UnknownPhone.objects.create(mac=mac, first_seen=now, **seen)
    except IntegrityError:  # the same MAC, asking twice at once: the other request created the row
        UnknownPhone.objects.filter(mac=mac).update(count=F("count") + 1, **seen)


# ---- firmware ------------------------------------------------------------------------------------------


def save_firmware(model_id: str, version: str, upload) -> Firmware:
    """Stores the firmware image `upload` (a Django File) for a catalogue model and one of its versions, replacing
    the one stored for them; the files of that model's phones on that version then name it."""
    model = CATALOGUE.get(model_id)
    if model is None or model.family is None:
        raise ProvisioningError(
            gettext('"%(model)s" is no phone model sipxweb provisions.') % {"model": model_id}, "model"
        )
    if version not in model.versions:
        known = ", ".join(model.versions)
        message = gettext('model %(model)s has no firmware version "%(version)s" (known: %(known)s).')
        raise ProvisioningError(message % {"model": model_id, "version": version, "known": known}, "version")
    if not getattr(upload, "size", 0):
        raise ProvisioningError(gettext("the firmware file is empty."), "file")
    # The replaced image is deleted when this commits, the new one if it rolls back (sipxweb/mediafiles.py).
    with mediafiles.atomic():
        firmware = Firmware.objects.select_for_update().filter(model=model_id, version=version).first()
        firmware = firmware or Firmware(model=model_id, version=version)
        firmware.file = File(upload, name=upload.name.rsplit("/", 1)[-1])
        firmware.save()
    return firmware
