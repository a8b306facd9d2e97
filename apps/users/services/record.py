"""A whole user as one value (`UserRecord`, what the data file and the admin JSON API give) and the rules of it that
need no database: `clean_user` (one user's own values, from every topic module's rules) and `check_batch` (users
given together: a login name or a feed key belongs to one of them); and USER_FIELDS, the User columns a record sets
(bulk.py writes them, auditing.py compares them). The writers (user.py, bulk.py) run these rules before they ask
the database."""

from collections.abc import Callable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from apps.users.models import User
from apps.users.services.contact import _person_name_errors, clean_contact
from apps.users.services.errors import UserError, _at, _refuse
from apps.users.services.forwarding import RingData, _forwarding_errors, forward_all_rule, until_rule
from apps.users.services.names import _held_names, _name_errors, _taken_sentence, login_names_of
from apps.users.services.preferences import language_rule, time_zone_rule
from apps.users.services.secrets import HEX32, pin_rule, sip_password_rule, stored_hash_rule, validate_voicemail_pin

DEFAULT_TIMER = User._meta.get_field("call_forward_timer").default


@dataclass
class UserRecord:
    """A whole user, as the data file gives one: save_users replaces the stored user by it (absent values are
    their defaults), except that a stored user keeps its feed key when `feed_key` is None. PINs come in clear
    (`pin`, `voicemail_pin`) or as their stored forms (`pin_hash` with `digest_ha1` per login name,
    `voicemail_pin_hash`), not both; `contact` holds UserProfile fields, the absent ones get their defaults."""

    username: str
    aliases: Sequence[str] = ()
    first_name: str = ""
    last_name: str = ""
    pin: str | None = None
    pin_hash: str | None = None
    digest_ha1: Mapping[str, str] | None = None
    voicemail_pin: str | None = None
    voicemail_pin_hash: str | None = None
    sip_password: str = ""
    im_id: str = ""
    im_enabled: bool = False
    im_display_name: str | None = None
    is_admin: bool = False
    perm_voicemail: bool = True
    perm_attendant_admin: bool = False
    groups: Sequence[str] = ()
    feed_key: str | None = None
    contact: Mapping[str, Any] = field(default_factory=dict)
    forward_timer: int = DEFAULT_TIMER
    rings: Sequence[RingData] = ()
    time_zone: str = ""
    language: str = ""
    dnd: bool = False
    forward_all: str | None = None
    availability_until: Any = None  # an aware datetime or None


USER_FIELDS = [
    "password",
    "first_name",
    "last_name",
    "is_admin",
    "perm_voicemail",
    "perm_attendant_admin",
    "voicemail_pin_hash",
    "sip_password",
    "im_id",
    "im_enabled",
    "im_display_name",
    "feed_key",
    "call_forward_timer",
    "time_zone",
    "language",
    "dnd",
    "forward_all",
    "availability_until",
]


def _pin_errors(r: UserRecord, pin_policy: bool) -> list[UserError]:
    """The portal PIN in clear (by pin_rule, its policy or only the data file's rule), or its stored forms: a hash
    this server understands and an HA1 per login name."""
    if r.pin is not None and r.pin_hash is not None:
        raise ValueError("a PIN comes in clear or as its stored form, not both")
    if r.pin is not None:
        problem = pin_rule(r.pin, [r.username, *r.aliases, r.im_id], policy=pin_policy)
        errors = [UserError(problem, "pin")] if problem else []
        if r.digest_ha1:
            errors.append(UserError("is computed from the clear PIN; give it only with a PIN hash.", "digest_ha1"))
        return errors
    problem = stored_hash_rule(r.pin_hash) if r.pin_hash is not None else None
    errors = [UserError(problem, "pin_hash")] if problem else []
    names = {n for n, _ in login_names_of(r.username, r.aliases, r.im_id, True)}
    for name, ha1 in (r.digest_ha1 or {}).items():
        if name not in names:
            errors.append(UserError(f'"{name}" is not a login name of this user.', "digest_ha1", None, name))
        elif not HEX32.fullmatch(ha1):
            errors.append(UserError(f'"{ha1}" is not of the form [0-9a-f]{{32}}.', "digest_ha1", None, name))
    return errors


def _secret_errors(r: UserRecord) -> list[UserError]:
    """The voicemail PIN (in clear or its stored hash), the SIP password and the feed key."""
    if r.voicemail_pin is not None and r.voicemail_pin_hash is not None:
        raise ValueError("a voicemail PIN comes in clear or as its stored form, not both")
    errors = []
    if r.voicemail_pin is not None:
        try:
            validate_voicemail_pin(SimpleNamespace(username=r.username, aliases=list(r.aliases)), r.voicemail_pin)
        except UserError as exc:
            errors.append(exc)
    problem = stored_hash_rule(r.voicemail_pin_hash) if r.voicemail_pin_hash is not None else None
    if problem:
        errors.append(UserError(problem, "voicemail_pin_hash"))
    problem = sip_password_rule(r.sip_password)
    if problem:
        errors.append(UserError(problem, "sip_password"))
    if r.feed_key is not None and not HEX32.fullmatch(r.feed_key):
        errors.append(UserError(f'"{r.feed_key}" is not of the form [0-9a-f]{{32}}.', "feed_key"))
    return errors


def clean_user(record: UserRecord, pin_policy: bool = False) -> UserRecord:
    """`record` as it would be stored (names, contact text and ring numbers without surrounding white space);
    raises ValidationError keyed by field, of UserErrors, when a value breaks a rule. No queries. `pin_policy`: a
    clear PIN must pass the portal PIN policy (pin_rule); without it (the PBX data file) it is restored as given."""
    r = copy(record)  # a file holds thousands of users: cheaper than dataclasses.replace
    r.username, r.aliases = record.username.strip(), [a.strip() for a in record.aliases]
    r.first_name, r.last_name = record.first_name.strip(), record.last_name.strip()
    r.im_id = record.im_id.strip()
    r.im_display_name = record.im_display_name.strip() if record.im_display_name is not None else None
    r.groups = [g.strip() for g in record.groups]
    errors = _name_errors(r.username, r.aliases, r.im_id)
    errors += _person_name_errors({"first_name": r.first_name, "last_name": r.last_name})
    errors += _person_name_errors({"im_display_name": r.im_display_name})
    errors += _pin_errors(r, pin_policy) + _secret_errors(r)
    for index, group in enumerate(r.groups):
        if group in r.groups[:index]:
            errors.append(UserError(f'group "{group}" is listed twice.', "groups", index))
    try:
        r.contact = clean_contact(r.contact)
    except ValidationError as exc:
        errors += exc.error_list
    errors += _forwarding_errors(r.forward_timer, r.rings)
    problem = time_zone_rule(record.time_zone)
    if problem:
        errors.append(UserError(problem, "time_zone"))
    problem = language_rule(record.language)
    if problem:
        errors.append(UserError(problem, "language"))
    problem = until_rule(record.availability_until)
    if problem:
        errors.append(UserError(problem, "availability_until"))
    if record.forward_all is not None:
        r.forward_all = record.forward_all.strip()
        problem = forward_all_rule(r.forward_all)
        if problem:
            errors.append(UserError(problem, "forward_all"))
    _refuse(errors)
    r.rings = [RingData(ring.number.strip(), ring.expiration, ring.type, ring.enabled) for ring in r.rings]
    return r


def check_batch(records: Sequence[UserRecord], label: Callable[[int], str]) -> None:
    """Users given together: each login name (user name, alias, IM id) and each feed key belongs to one of them.
    `label(i)` names record i ("users[0]"), the sentence ends with it (no full stop: the data file's errors end
    with the path they name). Raises the first clash, `item` set. No queries."""
    owners: dict[str, tuple[int, str]] = {}  # folded name -> (record, "name" | "im")
    feed_keys: dict[str, int] = {}
    for item, r in enumerate(records):
        for field_name, name, index in _held_names(r.username, r.aliases, r.im_id):
            kind = "im" if field_name == "im_id" else "name"
            other = owners.get(name.lower())
            if other is not None and other[0] != item:
                sentence = _taken_sentence(name, other[1], label(other[0])).rstrip(".")
                raise _at(UserError(sentence, field_name, index), item)
            if other is None or kind == "name":  # a name and the same user's IM id: the name is what clashes
                owners[name.lower()] = (item, kind)
        if r.feed_key is not None:
            if r.feed_key in feed_keys:
                message = gettext("is already the feed key of %(owner)s") % {"owner": label(feed_keys[r.feed_key])}
                raise _at(UserError(message, "feed_key"), item)
            feed_keys[r.feed_key] = item
