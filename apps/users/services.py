"""Business rules for users, shared by the HTML pages, the REST views and the PBX data file.

Every change of a PIN, a login name or the ring list goes through here, so that the stored forms
(Django hash, one Digest HA1 per login name, hashed voicemail PIN) can never drift apart."""

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.users.models import LoginName, Ring, User, UserProfile
from sipxweb import dialplan


def digest_ha1(name: str, pin: str, realm: str | None = None) -> str:
    """HA1 of RFC 2617 Digest: MD5(name:realm:password)."""
    return hashlib.md5(f"{name}:{realm or settings.SIPX_REALM}:{pin}".encode()).hexdigest()


def name_taken(name: str, exclude_user: User | None = None) -> bool:
    """True when `name` is already some (other) user's name or alias, ignoring case."""
    qs = LoginName.objects.filter(folded=name.lower()).exclude(kind=LoginName.Kind.IM)
    if exclude_user is not None and exclude_user.pk:
        qs = qs.exclude(user=exclude_user)
    return qs.exists()


def validate_login_names(username: str, aliases: Sequence[str], user: User | None = None) -> None:
    """Raises ValidationError (keyed by field) when a name is empty, repeated or used by another user."""
    errors: dict[str, list[str]] = {}
    if not username or not username.strip():
        errors.setdefault("username", []).append("A user name is required.")
    elif any(c.isspace() for c in username) or "@" in username:
        errors.setdefault("username", []).append("A user name may not contain spaces or '@'.")
    elif name_taken(username, user):
        errors.setdefault("username", []).append(f'"{username}" is already a user name or alias.')
    seen = {username.lower()}
    for alias in aliases:
        if any(c.isspace() for c in alias) or "@" in alias or not alias:
            errors.setdefault("aliases", []).append(f'Alias "{alias}" may not be empty or contain spaces or "@".')
        elif alias.lower() in seen:
            errors.setdefault("aliases", []).append(f'"{alias}" is listed twice (names ignore case).')
        elif name_taken(alias, user):
            errors.setdefault("aliases", []).append(f'"{alias}" is already a user name or alias.')
        seen.add(alias.lower())
    # Another app's dialable name (a conference's extension) would make calls to this one ambiguous.
    elsewhere = dialplan.held_elsewhere(seen, "users")
    for field, name in [("username", username)] + [("aliases", a) for a in aliases]:
        if name.lower() in elsewhere:
            errors.setdefault(field, []).append(f'"{name}" is {elsewhere[name.lower()].what}.')
    if errors:
        raise ValidationError(errors)


def _sync_login_names(user: User, aliases: Sequence[str], pin: str | None) -> None:
    """Rewrites the user's login names. HA1 values survive for names that stay; new names get one only
    when the clear PIN is at hand (a new alias works with Basic at once, with Digest after the next PIN change)."""
    wanted: list[tuple[str, str]] = [(user.username, LoginName.Kind.USERNAME)]
    wanted += [(a, LoginName.Kind.ALIAS) for a in aliases]
    if user.im_id and user.im_enabled:
        wanted.append((user.im_id, LoginName.Kind.IM))
    old = {(n.name, n.kind): n.digest_ha1 for n in user.login_names.all()}
    user.login_names.all().delete()
    LoginName.objects.bulk_create(
        [
            LoginName(
                user=user,
                name=name,
                folded=name.lower(),
                kind=kind,
                digest_ha1=digest_ha1(name, pin) if pin is not None else old.get((name, kind), ""),
            )
            for name, kind in wanted
        ]
    )
    if hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache.pop("login_names", None)


@transaction.atomic
def save_user(user: User, aliases: Sequence[str] | None = None, pin: str | None = None) -> User:
    """Saves `user` and its login names. `aliases=None` keeps the current aliases; `pin` (clear text) sets
    the portal PIN. Raises ValidationError on a clash of names."""
    if aliases is None:
        aliases = user.aliases if user.pk else []
    aliases = [a.strip() for a in aliases if a.strip()]
    validate_login_names(user.username, aliases, user)
    if pin is not None:
        user.password = make_password(pin)
    elif not user.password:
        user.set_unusable_password()
    user.save()
    UserProfile.objects.get_or_create(user=user)
    _sync_login_names(user, aliases, pin)
    return user


def create_user(username: str, pin: str | None = None, aliases: Sequence[str] = (), **fields) -> User:
    return save_user(User(username=username, **fields), aliases=list(aliases), pin=pin)


def set_portal_pin(user: User, pin: str) -> None:
    """Sets the portal PIN: Django hash for Basic and the login form, HA1 per login name for Digest."""
    save_user(user, pin=pin)


VOICEMAIL_PIN_RULE = "A voicemail PIN is 4 to 10 digits, not all the same digit, and not your own extension."


def validate_voicemail_pin(user: User, pin: str) -> None:
    """D5: 4-10 digits, not all one digit, not the user's own extension (user name or an alias)."""
    if not pin.isascii() or not pin.isdigit() or not 4 <= len(pin) <= 10:
        raise ValidationError(VOICEMAIL_PIN_RULE, code="pin_format")
    if len(set(pin)) == 1:
        raise ValidationError("A voicemail PIN may not repeat one digit only.", code="pin_trivial")
    if pin == user.username or pin in user.aliases:
        raise ValidationError("A voicemail PIN may not be your own extension.", code="pin_extension")


def set_voicemail_pin(user: User, pin: str) -> None:
    validate_voicemail_pin(user, pin)
    user.voicemail_pin_hash = make_password(pin)
    user.save(update_fields=["voicemail_pin_hash"])


def regenerate_feed_key(user: User) -> str:
    """D9: a new key for the `/private/{key}/...` URLs; the old URLs then answer 404."""
    from apps.users.models import new_feed_key

    user.feed_key = new_feed_key()
    user.save(update_fields=["feed_key"])
    return user.feed_key


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


def ring_count_problem(count: int) -> str | None:
    """The sentence refusing a forwarding list of `count` rings, or None when it may be stored."""
    if count > MAX_RINGS:
        return f"A forwarding list holds at most {MAX_RINGS} rings; this one has {count}."
    return None


def validate_forwarding(timer: int | None, rings: Iterable[RingData]) -> None:
    rings = list(rings)
    # Counted before the rings are looked at: eleven numbers are refused as a list, not ring by ring.
    too_many = ring_count_problem(len(rings))
    if too_many:
        raise ValidationError(too_many)
    errors: list[str] = []
    lo, hi = FORWARD_TIMER_RANGE
    if timer is not None and not lo <= timer <= hi:
        errors.append(f"expiration (ring my phones for) must be between {lo} and {hi} seconds, not {timer}.")
    for i, ring in enumerate(rings):
        if not ring.number or not ring.number.strip():
            errors.append(f"ring {i + 1}: a number is required.")
        if ring.type not in Ring.Type.values:
            errors.append(f'ring {i + 1}: type "{ring.type}" is not one of "If no response", "At the same time".')
        if not RING_EXPIRATION_RANGE[0] <= ring.expiration <= RING_EXPIRATION_RANGE[1]:
            errors.append(f"ring {i + 1}: expiration must be between 1 and 999 seconds, not {ring.expiration}.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_forwarding(user: User, timer: int | None, rings: Sequence[RingData]) -> None:
    """Replaces the ring list (in the given order) and, when `timer` is given, the forward timer."""
    validate_forwarding(timer, rings)
    if timer is not None:
        user.call_forward_timer = timer
        user.save(update_fields=["call_forward_timer"])
    user.rings.all().delete()
    Ring.objects.bulk_create(
        [
            Ring(
                user=user, position=i, number=r.number.strip(), expiration=r.expiration, type=r.type, enabled=r.enabled
            )
            for i, r in enumerate(rings)
        ]
    )


def touch_profile(profile: UserProfile) -> None:
    """Marks the contact information as changed now (the wire `timestamp`, epoch milliseconds)."""
    profile.timestamp = int(time.time() * 1000)
