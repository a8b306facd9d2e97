"""The attendants' part of the dial plan: which auto-attendant answers the dial plan's attendant numbers now
(settings.DIALPLAN_ATTENDANT names `playing_now`; apps/sipproxy/routing.py asks it for each call to such a
number, at the call's instant; special mode is the manual switch and the schedule together: schedule.py). An
attendant's name is no dialable number, so the attendants hold none in settings.DIALPLAN_OWNERS: phones reach them
only through the dial plan's attendant numbers."""

from datetime import datetime
from typing import NamedTuple

from apps.attendants.models import AutoAttendant
from apps.attendants.schedule import special_mode_at


class Playing(NamedTuple):
    target: str  # sipXconfig's name of the attendant (system id or xcf<id>): what the media server plays
    name: str  # the attendant's name, for people
    special: bool  # special mode chose it


def playing_now(now: datetime | None = None) -> Playing | None:
    """At `now` (the call's instant; the present when None): while special mode is on (switched on, or inside a
    period of its schedule), the special attendant (the selected one, else afterhour); otherwise the operator
    attendant. None only when there is no operator attendant at all. Reads, never writes."""
    state = special_mode_at(now)
    if state.on and state.attendant is not None:
        return Playing(state.attendant.system_name, state.attendant.name, True)
    operator = AutoAttendant.objects.filter(system_id=AutoAttendant.SystemId.OPERATOR).first()
    return None if operator is None else Playing(operator.system_name, operator.name, False)
