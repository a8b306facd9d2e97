"""`users`: the file's schema and its mapping onto apps.users.services, which holds every rule (login names and
their clashes, PINs, the SIP password, e-mail addresses, contact fields, groups, forwarding limits) as it does for
the user pages and the REST URIs: `clean_user` and `check_batch` while the file is validated, `save_users` to
store the whole section in bulk.

Import semantics: a user of the file is matched by user name and then *replaced* by the file's record (a key
absent from the file means its default, as docs/pbx-data.md says), except `feedKey`, which an existing user keeps
when the file has none (regenerating it would break the user's private URLs). Users not in the file are left
alone (or deleted first with --replace). The clash of user names with conference extensions is checked once every
section is loaded (`conferences.check_extensions`): the file's own rooms may move."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime

from apps.pbxdata.schema import (
    REQUIRED,
    PbxDataError,
    boolean,
    check_keys,
    choice,
    described,
    integer,
    json_schema,
    list_of,
    nullable_schema,
    obj,
    show,
    text,
)
from apps.pbxdata.sections import phonebooks, voicemail
from apps.users import addressbook, availability, services
from apps.users.models import AwayPeriod, LoginName, Ring, User, UserProfile

PERMISSIONS = ("voicemail", "attendant-admin")
DEFAULT_PERMISSIONS = ["voicemail"]  # the model's defaults; export always writes `permissions`
DEFAULT_SALUTATION = UserProfile.Salutation.NONE.value

# The validated user's services.UserRecord, as clean_user returned it: load stores it without checking it again
# (validate ran clean_user and check_batch on the whole section just before).
CHECKED = "checkedRecord"

# UserRecord field -> the key of the file's user that holds it, to name the path of a refused value.
KEYS = {
    "username": "userName",
    "aliases": "aliases",
    "first_name": "firstName",
    "last_name": "lastName",
    "pin": "pin",
    "pin_hash": "pinHash",
    "digest_ha1": "digestHa1",
    "voicemail_pin": "voicemailPin",
    "voicemail_pin_hash": "voicemailPinHash",
    "sip_password": "sipPassword",
    "im_id": "imId",
    "im_display_name": "imDisplayName",
    "groups": "groups",
    "feed_key": "feedKey",
    "contact": "contactInformation",
    "forward_timer": "callForwarding.expiration",
    "rings": "callForwarding.rings",
    "time_zone": "timeZone",
    "language": "language",
    "forward_all": "availability.forwardAll",
    "availability_until": "availability.until",
    "away_periods": "awayPeriods",
}
# PeriodData field -> the key of an away period that holds it.
PERIOD_KEYS = {
    "start": "start",
    "end": "end",
    "time_zone": "timeZone",
    "repeat_until": "recurrence.until",
    "forward_to": "forwardTo",
    "greeting": "greeting",
}
CHECKED_PERIODS = "checkedAwayPeriods"


# ---- schema: types, defaults, keys; the rules are the services' ------------------------------------------------


def ha1_map(value, path):
    if not isinstance(value, dict):
        raise PbxDataError(path, "expected an object of login name -> HA1")
    check_keys(value, path, value.keys())  # only catches keys given twice
    return {name: text()(v, f"{path}.{name}") for name, v in value.items()}


def address(value, path):
    check_keys(value, path, addressbook.ADDRESS_KEYS)
    return {key: text(nullable=True)(value[key], f"{path}.{key}") for key in addressbook.ADDRESS_KEYS if key in value}


def _contact_checker(kind):
    if kind == addressbook.ADDRESS:
        return address, dict
    if kind == addressbook.BOOL:
        return boolean, False
    if kind == addressbook.SALUTATION:
        return text(), DEFAULT_SALUTATION
    return text(nullable=True), None


def _parsed(parse, value, longest: int):
    """parse(value) for a string no longer than `longest`; None when it is none, or a date that does not exist."""
    if not isinstance(value, str) or len(value) > longest:
        return None
    try:
        return parse(value)
    except ValueError:  # well-formed but impossible: month 13, 31 April, an offset of 25 hours
        return None


def instant(value, path) -> datetime:
    """An ISO 8601 date and time with its offset (2026-12-24T18:00:00+01:00, or Z)."""
    parsed = _parsed(parse_datetime, value, 40)
    if parsed is None:
        raise PbxDataError(path, f"{show(value)} is not an ISO 8601 date and time")
    if parsed.tzinfo is None:
        raise PbxDataError(path, "needs a time zone (such as Z or +01:00)")
    return parsed


described(instant, {"type": "string", "format": "date-time"})


def wall_time(value, path) -> datetime:
    """An ISO 8601 date and time, a wall-clock time in the period's zone (an offset given is converted into it)."""
    parsed = _parsed(parse_datetime, value, 40)
    if parsed is None:
        raise PbxDataError(path, f"{show(value)} is not an ISO 8601 date and time such as 2026-12-24T09:00")
    return parsed


described(wall_time, {"type": "string", "maxLength": 40, "example": "2026-12-24T09:00"})


def day(value, path) -> date:
    parsed = _parsed(parse_date, value, 10)
    if parsed is None:
        raise PbxDataError(path, f"{show(value)} is not a date such as 2027-06-30")
    return parsed


described(day, {"type": "string", "format": "date"})


def nullable(check):
    def checked(value, path):
        return None if value is None else check(value, path)

    return described(checked, nullable_schema(json_schema(check)))


AVAILABILITY = obj(
    {
        "dnd": (boolean, False),
        "forwardAll": (text(blank=False, nullable=True), None),
        "until": (nullable(instant), None),
    }
)
RECURRENCE = obj({"frequency": (choice(["weekly"]), REQUIRED), "until": (nullable(day), None)})
AWAY_PERIOD = obj(
    {
        "start": (wall_time, REQUIRED),
        "end": (wall_time, REQUIRED),
        "timeZone": (text(64, nullable=True), None),
        "recurrence": (nullable(RECURRENCE), None),
        "forwardTo": (text(blank=False, nullable=True), None),
        "greeting": (choice(AwayPeriod.Greeting.values), AwayPeriod.Greeting.OUT_OF_OFFICE.value),
    }
)

_contact = obj({f.wire: _contact_checker(f.kind) for f in addressbook.PROFILE_FIELDS})

_ring = obj(
    {
        "number": (text(blank=False), REQUIRED),
        "expiration": (integer(*services.RING_EXPIRATION_RANGE), Ring._meta.get_field("expiration").default),
        "type": (choice(Ring.Type.values), Ring.Type.DELAYED.value),
        "enabled": (boolean, Ring._meta.get_field("enabled").default),
    }
)
_forwarding = obj(
    {"expiration": (integer(*services.FORWARD_TIMER_RANGE), services.DEFAULT_TIMER), "rings": (list_of(_ring), list)}
)

USER = obj(
    {
        "userName": (text(blank=False), REQUIRED),
        "aliases": (list_of(text()), list),
        "firstName": (text(), ""),
        "lastName": (text(), ""),
        "pin": (text(blank=False), None),
        "pinHash": (text(blank=False), None),
        "digestHa1": (ha1_map, None),
        "voicemailPin": (text(blank=False), None),
        "voicemailPinHash": (text(blank=False), None),
        "sipPassword": (text(), ""),
        "imId": (text(), ""),
        "imEnabled": (boolean, False),
        "imDisplayName": (text(nullable=True), None),
        "admin": (boolean, False),
        "permissions": (list_of(choice(PERMISSIONS), unique=str, what="permission"), lambda: list(DEFAULT_PERMISSIONS)),
        "groups": (list_of(text(blank=False), unique=str, what="group"), list),
        "feedKey": (text(), None),
        "contactInformation": (_contact, None),
        "callForwarding": (_forwarding, None),
        "timeZone": (text(64), ""),
        "language": (choice(["", *(code for code, _ in settings.LANGUAGES)]), ""),
        "availability": (AVAILABILITY, None),
        "awayPeriods": (list_of(AWAY_PERIOD), list),
        "activeGreeting": (voicemail.validate_greeting, None),
        voicemail.EMAIL_KEY: (voicemail.validate_email_mode, None),
        "privatePhonebook": (phonebooks.validate_private, None),
    }
)


def record(u: dict) -> services.UserRecord:
    """A validated user of the file as the users service takes it."""
    forwarding = u["callForwarding"] or {}
    contact = u["contactInformation"] or {}
    switches = u["availability"] or {}
    return services.UserRecord(
        username=u["userName"],
        aliases=u["aliases"],
        first_name=u["firstName"],
        last_name=u["lastName"],
        pin=u["pin"],
        pin_hash=u["pinHash"],
        digest_ha1=u["digestHa1"],
        voicemail_pin=u["voicemailPin"],
        voicemail_pin_hash=u["voicemailPinHash"],
        sip_password=u["sipPassword"],
        im_id=u["imId"],
        im_enabled=u["imEnabled"],
        im_display_name=u["imDisplayName"],
        is_admin=u["admin"],
        perm_voicemail="voicemail" in u["permissions"],
        perm_attendant_admin="attendant-admin" in u["permissions"],
        groups=u["groups"],
        feed_key=u["feedKey"],
        contact={f.model: contact[f.wire] for f in addressbook.PROFILE_FIELDS if f.wire in contact},
        forward_timer=forwarding.get("expiration", services.DEFAULT_TIMER),
        rings=[services.RingData(**ring) for ring in forwarding.get("rings", [])],
        time_zone=u["timeZone"],
        language=u["language"],
        dnd=switches.get("dnd", False),
        forward_all=switches.get("forwardAll"),
        availability_until=switches.get("until"),
    )


# ---- away periods ----------------------------------------------------------------------------------------------


def period_data(p: dict) -> availability.PeriodData:
    """A checked AWAY_PERIOD as the service takes it."""
    recurrence = p["recurrence"]
    return availability.PeriodData(
        start=p["start"],
        end=p["end"],
        time_zone=p["timeZone"] or "",
        weekly=recurrence is not None,
        repeat_until=recurrence["until"] if recurrence else None,
        forward_to=p["forwardTo"],
        greeting=p["greeting"],
    )


def period_refused(exc: ValidationError, where: str) -> PbxDataError:
    """The service's refusal of an away period at `where` ("users[0].awayPeriods[2]", or "" for a lone one)."""
    error = services.first_error(exc)
    key = PERIOD_KEYS.get(error.field, error.field)
    return PbxDataError(f"{where}.{key}" if where else key, " ".join(error.messages))


def dump_period(period: AwayPeriod) -> dict:
    """One away period; its times as wall-clock times in its zone."""
    start, end = availability.unstored(period.start), availability.unstored(period.end)
    out = {"start": start.isoformat(timespec="minutes" if not start.second else "seconds")}
    out["end"] = end.isoformat(timespec="minutes" if not end.second else "seconds")
    out["timeZone"] = period.time_zone
    if period.weekly:
        until = period.repeat_until.isoformat() if period.repeat_until else None
        out["recurrence"] = {"frequency": "weekly", "until": until}
    if period.forward_to:
        out["forwardTo"] = period.forward_to
    out["greeting"] = period.greeting
    return out


def dump_availability(user: User) -> dict | None:
    """The switches as stored (an `until` in the past reads as off, but the file keeps what was set)."""
    if not user.dnd and not user.forward_all:
        return None
    out: dict = {"dnd": user.dnd, "forwardAll": user.forward_all}
    out["until"] = user.availability_until.isoformat() if user.availability_until else None
    return out


def refused(error: services.UserError, where: str) -> PbxDataError:
    """The service's refusal of a value of user `where` ("users[3]"), at the path of the file's key."""
    path = f"{where}.{KEYS[error.field]}"
    if error.index is not None:
        path += f"[{error.index}]"
    if error.key is not None:
        path += "." + (addressbook.BY_MODEL[error.key].wire if error.field == "contact" else error.key)
    if error.part is not None:
        path += f".{error.part}"
    return PbxDataError(path, " ".join(error.messages))


def validated(value, path) -> tuple[dict, services.UserRecord]:
    u = USER(value, path)
    # Which of two keys carries a PIN is the file's own form: clear, or the stored forms an export writes.
    if u["pin"] is not None and u["pinHash"] is not None:
        raise PbxDataError(f"{path}.pinHash", "give either pin (clear) or pinHash, not both")
    if u["digestHa1"] is not None and u["pin"] is not None:
        raise PbxDataError(f"{path}.digestHa1", "is computed from pin; give it only with pinHash")
    if u["voicemailPin"] is not None and u["voicemailPinHash"] is not None:
        raise PbxDataError(f"{path}.voicemailPinHash", "give either voicemailPin (clear) or voicemailPinHash")
    try:
        r = services.clean_user(record(u))
    except ValidationError as exc:
        raise refused(services.first_error(exc), path) from None
    # The names as they will be stored: later sections and the dial-plan check look users up by them.
    u["userName"], u["aliases"] = r.username, list(r.aliases)
    u[CHECKED] = r
    periods = []
    for index, item in enumerate(u["awayPeriods"]):
        try:
            periods.append(availability.clean_period(period_data(item), r.time_zone))
        except ValidationError as exc:
            raise period_refused(exc, f"{path}.awayPeriods[{index}]") from None
    try:
        availability.check_periods(periods)
    except services.UserError as exc:
        raise PbxDataError(f"{path}.awayPeriods[{exc.index}].start", " ".join(exc.messages)) from None
    u[CHECKED_PERIODS] = periods
    return u, r


def validate(value, path):
    items = list_of(lambda item, _: item)(value, path)
    checked = [validated(item, f"{path}[{i}]") for i, item in enumerate(items)]
    try:
        services.check_batch([r for _, r in checked], label=lambda i: f"{path}[{i}]")
    except services.UserError as exc:
        raise refused(exc, f"{path}[{exc.item}]") from None
    return [u for u, _ in checked]


# ---- import ------------------------------------------------------------------------------------------------


def clear():
    services.delete_all_users()


def load(users: list[dict], ctx) -> None:
    """Stores the file's users through services.save_users; `ctx.users` then maps their user names to their rows."""
    try:
        records = [u[CHECKED] for u in users]
        rows = services.save_users(records, progress=ctx, check_dialplan=False, checked=True)
    except services.UserError as exc:
        raise refused(exc, f"users[{exc.item}]") from None
    ctx.users = {u["userName"]: row for u, row in zip(users, rows, strict=True)}
    availability.replace_periods({row: u[CHECKED_PERIODS] for u, row in zip(users, rows, strict=True)})
    voicemail.load_greetings(users, ctx)
    phonebooks.load_private(users, ctx)


# ---- export ------------------------------------------------------------------------------------------------


def dump_contact(profile: UserProfile | None) -> dict:
    out = {}
    if profile is None:
        return out
    for f in addressbook.PROFILE_FIELDS:
        value = getattr(profile, f.model)
        if f.kind == addressbook.ADDRESS:
            value = {k: value[k] for k in addressbook.ADDRESS_KEYS if value and value.get(k) is not None}
            if value:
                out[f.wire] = value
        elif f.kind == addressbook.BOOL:
            if value:
                out[f.wire] = True
        elif f.kind == addressbook.SALUTATION:
            if value != DEFAULT_SALUTATION:
                out[f.wire] = value
        elif value is not None:
            out[f.wire] = value
    return out


def dump_secrets(user: User) -> dict:
    """The stored forms of the PINs (never a PIN in clear) and the SIP password."""
    out: dict = {}
    if user.has_usable_password():
        out["pinHash"] = user.password
    ha1: dict[str, str] = {}
    order = {LoginName.Kind.USERNAME: 0, LoginName.Kind.ALIAS: 1, LoginName.Kind.IM: 2}
    for login in sorted(user.login_names.all(), key=lambda n: (order[n.kind], n.pk)):
        if login.digest_ha1 and not ha1.get(login.name):
            ha1[login.name] = login.digest_ha1
    if ha1:
        out["digestHa1"] = ha1
    if user.voicemail_pin_hash:
        out["voicemailPinHash"] = user.voicemail_pin_hash
    if user.sip_password:
        out["sipPassword"] = user.sip_password
    return out


@dataclass
class Related:
    """What dump_user reads of a user's other rows, fetched for many users at once by `related_of`."""

    aliases: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    rings: list[dict] = field(default_factory=list)


def related_of(users) -> dict[int, Related]:
    """The aliases, group names and rings of `users` in three queries of plain values: a page of the admin JSON API
    costs a third of what prefetching model instances costs (Django builds a queryset per user and relation)."""
    ids = [u.pk for u in users]
    out = {pk: Related() for pk in ids}
    aliases = LoginName.objects.filter(user_id__in=ids, kind=LoginName.Kind.ALIAS).order_by("id")
    for user_id, name in aliases.values_list("user_id", "name"):
        out[user_id].aliases.append(name)
    memberships = User.groups.through.objects.filter(user_id__in=ids).values_list("user_id", "usergroup__name")
    for user_id, name in memberships:
        out[user_id].groups.append(name)
    rings = Ring.objects.filter(user_id__in=ids).order_by("position", "id")
    for user_id, *ring in rings.values_list("user_id", "number", "expiration", "type", "enabled"):
        out[user_id].rings.append(dict(zip(("number", "expiration", "type", "enabled"), ring, strict=True)))
    return out


def dump_user(user: User, secrets: bool = True, related: Related | None = None) -> dict:
    """One user; keys at their default are left out, except `permissions` (its default is not empty). Without
    `secrets` (the admin JSON API), the stored forms of PINs, the SIP password and the feed key are left out.
    `related`: the user's aliases, groups and rings as `related_of` fetched them (else read from prefetched rows)."""
    aliases = related.aliases if related is not None else user.aliases
    out: dict = {"userName": user.username}
    if aliases:
        out["aliases"] = aliases
    if user.first_name:
        out["firstName"] = user.first_name
    if user.last_name:
        out["lastName"] = user.last_name
    if secrets:
        out.update(dump_secrets(user))
    if user.im_id:
        out["imId"] = user.im_id
    if user.im_enabled:
        out["imEnabled"] = True
    if user.im_display_name is not None:
        out["imDisplayName"] = user.im_display_name
    if user.is_admin:
        out["admin"] = True
    out["permissions"] = user.permission_names
    groups = sorted(related.groups if related is not None else (g.name for g in user.groups.all()))
    if groups:
        out["groups"] = groups
    if secrets:
        out["feedKey"] = user.feed_key
    contact = dump_contact(getattr(user, "profile", None))
    if contact:
        out["contactInformation"] = contact
    rings = (
        related.rings
        if related is not None
        else [
            {"number": r.number, "expiration": r.expiration, "type": r.type, "enabled": r.enabled}
            for r in sorted(user.rings.all(), key=lambda r: (r.position, r.pk))
        ]
    )
    if rings or user.call_forward_timer != services.DEFAULT_TIMER:
        out["callForwarding"] = {"expiration": user.call_forward_timer, "rings": rings}
    if user.time_zone:
        out["timeZone"] = user.time_zone
    out["language"] = user.language
    switches = dump_availability(user)
    if switches:
        out["availability"] = switches
    return out


def dump():
    users = User.objects.order_by("username").select_related("profile")
    users = users.prefetch_related("login_names", "groups", "rings", "away_periods")
    private = phonebooks.dump_private()
    greetings = voicemail.dump_greetings()
    email_modes = voicemail.dump_email_modes()
    out = []
    for u in users:
        item = dump_user(u)
        periods = sorted(u.away_periods.all(), key=lambda p: (p.start, p.pk))
        if periods:
            item["awayPeriods"] = [dump_period(p) for p in periods]
        if u.pk in greetings:
            item["activeGreeting"] = greetings[u.pk]
        if u.pk in email_modes:
            item[voicemail.EMAIL_KEY] = email_modes[u.pk]
        if u.pk in private:
            item["privatePhonebook"] = private[u.pk]
        out.append(item)
    return out
