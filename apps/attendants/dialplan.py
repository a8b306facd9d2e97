"""The attendants' part of the dial plan: which auto-attendant answers the dial plan's attendant numbers now
(settings.DIALPLAN_ATTENDANT names `playing_now`; apps/sipproxy/routing.py asks it for each call to such a
number). An attendant's name is no dialable number, so the attendants hold none in settings.DIALPLAN_OWNERS:
phones reach them only through the dial plan's attendant numbers."""

from typing import NamedTuple

from apps.attendants.models import AutoAttendant, SpecialMode


class Playing(NamedTuple):
    target: str  # sipXconfig's name of the attendant (system id or xcf<id>): what the media server plays
    name: str  # the attendant's name, for people
    special: bool  # special mode chose it


def playing_now() -> Playing | None:
    """While special mode is on, its selected attendant; otherwise (or when none is selected) the operator
    attendant. None only when there is no operator attendant at all. Reads, never writes."""
    mode = SpecialMode.objects.select_related("attendant").filter(pk=1).first()
    if mode is not None and mode.enabled and mode.attendant is not None:
        return Playing(mode.attendant.system_name, mode.attendant.name, True)
    operator = AutoAttendant.objects.filter(system_id=AutoAttendant.SystemId.OPERATOR).first()
    return None if operator is None else Playing(operator.system_name, operator.name, False)
