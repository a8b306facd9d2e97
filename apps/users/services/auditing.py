"""What the audit log compares of a user (its columns, its PIN as a hash, its aliases and groups), shared by the
writers of one user and of a whole file so that both record the same fields."""

from collections.abc import Iterable, Sequence
from typing import Any

from apps.users.models import LoginName, User
from apps.users.services.queries import _fetch
from apps.users.services.record import USER_FIELDS

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
