"""The secrets of a user: the portal PIN policy (`pin_rule`), a stored PIN hash, the Digest HA1 of a login name, the
SIP password, the voicemail PIN (D5) and the feed key (D9), with the writers of the voicemail PIN and the feed key.
The portal PIN itself is written by save_user (apps.users.services.user), which keeps the HA1 of every login name
in step with it. None of these values ever reaches a sentence of a refusal."""

import hashlib
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from apps.audit import services as audit
from apps.users.models import User, new_feed_key
from apps.users.services.errors import UserError
from apps.users.services.text import text_rule

HEX32 = re.compile("[0-9a-f]{32}")  # a feed key (new_feed_key) and a Digest HA1 (MD5)


def digest_ha1(name: str, pin: str, realm: str | None = None) -> str:
    """HA1 of RFC 2617 Digest: MD5(name:realm:password)."""
    return hashlib.md5(f"{name}:{realm or settings.SIPX_REALM}:{pin}".encode()).hexdigest()


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


@transaction.atomic
def regenerate_feed_key(user: User) -> str:
    """D9: a new key for the `/private/{key}/...` URLs; the old URLs then answer 404."""
    before = user.feed_key
    user.feed_key = new_feed_key()
    user.save(update_fields=["feed_key"])
    audit.record("user", user.username, {"feed_key": before}, {"feed_key": user.feed_key})
    return user.feed_key
