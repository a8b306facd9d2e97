"""Finding users by a name someone typed: the one rule every app uses to turn a typed name into a user (a
mailbox, a phone filter, a conference owner, a message's user in the data file).

The rule, sipXconfig's: a user name or an alias, ignoring case (they are unique across users), else an IM id
while that user's IM is enabled. Disabled users are found too: they keep their mailboxes, rooms and phones, and a
backup restores them. Logging in asks the same question with one more condition (the user must be active) and
more answers (which name, its Digest HA1): that is `credentials.find_login`, whose SQL is written out for the
speed of every authenticated request."""

from collections.abc import Iterable
from itertools import batched

from apps.users.models import LoginName, User

_CHUNK = 900  # names per query: databases bound the parameters of one statement


def find_users(names: Iterable[str]) -> dict[str, User]:
    """{typed name: user} for the names that name someone; one query per 900 distinct names."""
    by_folded: dict[str, list[str]] = {}
    for name in names:
        if name and "\0" not in name:  # PostgreSQL refuses NUL in a string: such a name belongs to nobody
            by_folded.setdefault(name.lower(), []).append(name)
    found: dict[str, User] = {}
    for chunk in batched(sorted(by_folded), _CHUNK):
        rows = LoginName.objects.filter(folded__in=chunk).select_related("user")
        # A user name or alias wins over an IM id that repeats it; an IM id counts only while IM is enabled.
        for row in sorted(rows, key=lambda r: r.kind == LoginName.Kind.IM):
            if row.folded in found or (row.kind == LoginName.Kind.IM and not row.user.im_enabled):
                continue
            found[row.folded] = row.user
    return {name: found[folded] for folded, typed in by_folded.items() if folded in found for name in typed}


def find_user(name: str) -> User | None:
    """The user `name` names, or None."""
    return find_users([name]).get(name)
