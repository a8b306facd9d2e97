"""One dial-plan namespace: a name or number a phone dials reaches one thing, so a user name or alias may not
also be a conference's extension, whichever is created second.

Each app that hands out dialable names has one function, named in settings.DIALPLAN_OWNERS under the app's
label, that says which of some names it holds: `owner_of(folded_names) -> {folded name: Owner}` (one query).
An app's own rules keep its names unique among themselves; this module answers the question across apps
(the users' and conferences' services, and the data file's check after a load), so no app looks another's
model up."""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched

from django.conf import settings
from django.utils.module_loading import import_string

_CHUNK = 900


@dataclass(frozen=True)
class Owner:
    app: str  # the app label, as in settings.DIALPLAN_OWNERS
    name: str  # what holds the name in that app: a user name, a conference name
    number: str  # the name as that app stores it (its own upper/lower case)
    # How a sentence names it: "a user name or alias", "the extension of a conference". English, marked with
    # gettext_noop where the app writes it: a page's sentence translates it with gettext(owner.what).
    what: str


def owners(names: Iterable[str], skip: str | None = None) -> dict[str, list[Owner]]:
    """{lower-case name: its owners} for the names some app holds; the app labelled `skip` is not asked."""
    folded = {name.lower() for name in names}
    found: dict[str, list[Owner]] = {}
    if not folded:
        return found
    # A data file may name tens of thousands: asked in chunks, as a database bounds the parameters of one query.
    chunks = [set(chunk) for chunk in batched(sorted(folded), _CHUNK)]
    for app, path in settings.DIALPLAN_OWNERS.items():
        if app != skip:
            owner_of = import_string(path)
            for chunk in chunks:
                for name, owner in owner_of(chunk).items():
                    found.setdefault(name, []).append(owner)
    return found


def held_elsewhere(names: Iterable[str], app: str) -> dict[str, Owner]:
    """{lower-case name: its owner} for the names an app other than `app` holds (the first one, in settings
    order): such a name may not be given out by `app`."""
    return {name: found[0] for name, found in owners(names, skip=app).items()}
