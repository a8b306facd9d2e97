"""The dial plan's service numbers (docs/pbx-data.md#dialplan): the one home of their rules and their one writer,
`save_dial_plan`, which the dial-plan page (views.py) and the PBX data file (apps/pbxdata/sections/dialplan.py)
both call, and which records each change in the audit log.

The rules: a number is 1 to 64 letters, digits and `+ * # . _ -` — an extension, or a word like `operator` — so
it is always something a phone can dial and GET /sipproxy/route accepts; at most MAX_NUMBERS per service; no
number twice in the whole plan, ignoring case; and none that another app holds (a user name or alias, a
conference's extension: sipxweb/dialplan.py). Whoever introduces a clash is refused: the users' and conferences'
services ask the dial plan through settings.DIALPLAN_OWNERS (apps/sipproxy/dialplan.py), this module asks them."""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.audit import services as audit
from apps.sipproxy.models import ServiceNumber
from sipxweb import dialplan

SERVICES = tuple(ServiceNumber.Service)  # attendant, voicemail: the order of the page and the data file
NUMBER = re.compile(r"[A-Za-z0-9+*#._-]{1,64}")
NUMBER_RULE = gettext_noop("1 to 64 letters, digits or + * # . _ -")
MAX_NUMBERS = 20
# The audit log's kind and key of the dial plan (one object: every save replaces the whole plan).
KIND, KEY = "dial plan", "service numbers"


class DialPlanError(ValueError):
    """A refused dial plan: `service` is the list (attendant or voicemail) and `index` the number's position in
    it, so the page shows the sentence at its field and the data file names the path."""

    def __init__(self, message: str, service: str, index: int | None = None):
        super().__init__(message)
        self.message, self.service, self.index = message, service, index


@dataclass(frozen=True)
class DialPlan:
    attendant: tuple[str, ...] = ()
    voicemail: tuple[str, ...] = ()

    def numbers(self) -> Iterator[tuple[str, int, str]]:
        """(service, index, number) for every number, in the plan's order."""
        for service in SERVICES:
            for index, number in enumerate(getattr(self, service)):
                yield service.value, index, number


def _plan_of(rows: Iterable[tuple[str, str]]) -> DialPlan:
    """The plan of stored (service, number) rows, read in their order."""
    found: dict[str, list[str]] = {service.value: [] for service in SERVICES}
    for service, number in rows:
        found[service].append(number)
    return DialPlan(**{service: tuple(numbers) for service, numbers in found.items()})


def dial_plan() -> DialPlan:
    """The stored dial plan (one query)."""
    return _plan_of(ServiceNumber.objects.order_by("service", "position").values_list("service", "number"))


def audit_fields(plan: DialPlan) -> dict[str, list[str]]:
    """The plan as the audit log compares it: one field per service (the data file's and the page's names), its
    numbers in order; a save records the services whose numbers changed, before and after."""
    return {service.value: list(getattr(plan, service)) for service in SERVICES}


def clean_dial_plan(attendant: Sequence[str], voicemail: Sequence[str]) -> DialPlan:
    """The plan with surrounding white space dropped, or DialPlanError for a malformed or repeated number. No
    query."""
    plan = DialPlan(attendant=tuple(n.strip() for n in attendant), voicemail=tuple(n.strip() for n in voicemail))
    seen: set[str] = set()
    for service in SERVICES:
        if len(getattr(plan, service)) > MAX_NUMBERS:
            raise DialPlanError(
                _("At most %(max)s numbers may reach one service.") % {"max": MAX_NUMBERS}, service.value
            )
    for service, index, number in plan.numbers():
        if not NUMBER.fullmatch(number):
            if number:
                message = _('"%(number)s" is not a dial plan number (%(rule)s).') % {
                    "number": number,
                    "rule": _(NUMBER_RULE),
                }
            else:
                message = _("An empty number is not a dial plan number (%(rule)s).") % {"rule": _(NUMBER_RULE)}
            raise DialPlanError(message, service, index)
        if number.lower() in seen:
            raise DialPlanError(
                _('"%(number)s" is listed twice in the dial plan (numbers ignore case).') % {"number": number},
                service,
                index,
            )
        seen.add(number.lower())
    return plan


def check_owners(plan: DialPlan) -> None:
    """DialPlanError for the first number another app holds (one query per app)."""
    held = dialplan.held_elsewhere([number for _, _, number in plan.numbers()], "sipproxy")
    for service, index, number in plan.numbers():
        owner = held.get(number.lower())
        if owner is not None:
            raise DialPlanError(
                _('"%(number)s" is already %(what)s ("%(name)s").')
                % {"number": number, "what": _(owner.what), "name": owner.name},
                service,
                index,
            )


@transaction.atomic
def save_dial_plan(attendant: Sequence[str], voicemail: Sequence[str], check_others: bool = True) -> DialPlan:
    """Replaces the dial plan with these numbers, in this order; DialPlanError (and nothing changed) when one is
    refused. `check_others=False` leaves the clash with other apps' names to the caller: the data file checks
    them once every section is loaded (apps/pbxdata/sections/dialplan.py), as a file may move a user and a
    number in the same import."""
    plan = clean_dial_plan(attendant, voicemail)
    if check_others:
        check_owners(plan)
    # Locked, so that the audit entry's "before" is the plan this save replaces, not one another save just wrote.
    stored = ServiceNumber.objects.select_for_update().order_by("service", "position").values_list("service", "number")
    before = audit_fields(_plan_of(stored))
    ServiceNumber.objects.all().delete()
    ServiceNumber.objects.bulk_create(
        ServiceNumber(number=number, folded=number.lower(), service=service, position=index)
        for service, index, number in plan.numbers()
    )
    audit.record(KIND, KEY, before, audit_fields(plan))
    return plan
