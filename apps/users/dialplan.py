"""The users' part of the dial plan (sipxweb/dialplan.py, settings.DIALPLAN_OWNERS): user names and aliases.
IM ids are login names but nobody dials them."""

from django.utils.translation import gettext_noop

from apps.users.models import LoginName
from sipxweb.dialplan import Owner


def owner_of(folded_names: set[str]) -> dict[str, Owner]:
    rows = (
        LoginName.objects.filter(folded__in=folded_names)
        .exclude(kind=LoginName.Kind.IM)
        .values_list("folded", "name", "user__username")
    )
    return {
        folded: Owner("users", username, name, gettext_noop("a user name or alias")) for folded, name, username in rows
    }
