"""Who is behind a number on the call pages: the name beside an extension or a dialled number, and the direction
of a call (internal, outgoing, incoming), for the call history (page and CSV), active calls and click-to-call's
progress. Looked up when shown, a page of numbers at a time, so the cost does not grow with the history:

* a number that is a user's name or alias (apps.users.lookup) is local, named by the user's first and last name;
* another number is named by a phonebook entry with the same dialled number (`+1 (617) 555-0142` is
  `+16175550142`, apps.callcontrol.services.strip_dialled): for a user, from the phonebooks they see (consumed and
  private); for an administrator, from the shared phonebooks;
* otherwise by the caller's display name that the call itself carried (`Cdr.caller_name`)."""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.apps import apps as django_apps
from django.db.models import F, Q

from apps.callcontrol.services import strip_dialled
from apps.cdrs.models import Cdr
from apps.users.lookup import find_users

ENTRY_LIMIT = 5000  # phonebook rows read for one page of numbers: a bound, far above what a page matches


def full_name(first: str, last: str) -> str:
    return " ".join(p for p in (first, last) if p)


def number_of(aor_user: str, aor: str) -> str:
    """What a page shows for a party: the user part, or the whole AOR when it has none (a `tel:` URI)."""
    return aor_user or aor


class Names:
    """Names of the numbers of a page, seen by `viewer` (a user: their phonebooks; None: an administrator's)."""

    def __init__(self, viewer=None):
        self.viewer = viewer
        self.users: dict[str, object] = {}
        self.book: dict[str, str] = {}
        self.looked_up: set[str] = set()
        self.scope: Q | None = None  # the phonebook entries the viewer sees, worked out once

    def load(self, numbers: Iterable[str]) -> "Names":
        """Looks the numbers up (those not looked up before): one query for users, two for phonebooks."""
        wanted = {n for n in numbers if n} - self.looked_up
        if not wanted:
            return self
        self.looked_up |= wanted
        self.users.update(find_users(wanted))
        others = {strip_dialled(n) for n in wanted if n not in self.users}
        self.book.update(self._phonebook_names({n for n in others if len(n) >= 2}))
        return self

    def load_cdrs(self, cdrs: Iterable[Cdr]) -> "Names":
        numbers = []
        for cdr in cdrs:
            numbers += [number_of(cdr.caller_user, cdr.caller_aor), number_of(cdr.callee_user, cdr.callee_aor)]
        return self.load(numbers)

    def _phonebook_names(self, dialled: set[str]) -> dict[str, str]:
        if not dialled or not django_apps.is_installed("apps.phonebooks"):
            return {}
        from apps.phonebooks.models import PhonebookEntry
        from apps.phonebooks.readmodel import scope_of

        if self.scope is None and self.viewer is None:
            self.scope = Q(phonebook__isnull=False)
        elif self.scope is None:
            seen = scope_of(self.viewer)
            self.scope = Q(phonebook_id__in=seen.books)
            if seen.private_id is not None:
                self.scope |= Q(private_phonebook_id=seen.private_id)
        scope = self.scope
        # Entries keep the number as written: the last two characters of what is dialled narrow the rows down
        # (separators sit between digit groups, never after the last digit), the dialled forms decide.
        tails = reduce(or_, (Q(number__endswith=tail) for tail in sorted({n[-2:] for n in dialled})))
        # A private entry (read first) names the number before a shared phonebook does.
        rows = PhonebookEntry.objects.filter(scope, tails).order_by(
            F("private_phonebook_id").asc(nulls_last=True), "id"
        )
        found: dict[str, str] = {}
        for number, first, last in rows.values_list("number", "first_name", "last_name")[:ENTRY_LIMIT]:
            key, name = strip_dialled(number), full_name(first, last)
            if key in dialled and name:
                found.setdefault(key, name)
        return found

    def is_local(self, number: str) -> bool:
        return number in self.users

    def name(self, number: str, fallback: str = "") -> str:
        user = self.users.get(number)
        if user is not None:
            return full_name(user.first_name, user.last_name) or fallback
        return self.book.get(strip_dialled(number)) or fallback

    def caller(self, cdr: Cdr) -> tuple[str, str]:
        """(number, name) of the caller."""
        number = number_of(cdr.caller_user, cdr.caller_aor)
        return number, self.name(number, cdr.caller_name)

    def callee(self, cdr: Cdr) -> tuple[str, str]:
        number = number_of(cdr.callee_user, cdr.callee_aor)
        return number, self.name(number)

    def direction(self, cdr: Cdr) -> str:
        """`internal` (both parties are users), `outgoing` (a user called out), `incoming` (a user was called from
        outside), or "" when neither party is a user (a call the PBX only routed)."""
        caller = self.is_local(number_of(cdr.caller_user, cdr.caller_aor))
        callee = self.is_local(number_of(cdr.callee_user, cdr.callee_aor))
        if caller and callee:
            return "internal"
        if caller:
            return "outgoing"
        if callee:
            return "incoming"
        return ""
