"""Login names: the user name, the aliases and the IM id (apps.users.credentials). Each belongs to one user, ignoring
case. The user name and the aliases are also dialled, so they share the dial plan with other apps; an IM id is the
local part of an XMPP address (RFC 7622: no spaces, no "@") and nobody dials it.

The rule of one name without the database (`login_name_rule`), the names a user holds, and the checks that ask the
database (another stored user, another app's dialable name) that save_user and save_users run."""

import re
from collections.abc import Iterable, Sequence
from itertools import batched

from django.db.models.functions import Lower
from django.utils.translation import gettext

from apps.users.models import LoginName, User
from apps.users.services.errors import UserError, _at
from apps.users.services.queries import CHUNK
from apps.users.services.text import text_rule
from sipxweb import dialplan

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
