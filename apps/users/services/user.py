"""The writers of one user at a time (the user pages, REST, create_user from code): `save_user` stores a user with its
login names, so the Django hash and the Digest HA1 of every login name never drift apart; the portal PIN, and the
deletion of a user. Each checks the record's rules (apps.users.services.record), then the names against the
database, and records the change in the audit log."""

from collections.abc import Iterable, Sequence

from django.contrib.auth.hashers import make_password
from django.db import transaction

from apps.audit import services as audit
from apps.users.models import LoginName, User, UserGroup, UserProfile
from apps.users.services.auditing import _audited_before, audit_fields
from apps.users.services.errors import _refuse
from apps.users.services.names import _dialplan_clashes, _stored_clashes, login_names_of
from apps.users.services.record import UserRecord, clean_user
from apps.users.services.secrets import digest_ha1


def set_portal_pin(user: User, pin: str) -> None:
    """Sets the portal PIN by the policy (pin_rule): Django hash for Basic and the login form, HA1 per login name for
    Digest (save_user records the change). Raises ValidationError keyed "pin"."""
    save_user(user, pin=pin)


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


@transaction.atomic
def delete_user(user: User) -> None:
    """Deletes a user and everything that hangs on it (the user pages and the admin JSON API)."""
    before = _audited_before([user])[user.pk]
    username = user.username
    user.delete()
    audit.record("user", username, before, None)
