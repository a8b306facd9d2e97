"""Business rules for users and groups, shared by the HTML pages, the REST views and the PBX data file.

Every change of a user goes through here, so that the stored forms (Django hash, one Digest HA1 per login name,
hashed voicemail PIN) never drift apart, and a value is accepted or refused by the same rules whichever way it
arrives:

* the rules, without the database: `clean_user` (one user's own values), `check_batch` (users given together),
  `pin_rule` (the portal PIN policy), `clean_contact`, `validate_forwarding` (with `forward_number_rule`, what a
  ring may call), `validate_voicemail_pin`, `clean_group`;
* the rules that ask the database (a login name belongs to one user, feed keys, group names, the dial plan) inside
  the writers below;
* one user at a time (pages, REST): `save_user`, `set_voicemail_pin`, `set_forwarding`, `save_contact`,
  `save_group`, `regenerate_feed_key`;
* a whole file (the PBX data file): `save_users` and `save_groups`, a fixed number of queries per batch.

A refusal is a `UserError` naming the field at fault (the UserRecord field; the HTML forms use the same names), so
pages show it next to the field and the data file names the path of the offending key."""

import functools
import hashlib
import os
import re
import time
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass, field
from itertools import batched
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from apps.audit import services as audit
from apps.users import addressbook
from apps.users.models import LoginName, Ring, User, UserGroup, UserProfile, new_feed_key
from sipxweb import dialplan
from sipxweb.text import text_problem_sentence

TEXT_MAX = 255  # every text column of a user, a profile, a ring and a group
BATCH = 500  # rows per bulk statement
CHUNK = 900  # values per IN (...): databases bound the parameters of one statement
HEX32 = re.compile("[0-9a-f]{32}")  # a feed key (new_feed_key) and a Digest HA1 (MD5)
DEFAULT_TIMER = User._meta.get_field("call_forward_timer").default


class UserError(ValidationError):
    """A refused value. `field` is the UserRecord field (the forms' field of the same name); `index` the item of
    a list field (an alias, a ring, a group); `key` a part of it (a ring's attribute, a contact field, a login name
    of `digest_ha1`) and `part` an address key. In a batch, `item` is the record's index."""

    def __init__(self, message: str, field: str, index=None, key=None, part=None, code=None):
        super().__init__(message, code=code)
        self.field, self.index, self.key, self.part, self.item = field, index, key, part, None


def _at(error: UserError, item: int) -> UserError:
    """`error` as the refusal of item `item` of a batch."""
    error.item = item
    return error


def by_field(errors: Sequence[UserError]) -> ValidationError:
    """The errors as one ValidationError keyed by field, as forms show them."""
    grouped: dict[str, list[UserError]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error)
    return ValidationError(grouped)


def first_error(exc: ValidationError) -> UserError:
    """The first UserError of a refusal raised here (the data file names one path)."""
    errors = exc.error_list if not hasattr(exc, "error_dict") else [e for v in exc.error_dict.values() for e in v]
    return next(e for e in errors if isinstance(e, UserError))


def _refuse(errors: list[UserError]) -> None:
    if errors:
        raise by_field(errors)


def text_rule(value: str, what: str) -> str | None:
    """Why `value` cannot be stored in a text column (too long, NUL, a lone surrogate), or None. `what` is the
    sentence's subject in the active language ("The user name", or a wire name)."""
    if len(value) > TEXT_MAX:
        return gettext("%(subject)s is longer than %(n)s characters.") % {"subject": what, "n": TEXT_MAX}
    return text_problem_sentence(value, what)


def digest_ha1(name: str, pin: str, realm: str | None = None) -> str:
    """HA1 of RFC 2617 Digest: MD5(name:realm:password)."""
    return hashlib.md5(f"{name}:{realm or settings.SIPX_REALM}:{pin}".encode()).hexdigest()


# ---- login names ---------------------------------------------------------------------------------------------
# The user name, the aliases and the IM id are login names (apps.users.credentials): each belongs to one user,
# ignoring case. The user name and the aliases are also dialled, so they share the dial plan with other apps; an
# IM id is the local part of an XMPP address (RFC 7622: no spaces, no "@") and nobody dials it.


_SPACE_OR_AT = re.compile(r"[\s@]")  # \s: exactly the characters str.isspace() calls white space


def login_name_rule(name: str, what: str) -> str | None:
    """Why `name` (already stripped) cannot be a login name, or None."""
    if not name:
        return gettext("%(subject)s may not be empty.") % {"subject": what}
    problem = text_rule(name, what)
    if problem:
        return problem
    if _SPACE_OR_AT.search(name):
        return gettext("\"%(name)s\" may not contain spaces or '@'.") % {"name": name}
    return None


def _name_errors(username: str, aliases: Sequence[str], im_id: str) -> list[UserError]:
    errors = []
    problem = (
        gettext("A user name is required.") if not username else login_name_rule(username, gettext("The user name"))
    )
    if problem:
        errors.append(UserError(problem, "username"))
    seen = {username.lower()}
    for index, alias in enumerate(aliases):
        problem = login_name_rule(alias, gettext("An alias"))
        if problem is None and alias.lower() == username.lower():
            problem = gettext('"%(alias)s" is listed twice for this user (names ignore case).') % {"alias": alias}
        elif problem is None and alias.lower() in seen:
            problem = gettext('alias "%(alias)s" is listed twice (names ignore case).') % {"alias": alias}
        if problem:
            errors.append(UserError(problem, "aliases", index))
        seen.add(alias.lower())
    if im_id:  # the user's own user name or alias may be its IM id too
        problem = login_name_rule(im_id, gettext("The IM id"))
        if problem:
            errors.append(UserError(problem, "im_id"))
    return errors


def login_names_of(username: str, aliases: Sequence[str], im_id: str, im_enabled: bool) -> list[tuple[str, str]]:
    """(name, kind) of every login name a user has: the user name, the aliases, the IM id while IM is enabled."""
    names = [(username, LoginName.Kind.USERNAME)] + [(a, LoginName.Kind.ALIAS) for a in aliases]
    if im_id and im_enabled:
        names.append((im_id, LoginName.Kind.IM))
    return names


def _held_names(username: str, aliases: Sequence[str], im_id: str) -> list[tuple[str, str, int | None]]:
    """(field, name, index) of the names a user holds against every other user: with the IM id even while IM is
    off (turning IM on must not make a name ambiguous)."""
    held = [("username", username, None)] + [("aliases", a, i) for i, a in enumerate(aliases)]
    return held + ([("im_id", im_id, None)] if im_id else [])


def _owners(folded: Iterable[str]) -> dict[str, list[tuple[int, str, str]]]:
    """{folded name: [(user id, user name, "name" | "im")]} of the stored users holding it: a user name or alias,
    or an IM id (enabled or not). Two queries per CHUNK names."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    for chunk in batched(sorted(set(folded)), CHUNK):
        names = LoginName.objects.filter(folded__in=chunk).exclude(kind=LoginName.Kind.IM)
        for name, user_id, username in names.values_list("folded", "user_id", "user__username"):
            found.setdefault(name, []).append((user_id, username, "name"))
        ims = User.objects.exclude(im_id="").annotate(folded_im=Lower("im_id")).filter(folded_im__in=chunk)
        for name, user_id, username in ims.values_list("folded_im", "pk", "username"):
            found.setdefault(name, []).append((user_id, username, "im"))
    return found


def _taken_sentence(name: str, kind: str, owner: str) -> str:
    """`owner`: who holds it ('user "alice"', or a data file's path), in the active language."""
    if kind == "im":
        return gettext('"%(name)s" is already the IM id of %(owner)s.') % {"name": name, "owner": owner}
    return gettext('"%(name)s" is already the user name or an alias of %(owner)s.') % {"name": name, "owner": owner}


def _user_named(username: str) -> str:
    return gettext('user "%(name)s"') % {"name": username}


def name_taken(name: str, exclude_user: User | None = None) -> bool:
    """True when `name` is already some (other) user's name, alias or IM id, ignoring case."""
    exclude = exclude_user.pk if exclude_user is not None else None
    return any(user_id != exclude for user_id, _, _ in _owners([name.lower()]).get(name.lower(), []))


def _stored_clashes(people: Sequence[tuple[str, Sequence[str], str]], changing: set[int]) -> list[UserError]:
    """The names of `people` (user name, aliases, IM id) that a stored user holds who is not being changed with
    them (`changing`: user ids; a batch may move a name between its users); `item` is the person's index."""
    held = [_held_names(*p) for p in people]
    owners = _owners(name.lower() for names in held for _, name, _ in names)
    errors = []
    for item, names in enumerate(held):
        for field_name, name, index in names:
            others = [o for o in owners.get(name.lower(), []) if o[0] not in changing]
            if others:
                _, username, kind = min(others, key=lambda o: o[2] == "im")  # a user name or alias first
                errors.append(
                    _at(UserError(_taken_sentence(name, kind, _user_named(username)), field_name, index), item)
                )
    return errors


def _dialplan_clashes(people: Sequence[tuple[str, Sequence[str]]]) -> list[UserError]:
    """Another app's dialable name (a conference's extension) would make calls to this one ambiguous. `people`:
    (user name, aliases) each; `item` is the person's index. One query per app and CHUNK names."""
    elsewhere = dialplan.held_elsewhere([n for username, aliases in people for n in [username, *aliases]], "users")
    errors = []
    for item, (username, aliases) in enumerate(people):
        for field_name, name, index in [("username", username, None)] + [
            ("aliases", a, i) for i, a in enumerate(aliases)
        ]:
            if name.lower() in elsewhere:
                sentence = gettext('"%(name)s" is %(what)s.') % {
                    "name": name,
                    "what": gettext(elsewhere[name.lower()].what),
                }
                errors.append(_at(UserError(sentence, field_name, index), item))
    return errors


# ---- PINs and passwords --------------------------------------------------------------------------------------

# English (the APIs' refusal, tests); VOICEMAIL_PIN_HELP is it in the page's language (a form's help text).
VOICEMAIL_PIN_RULE = gettext_noop(
    "A voicemail PIN is 4 to 10 digits, not all the same digit, and not your own extension."
)
VOICEMAIL_PIN_HELP = lazy(lambda: gettext(VOICEMAIL_PIN_RULE), str)()


# The portal PIN policy (docs/operations.md, "The portal PIN policy"). The portal PIN is the password of the pages,
# of every sipXconfig URI (Basic and Digest) and of the admin JSON API, so a PIN guessed is the account taken.
# At least 4 characters: with the lockout (D7: 10 failures per account and address in 15 minutes) a 3-character
# PIN of digits (1,000 values) falls to one address in about a day, 4 digits take ten times as long, and 4 is the
# shortest PIN people already type on a phone keypad (the voicemail PIN, D5). The first PINs an attacker tries are
# not left to chance: one character repeated (1111), a run of digits (1234, 4321, 7890), the user's own extension
# or login names, and the PINs printed in the demo data (apps/pbxdata/demo/demo-pbx.json), which anyone can read.
PIN_MIN_LENGTH = 4
# Without example PINs: a page showing it must never seem to echo a PIN typed.
_PIN_RULE = gettext_noop(
    "At least %(n)s characters; not one character repeated, not consecutive digits up or down, not your "
    "own extension, alias or IM id, and not a PIN of the demo data."
)
PIN_RULE = _PIN_RULE % {"n": PIN_MIN_LENGTH}  # English; PIN_HELP in the page's language (a form's help text)
PIN_HELP = lazy(lambda: gettext(_PIN_RULE) % {"n": PIN_MIN_LENGTH}, str)()
# The clear PINs of the demo data file that no run or repetition already catches ("1234" is a run).
DEMO_PINS = frozenset({"admin1234"})


def _digit_run(pin: str) -> bool:
    """1234, 4321, 7890, 0987: every digit one more (or one less) than the one before, 9 and 0 neighbours."""
    if not (pin.isascii() and pin.isdigit()):
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {9})


def pin_rule(pin: str, names: Iterable[str] = (), policy: bool = True) -> str | None:
    """Why `pin` cannot become a portal PIN, or None. Every path that sets a portal PIN asks this: the user pages,
    the portal's Change PIN page, the admin JSON API (through save_users) and the PBX data file. `names` are the
    login names the user will have (user name, aliases, IM id).

    `policy=False` is the PBX data file's: its clear PINs are restored as given (any text that is not blank, at most
    255 characters), because the demo file, and files written for sipXconfig, carry PINs such as 1234 that the
    policy refuses (docs/operations.md)."""
    if not pin.strip():
        return gettext("A PIN may not be empty or only spaces.")
    problem = text_rule(pin, gettext("The PIN"))
    if problem or not policy:
        return problem
    if len(pin) < PIN_MIN_LENGTH:
        return gettext("A portal PIN needs at least %(n)s characters.") % {"n": PIN_MIN_LENGTH}
    if len(set(pin)) == 1:
        return gettext("A portal PIN may not repeat one character only.")
    if _digit_run(pin):
        return gettext("A portal PIN may not be a run of digits such as 1234 or 4321.")
    if pin.casefold() in {name.casefold() for name in names if name}:
        return gettext("A portal PIN may not be your own extension, alias or IM id.")
    if pin in DEMO_PINS:
        return gettext("This PIN is printed in the demo data; choose another.")
    return None


def stored_hash_rule(value: str) -> str | None:
    """A stored PIN hash (a restore) must be one of PASSWORD_HASHERS, or nobody could ever log in with it."""
    try:
        identify_hasher(value)
    except ValueError:
        return "is not a PIN hash this server understands (check PASSWORD_HASHERS)."
    return None


def sip_password_rule(password: str) -> str | None:
    """The SIP password is kept recoverable (phones and /my/logindetails need it); empty means none."""
    return text_rule(password, gettext("The SIP password"))


def validate_voicemail_pin(user, pin: str) -> None:
    """D5: 4-10 digits, not all one digit, not the user's own extension (user name or an alias). `user` is
    anything with `username` and `aliases` (the names it will have)."""
    if not pin.isascii() or not pin.isdigit() or not 4 <= len(pin) <= 10:
        raise UserError(gettext(VOICEMAIL_PIN_RULE), "voicemail_pin", code="pin_format")
    if len(set(pin)) == 1:
        raise UserError(gettext("A voicemail PIN may not repeat one digit only."), "voicemail_pin", code="pin_trivial")
    if pin == user.username or pin in user.aliases:
        raise UserError(
            gettext("A voicemail PIN may not be your own extension."), "voicemail_pin", code="pin_extension"
        )


@transaction.atomic
def set_voicemail_pin(user: User, pin: str) -> None:
    validate_voicemail_pin(user, pin)
    before = user.voicemail_pin_hash
    user.voicemail_pin_hash = make_password(pin)
    user.save(update_fields=["voicemail_pin_hash"])
    # Masked in the log; a new salt makes every hash differ, so setting the same PIN again is still told.
    audit.record("user", user.username, {"voicemail_pin_hash": before}, {"voicemail_pin_hash": user.voicemail_pin_hash})


def set_portal_pin(user: User, pin: str) -> None:
    """Sets the portal PIN by the policy (pin_rule): Django hash for Basic and the login form, HA1 per login name for
    Digest (save_user records the change). Raises ValidationError keyed "pin"."""
    save_user(user, pin=pin)


@transaction.atomic
def regenerate_feed_key(user: User) -> str:
    """D9: a new key for the `/private/{key}/...` URLs; the old URLs then answer 404."""
    before = user.feed_key
    user.feed_key = new_feed_key()
    user.save(update_fields=["feed_key"])
    audit.record("user", user.username, {"feed_key": before}, {"feed_key": user.feed_key})
    return user.feed_key


# ---- call forwarding -----------------------------------------------------------------------------------------


@dataclass
class RingData:
    number: str
    expiration: int = 30
    type: str = Ring.Type.DELAYED
    enabled: bool = True


FORWARD_TIMER_RANGE = (1, 999)
RING_EXPIRATION_RANGE = (1, 999)
# Rings in one user's forwarding list. sipXconfig set no bound; ten numbers rung one after another at up to
# 999 s each is already more than a caller waits through, and the list is read on every call. A property of
# the stored list, so REST, the portal page and the data file all refuse more through ring_count_problem.
MAX_RINGS = 10
_RING_TYPES = tuple(Ring.Type.values)


# What a ring may call (the sipproxy rings it as `sip:<number>@<domain>` unless it is a SIP URI): a number (digits,
# a leading +, * and #), an extension or a login name (a SIP user part: nothing a URI would need to escape) or a SIP
# URI. White space is in none of them, so "my cell phone" is refused, and so is "+1 617 555 0142" (with a hint to
# write it without spaces: the value is stored as given, as sipXconfig clients read it back).
_SIP_URI = re.compile(r"sips?:[^@\s<>\"]+@[A-Za-z0-9.\-]+(:\d{1,5})?(;[^\s<>\"]*)?", re.IGNORECASE)
_USER_PART = re.compile(r"[^\s@<>\"\\]+")
_DIALLED = re.compile(r"\+?[0-9*#]+")
_SPACED_NUMBER = re.compile(r"\+?[0-9*#][0-9*#\s().\-/]*")


def forward_number_rule(number: str) -> str | None:
    """Why `number` (stripped) is no ring target, or None: the one rule of the portal's ring list, PUT /my/forward,
    the PBX data file and the admin JSON API."""
    if number.lower().startswith(("sip:", "sips:")):
        if _SIP_URI.fullmatch(number):
            return None
        return gettext('"%(number)s" is not a SIP URI of the form sip:user@host.') % {"number": number}
    if _DIALLED.fullmatch(number) or _USER_PART.fullmatch(number):
        return None
    if _SPACED_NUMBER.fullmatch(number):
        bare = re.sub(r"[\s().\-/]", "", number)
        return gettext('"%(number)s": write the number without spaces, e.g. %(bare)s.') % {
            "number": number,
            "bare": bare,
        }
    return gettext('"%(number)s" is not a phone number, an extension or a SIP URI (sip:user@host).') % {
        "number": number
    }


def forward_all_rule(number: str) -> str | None:
    """Why `number` (stripped) cannot be the forward-all target, or None: a ring's number (forward_number_rule)."""
    if not number:
        return gettext("a number is required to forward all calls (or switch forwarding off).")
    return text_rule(number, gettext("The forward-all number")) or forward_number_rule(number)


def until_rule(value) -> str | None:
    """Why an aware date and time cannot end the availability switches (a year this server cannot store), or None."""
    if value is not None and not 1970 < value.year < 3000:
        return gettext("The end time must be a date between the years 1970 and 2999.")
    return None


def time_zone_rule(name: str) -> str | None:
    """Why `name` is no time zone this server knows (IANA names such as Europe/Berlin), or None; "" is the server's
    default zone (settings.TIME_ZONE)."""
    if name == "":
        return None
    problem = text_rule(name, gettext("The time zone"))
    if problem:
        return problem
    if name not in available_time_zones():
        return gettext('"%(name)s" is not a time zone name (such as Europe/Berlin or America/New_York).') % {
            "name": name
        }
    return None


def language_rule(code: str) -> str | None:
    """Why `code` is no language of the pages (settings.LANGUAGES: en, de), or None; "" is the browser's choice."""
    from django.conf import settings

    if code == "" or code in dict(settings.LANGUAGES):
        return None
    names = ", ".join(f'"{c}"' for c, _ in settings.LANGUAGES)
    return gettext('"%(code)s" is not a language of the pages (%(names)s, or "" for the browser\'s).') % {
        "code": code,
        "names": names,
    }


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def ring_count_problem(count: int) -> str | None:
    """The sentence refusing a forwarding list of `count` rings, or None when it may be stored."""
    if count > MAX_RINGS:
        return gettext("A forwarding list holds at most %(most)s rings; this one has %(count)s.") % {
            "most": MAX_RINGS,
            "count": count,
        }
    return None


def _forwarding_errors(timer: int | None, rings: Sequence[RingData]) -> list[UserError]:
    # Counted before the rings are looked at: eleven numbers are refused as a list, not ring by ring.
    too_many = ring_count_problem(len(rings))
    if too_many:
        return [UserError(too_many, "rings")]
    errors = []
    lo, hi = FORWARD_TIMER_RANGE
    if timer is not None and not lo <= timer <= hi:
        message = gettext(
            "expiration (ring my phones for) must be between %(lo)s and %(hi)s seconds, not %(value)s."
        ) % {"lo": lo, "hi": hi, "value": timer}
        errors.append(UserError(message, "forward_timer"))
    lo, hi = RING_EXPIRATION_RANGE
    for i, ring in enumerate(rings):
        number = (ring.number or "").strip()
        ring_no = {"n": i + 1}
        problem = (
            gettext("ring %(n)s: a number is required.") % ring_no
            if not number
            else text_rule(number, gettext("ring %(n)s: the number") % ring_no)
        )
        if problem is None:
            problem = forward_number_rule(number)
            problem = gettext("ring %(n)s: %(problem)s") % {**ring_no, "problem": problem} if problem else None
        if problem:
            errors.append(UserError(problem, "rings", i, "number"))
        if not lo <= ring.expiration <= hi:
            message = gettext("ring %(n)s: expiration must be between %(lo)s and %(hi)s seconds, not %(value)s.") % {
                **ring_no,
                "lo": lo,
                "hi": hi,
                "value": ring.expiration,
            }
            errors.append(UserError(message, "rings", i, "expiration"))
        if ring.type not in _RING_TYPES:
            message = gettext('ring %(n)s: type "%(type)s" is not one of "If no response", "At the same time".') % {
                **ring_no,
                "type": ring.type,
            }
            errors.append(UserError(message, "rings", i, "type"))
    return errors


def validate_forwarding(timer: int | None, rings: Iterable[RingData]) -> None:
    """Raises ValidationError (a list of UserErrors) when the timer or the ring list may not be stored."""
    errors = _forwarding_errors(timer, list(rings))
    if errors:
        raise ValidationError(errors)


def _ring_rows(user_id: int, rings: Sequence[RingData]) -> list[Ring]:
    return [
        Ring(
            user_id=user_id,
            position=i,
            number=r.number.strip(),
            expiration=r.expiration,
            type=r.type,
            enabled=r.enabled,
        )
        for i, r in enumerate(rings)
    ]


def _ring_fields(ring) -> dict[str, Any]:
    """A ring as the audit log shows it (a stored Ring or a RingData)."""
    return {"number": ring.number.strip(), "expiration": ring.expiration, "type": ring.type, "enabled": ring.enabled}


@transaction.atomic
def set_forwarding(user: User, timer: int | None, rings: Sequence[RingData]) -> None:
    """Replaces the ring list (in the given order) and, when `timer` is given, the forward timer."""
    validate_forwarding(timer, rings)
    before = {"call_forward_timer": user.call_forward_timer, "rings": [_ring_fields(r) for r in user.rings.all()]}
    if timer is not None:
        user.call_forward_timer = timer
        user.save(update_fields=["call_forward_timer"])
    user.rings.all().delete()
    Ring.objects.bulk_create(_ring_rows(user.pk, rings))
    after = {"call_forward_timer": user.call_forward_timer, "rings": [_ring_fields(r) for r in rings]}
    audit.record("user", user.username, before, after)


# ---- contact information -------------------------------------------------------------------------------------
# The profile's fields, kinds and wire names come from the one address-book table (apps.users.addressbook). Text
# is stored without surrounding white space (what the forms and the REST serializers already give); an address
# keeps its values as given, without the keys that are None.

CONTACT_FIELDS = {f.model: f for f in addressbook.PROFILE_FIELDS}
_SALUTATIONS = tuple(UserProfile.Salutation.values)
_TEXT_KINDS = (addressbook.TEXT, addressbook.EMAIL)


def contact_defaults() -> dict[str, Any]:
    """Every contact field at its default: what a profile holds when nothing was given."""
    defaults = {}
    for name in CONTACT_FIELDS:
        model_field = UserProfile._meta.get_field(name)
        defaults[name] = None if model_field.null else model_field.get_default()
    return defaults


def _address(name: str, value) -> tuple[dict, list[UserError]]:
    if not value:  # None or {}: no address
        return {}, []
    if not isinstance(value, Mapping):
        return {}, [
            UserError(
                gettext("An address has the parts %(parts)s.") % {"parts": ", ".join(addressbook.ADDRESS_KEYS)},
                "contact",
                None,
                name,
            )
        ]
    errors, clean = [], {}
    for key, part in value.items():
        if key not in addressbook.ADDRESS_KEYS:
            message = gettext('Unknown address part "%(key)s"; expected some of: %(parts)s.') % {
                "key": key,
                "parts": ", ".join(addressbook.ADDRESS_KEYS),
            }
            errors.append(UserError(message, "contact", None, name, key))
        elif part is not None:
            problem = gettext("must be text.") if not isinstance(part, str) else text_rule(part, key)
            if problem:
                errors.append(UserError(problem, "contact", None, name, key))
            clean[key] = part
    return {k: clean[k] for k in addressbook.ADDRESS_KEYS if k in clean}, errors


def clean_contact(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (UserProfile field -> value) as stored; raises ValidationError (UserErrors on field "contact", the
    profile field in `key`, an address part in `part`)."""
    clean, errors = {}, []
    for name, value in values.items():
        kind = CONTACT_FIELDS[name].kind  # an unknown field is the caller's mistake: KeyError
        if value is None and kind in _TEXT_KINDS:  # most fields of most users: checked first
            clean[name] = None
        elif kind == addressbook.ADDRESS:
            clean[name], found = _address(name, value)
            errors += found
        elif kind == addressbook.BOOL:
            clean[name] = bool(value)
        elif kind == addressbook.SALUTATION:
            if value not in _SALUTATIONS:
                message = gettext('"%(value)s" is not one of %(choices)s.') % {
                    "value": value,
                    "choices": ", ".join(_SALUTATIONS),
                }
                errors.append(UserError(message, "contact", None, name))
            clean[name] = value
        else:
            clean[name] = value = value.strip()
            problem = text_rule(value, addressbook.BY_MODEL[name].wire)
            if problem is None and kind == addressbook.EMAIL and value:
                try:
                    validate_email(value)
                except ValidationError as exc:
                    problem = " ".join(exc.messages)
            if problem:
                errors.append(UserError(problem, "contact", None, name))
    if errors:
        raise ValidationError(errors)
    return clean


def _person_name_errors(values: Mapping[str, str | None]) -> list[UserError]:
    labels = {
        "first_name": gettext_noop("The first name"),
        "last_name": gettext_noop("The last name"),
        "im_display_name": gettext_noop("The IM display name"),
    }
    errors = []
    for name, value in values.items():
        problem = text_rule(value, gettext(labels[name])) if value else None
        if problem:
            errors.append(UserError(problem, name))
    return errors


@transaction.atomic
def save_contact(
    profile: UserProfile, values: Mapping[str, Any], first_name: str | None, last_name: str | None
) -> UserProfile:
    """Changes the contact fields in `values` (the others keep theirs) and the first and last name of the profile's
    user; the profile's timestamp becomes now. The portal page and PUT /my/contact-information store through here."""
    names = {"first_name": (first_name or "").strip(), "last_name": (last_name or "").strip()}
    errors = _person_name_errors(names)
    try:
        values = clean_contact(values)
    except ValidationError as exc:
        errors += exc.error_list
    _refuse(errors)
    before = _stored_contact(profile, [*values, *names])
    for name, value in values.items():
        setattr(profile, name, value)
    profile.timestamp = _now_ms()
    profile.save()
    user = profile.user
    user.first_name, user.last_name = names["first_name"], names["last_name"]
    user.save(update_fields=["first_name", "last_name"])
    audit.record("user", user.username, before, {**values, **names})
    return profile


def _stored_contact(profile: UserProfile, fields: Sequence[str]) -> dict[str, Any]:
    """The stored values of a profile's `fields` (first and last name from its user), read again: a form has
    already set its values on the instance it edits. One query."""
    columns = {name: f"user__{name}" if name in ("first_name", "last_name") else name for name in fields}
    row = UserProfile.objects.filter(pk=profile.pk).values(*columns.values()).first() if profile.pk else None
    return {name: (row or {}).get(column) for name, column in columns.items()}


def _now_ms() -> int:
    """The contact information's timestamp (sipXconfig's, epoch milliseconds)."""
    return int(time.time() * 1000)


# ---- groups --------------------------------------------------------------------------------------------------


@dataclass
class GroupData:
    name: str
    description: str = ""


def clean_group(data: GroupData) -> GroupData:
    """The group as stored (name and description without surrounding white space); raises ValidationError keyed
    by "name"/"description"."""
    name, description = data.name.strip(), (data.description or "").strip()
    errors = []
    problem = gettext("A group needs a name.") if not name else text_rule(name, gettext("The name"))
    if problem:
        errors.append(UserError(problem, "name"))
    problem = text_rule(description, gettext("The description"))
    if problem:
        errors.append(UserError(problem, "description"))
    _refuse(errors)
    return GroupData(name, description)


@transaction.atomic
def save_group(group: UserGroup) -> UserGroup:
    """Creates or changes one group (the group pages); its name may not be another group's."""
    data = clean_group(GroupData(group.name, group.description))
    if UserGroup.objects.filter(name=data.name).exclude(pk=group.pk).exists():
        raise by_field([UserError(gettext('There is already a group named "%(name)s".') % {"name": data.name}, "name")])
    before = {"name": group.name, "description": group.description} if group.pk else None
    if before is not None:
        stored = UserGroup.objects.get(pk=group.pk)
        before = {"name": stored.name, "description": stored.description}
    group.name, group.description = data.name, data.description
    group.save()
    audit.record("group", group.name, before, {"name": group.name, "description": group.description})
    return group


@transaction.atomic
def delete_group(group: UserGroup) -> None:
    before = {"name": group.name, "description": group.description}
    group.delete()
    audit.record("group", before["name"], before, None)


def save_groups(items: Sequence[GroupData]) -> dict[str, UserGroup]:
    """Creates the groups of `items` whose name is new and changes the description of the others (a file matches
    groups by name); the first bad item raises its UserError with `item` set. Three queries for any number."""
    cleaned = []
    for index, item in enumerate(items):
        try:
            cleaned.append(clean_group(item))
        except ValidationError as exc:
            raise _at(first_error(exc), index) from None
    existing = {g.name: g for g in UserGroup.objects.all()}
    new, changed = [], []
    for data in cleaned:
        row = existing.get(data.name)
        if row is None:
            new.append(row := UserGroup(name=data.name, description=data.description))
            existing[data.name] = row
        elif row.description != data.description:
            row.description = data.description
            changed.append(row)
    old_descriptions = {g.name: g.description for g in UserGroup.objects.filter(pk__in=[g.pk for g in changed])}
    UserGroup.objects.bulk_create(new, batch_size=BATCH)
    UserGroup.objects.bulk_update(changed, ["description"], batch_size=BATCH)
    audit.record_many(
        audit.Change(
            "group",
            g.name,
            None if g in new else {"name": g.name, "description": old_descriptions[g.name]},
            {"name": g.name, "description": g.description},
        )
        for g in [*new, *changed]
    )
    return {g.name: g for g in UserGroup.objects.all()}


def delete_all_groups() -> None:
    groups = list(UserGroup.objects.values("name", "description"))
    UserGroup.objects.all().delete()
    audit.record_many(audit.Change("group", g["name"], g, None) for g in groups)


# ---- one user ------------------------------------------------------------------------------------------------


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


@transaction.atomic
def save_user(
    user: User,
    aliases: Sequence[str] | None = None,
    pin: str | None = None,
    voicemail_pin: str | None = None,
    groups: Iterable[UserGroup] | None = None,
    pin_policy: bool = True,
) -> User:
    """Saves `user` (its fields as set on it) with its login names. `aliases=None` keeps the current aliases;
    `pin` (clear text) sets the portal PIN, by the PIN policy unless `pin_policy=False`; `voicemail_pin` the
    voicemail PIN; `groups=None` keeps the groups. Raises ValidationError keyed by field (UserErrors) when a rule
    refuses a value; nothing is stored then."""
    if aliases is None:
        aliases = user.aliases if user.pk else []
    record = UserRecord(
        username=user.username,
        aliases=list(aliases),
        first_name=user.first_name,
        last_name=user.last_name,
        pin=pin,
        voicemail_pin=voicemail_pin,
        sip_password=user.sip_password,
        im_id=user.im_id,
        im_enabled=user.im_enabled,
        im_display_name=user.im_display_name,
        time_zone=user.time_zone,
        language=user.language,
    )
    r = clean_user(record, pin_policy=pin_policy)
    errors = _stored_clashes([(r.username, r.aliases, r.im_id)], {user.pk} if user.pk else set())
    _refuse(errors + _dialplan_clashes([(r.username, r.aliases)]))
    user.username, user.first_name, user.last_name = r.username, r.first_name, r.last_name
    user.im_id, user.im_display_name = r.im_id, r.im_display_name
    if pin is not None:
        user.password = make_password(pin)
    elif not user.password:
        user.set_unusable_password()
    if voicemail_pin is not None:
        user.voicemail_pin_hash = make_password(voicemail_pin)
    before = _audited_before([User.objects.get(pk=user.pk)]).get(user.pk) if user.pk else None
    user.save()
    UserProfile.objects.get_or_create(user=user)
    _sync_login_names(user, r.aliases, pin)
    if groups is not None:
        user.groups.set(groups)
    after_groups = [g.name for g in user.groups.all()] if groups is None else [g.name for g in groups]
    audit.record("user", user.username, before, audit_fields(user, r.aliases, after_groups if user.pk else []))
    return user


def create_user(username: str, pin: str | None = None, aliases: Sequence[str] = (), **fields) -> User:
    """A new user from code (tests, the model manager): the PIN as given, as the data file restores one. The pages
    and the APIs, where people choose PINs, go through save_user and save_users with the PIN policy."""
    return save_user(User(username=username, **fields), aliases=list(aliases), pin=pin, pin_policy=False)


def _sync_login_names(user: User, aliases: Sequence[str], pin: str | None) -> None:
    """Rewrites the user's login names. HA1 values survive for names that stay; new names get one only
    when the clear PIN is at hand (a new alias works with Basic at once, with Digest after the next PIN change)."""
    old = {(n.name, n.kind): n.digest_ha1 for n in user.login_names.all()}
    user.login_names.all().delete()
    rows = []
    for name, kind in login_names_of(user.username, aliases, user.im_id, user.im_enabled):
        ha1 = digest_ha1(name, pin) if pin is not None else old.get((name, kind), "")
        rows.append(LoginName(user=user, name=name, folded=name.lower(), kind=kind, digest_ha1=ha1))
    LoginName.objects.bulk_create(rows)
    if hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache.pop("login_names", None)


# ---- a whole file of users -----------------------------------------------------------------------------------


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


class Progress:
    """What save_users reports to (the data file's progress bar): stages and steps; silent by default."""

    def stage(self, label: str, total: int) -> None:
        pass

    def step(self, n: int = 1) -> None:
        pass


def _hash_pins(pins: list[str], progress: Progress) -> list[str]:
    """Django hashes of clear PINs, on as many threads as there are CPUs (the hasher releases the GIL): the one
    slow step of a file with clear PINs, slow on purpose."""
    if not pins:
        return []
    progress.stage("hashing PINs", len(pins))
    out = []
    with ThreadPoolExecutor(max_workers=min(len(pins), os.cpu_count() or 1, 8)) as pool:
        for hashed in pool.map(make_password, pins):
            out.append(hashed)
            progress.step()
    return out


def _fetch(queryset, lookup: str, values: Iterable) -> list:
    """queryset.filter(lookup=chunk) for each chunk of values, concatenated."""
    return [row for chunk in batched(list(values), CHUNK) for row in queryset.filter(**{lookup: chunk})]


def _update_rows(model, rows: list, fields: list[str]) -> None:
    """UPDATE each row's `fields` by primary key with one executemany per batch. Django's bulk_update builds
    a CASE expression per field whose cost grows with rows x fields (a minute for 2,000 users)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in columns), qn(meta.pk.column)
    )
    with connection.cursor() as cursor:
        for chunk in batched(rows, BATCH):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns] + [row.pk]
                    for row in chunk
                ],
            )


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
PROFILE_FIELDS = [*CONTACT_FIELDS, "timestamp"]
# What the audit log compares of a user: its columns (the PIN as its hash, or None when it has none: an unusable
# password is a fresh random string each time) and its aliases and groups.
AUDITED_USER_FIELDS = [f for f in USER_FIELDS if f != "password"]


def audit_fields(user: User, aliases: Sequence[str], groups: Sequence[str]) -> dict[str, Any]:
    values = {name: getattr(user, name) for name in AUDITED_USER_FIELDS}
    values["is_active"] = user.is_active  # only the user pages change it, but disabling a user is a change to tell
    values["pin"] = user.password if user.has_usable_password() else None
    values["aliases"], values["groups"] = list(aliases), sorted(groups)
    return values


def _audited_before(users: Iterable[User]) -> dict[int, dict]:
    """The audit fields of stored users, their aliases and groups in two queries."""
    users = list(users)
    ids = [u.pk for u in users]
    aliases: dict[int, list[str]] = {}
    for user_id, name in _fetch(
        LoginName.objects.filter(kind=LoginName.Kind.ALIAS).order_by("id").values_list("user_id", "name"),
        "user_id__in",
        ids,
    ):
        aliases.setdefault(user_id, []).append(name)
    groups: dict[int, list[str]] = {}
    memberships = User.groups.through.objects.values_list("user_id", "usergroup__name")
    for user_id, name in _fetch(memberships, "user_id__in", ids):
        groups.setdefault(user_id, []).append(name)
    return {u.pk: audit_fields(u, aliases.get(u.pk, []), groups.get(u.pk, [])) for u in users}


def _first(errors: list[UserError]) -> None:
    if errors:
        raise errors[0]


def _check_stored(records: list[UserRecord], existing: dict[str, User], check_dialplan: bool) -> dict[str, UserGroup]:
    """The rules of a batch that ask the database: names and feed keys of users outside the batch, the dial plan,
    the groups named (returned by name). A fixed number of queries (one per CHUNK values)."""
    _first(_stored_clashes([(r.username, r.aliases, r.im_id) for r in records], {u.pk for u in existing.values()}))
    keys = {r.feed_key: i for i, r in enumerate(records) if r.feed_key}
    for key, owner in _fetch(User.objects.values_list("feed_key", "username"), "feed_key__in", keys):
        if owner not in existing:
            raise _at(UserError(f'is already the feed key of user "{owner}".', "feed_key"), keys[key])
    if check_dialplan:
        _first(_dialplan_clashes([(r.username, r.aliases) for r in records]))
    groups = {g.name: g for g in _fetch(UserGroup.objects.all(), "name__in", {g for r in records for g in r.groups})}
    for item, r in enumerate(records):
        for index, group in enumerate(r.groups):
            if group not in groups:
                raise _at(UserError(f'there is no group "{group}".', "groups", index), item)
    return groups


def save_users(
    records: Sequence[UserRecord],
    progress: Progress | None = None,
    check_dialplan: bool = True,
    checked: bool = False,
    pin_policy: bool = True,
) -> list[User]:
    """Creates or replaces the users of `records` (matched by user name) by the rules every other channel
    applies, in the caller's transaction; the first refused record raises its UserError with `item` set, and the
    caller rolls back. Users not in `records` are left alone, but none of their names or feed keys may be taken.
    The writes are bulk statements per batch of rows: a fixed number of queries for any number of users (only
    clear PINs cost time, hashed on a thread pool). `check_dialplan=False` leaves the clash with other apps'
    dialable names to the caller (the data file checks it once every section is loaded, as a conference of the
    same file may move away). `checked=True`: the records are what clean_user and check_batch returned and passed
    just before (the data file runs them while it validates the file, to name the path of the first offending
    key), and are not checked again; `pin_policy` is then the caller's (the data file restores clear PINs without
    the policy, pin_rule). The admin JSON API leaves both at their defaults: its clear PINs pass the policy. Returns
    the users in the order of `records`."""
    progress = progress or Progress()
    cleaned = list(records)
    if not checked:
        for item, record in enumerate(records):
            try:
                cleaned[item] = clean_user(record, pin_policy=pin_policy)
            except ValidationError as exc:
                raise _at(first_error(exc), item) from None
        check_batch(cleaned, lambda i: _user_named(cleaned[i].username))
    existing = {u.username: u for u in _fetch(User.objects.all(), "username__in", [r.username for r in cleaned])}
    groups = _check_stored(cleaned, existing, check_dialplan)
    before = _audited_before(existing.values())
    rows = _write_users(cleaned, existing, progress)
    _write_dependants(cleaned, rows, [r for r in rows if r.username in existing], groups, progress)
    audit.record_many(
        audit.Change("user", row.username, before.get(row.pk), audit_fields(row, r.aliases, r.groups))
        for r, row in zip(cleaned, rows, strict=True)
    )
    return rows


@transaction.atomic
def delete_user(user: User) -> None:
    """Deletes a user and everything that hangs on it (the user pages and the admin JSON API)."""
    before = _audited_before([user])[user.pk]
    username = user.username
    user.delete()
    audit.record("user", username, before, None)


def _write_users(records: list[UserRecord], existing: dict[str, User], progress: Progress) -> list[User]:
    clear = [r.pin for r in records if r.pin is not None]
    clear += [r.voicemail_pin for r in records if r.voicemail_pin is not None]
    hashed = iter(_hash_pins(clear, progress))
    pin_hash = [next(hashed) if r.pin is not None else r.pin_hash for r in records]
    vm_hash = [next(hashed) if r.voicemail_pin is not None else r.voicemail_pin_hash for r in records]
    progress.stage("users", len(records))
    rows, new_rows, old_rows = [], [], []
    for i, r in enumerate(records):
        row = existing.get(r.username)
        (old_rows if row else new_rows).append(row := row or User(username=r.username))
        row.password = pin_hash[i] or make_password(None)  # None -> an unusable password (no hashing)
        row.first_name, row.last_name = r.first_name, r.last_name
        row.is_admin, row.perm_voicemail, row.perm_attendant_admin = (
            r.is_admin,
            r.perm_voicemail,
            r.perm_attendant_admin,
        )
        row.voicemail_pin_hash = vm_hash[i] or ""
        row.sip_password = r.sip_password
        row.im_id, row.im_enabled, row.im_display_name = r.im_id, r.im_enabled, r.im_display_name
        row.feed_key = r.feed_key or row.feed_key  # a new User() already has a fresh one
        row.call_forward_timer = r.forward_timer
        row.time_zone, row.dnd, row.forward_all = r.time_zone, r.dnd, r.forward_all
        row.language = r.language
        row.availability_until = r.availability_until
        rows.append(row)
    User.objects.bulk_create(new_rows, batch_size=BATCH)
    _update_rows(User, old_rows, USER_FIELDS)
    if any(r.pk is None for r in new_rows):  # a backend that cannot return ids from a bulk insert
        ids = dict(_fetch(User.objects.values_list("username", "pk"), "username__in", [r.username for r in new_rows]))
        for row in new_rows:
            row.pk = ids[row.username]
    return rows


def _write_dependants(records, rows, old_rows, groups, progress: Progress) -> None:
    """Login names, rings, group memberships and profiles: those of replaced users deleted, all inserted in bulk."""
    old_ids = [r.pk for r in old_rows]
    for chunk in batched(old_ids, BATCH):
        LoginName.objects.filter(user_id__in=chunk).delete()
        Ring.objects.filter(user_id__in=chunk).delete()
        User.groups.through.objects.filter(user_id__in=chunk).delete()
    profiles = {p.user_id: p for p in _fetch(UserProfile.objects.all(), "user_id__in", old_ids)}
    now = _now_ms()
    defaults = contact_defaults()
    login_names, rings, memberships, new_profiles, old_profiles = [], [], [], [], []
    for r, row in zip(records, rows, strict=True):
        ha1 = r.digest_ha1 or {}
        for name, kind in login_names_of(r.username, r.aliases, r.im_id, r.im_enabled):
            digest = digest_ha1(name, r.pin) if r.pin is not None else ha1.get(name, "")
            login_names.append(LoginName(user_id=row.pk, name=name, folded=name.lower(), kind=kind, digest_ha1=digest))
        rings += _ring_rows(row.pk, r.rings)
        memberships += [User.groups.through(user_id=row.pk, usergroup_id=groups[g].pk) for g in r.groups]
        profile = profiles.get(row.pk)
        (old_profiles if profile else new_profiles).append(profile := profile or UserProfile(user_id=row.pk))
        for name, value in {**defaults, **r.contact}.items():
            setattr(profile, name, value)
        profile.timestamp = now
        progress.step()
    LoginName.objects.bulk_create(login_names, batch_size=BATCH)
    Ring.objects.bulk_create(rings, batch_size=BATCH)
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
    UserProfile.objects.bulk_create(new_profiles, batch_size=BATCH)
    _update_rows(UserProfile, old_profiles, PROFILE_FIELDS)


def delete_all_users() -> None:
    """Every user and what hangs on them (import --replace): children first, as single DELETE statements. The audit
    log gets one deletion per user (their last state, as `delete_user` records it)."""
    before = _audited_before(User.objects.all())
    names = dict(User.objects.values_list("pk", "username"))
    LoginName.objects.all().delete()
    Ring.objects.all().delete()
    UserProfile.objects.all().delete()
    User.groups.through.objects.all().delete()
    User.objects.all().delete()
    audit.record_many(audit.Change("user", names[pk], values, None) for pk, values in before.items())
