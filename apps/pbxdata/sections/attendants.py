"""`autoAttendants` (matched by system id, else by name) and `specialMode`: the file's schema and its mapping
onto apps.attendants.services (save_attendants, delete_attendant, set_special_mode, replace_schedule), which hold
every rule as they do for the REST URIs, the attendant pages and the admin JSON API. `ATTENDANT` checks one
attendant, `dump_attendant` writes one; `SPECIAL` and `special_of` are the special mode's switch, `PERIOD`,
`period_of` and `dump_period` a period of its schedule (apps/adminapi/resources/attendants.py uses them)."""

from django.core.exceptions import ValidationError

from apps.attendants import schedule, services
from apps.attendants.models import AutoAttendant, SpecialMode, SpecialModePeriod
from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, choice, integer, list_of, obj, show, text

_item = obj(
    {
        "key": (text(), REQUIRED),
        "action": (text(), REQUIRED),
        "parameter": (text(nullable=True), None),
    }
)
ATTENDANT = obj(
    {
        "name": (text(), REQUIRED),
        "systemId": (choice(AutoAttendant.SystemId.values, nullable=True), None),
        "description": (text(), ""),
        "prompt": (text(nullable=True), None),
        "language": (text(), "en"),
        "menu": (list_of(_item), list),
        # What the media server does when a caller presses nothing or a wrong key (apps/attendants/models.py).
        "digitTimeout": (integer(1, 60), 5),
        "maxInvalid": (integer(1, 10), 3),
        "onFailure": (choice(AutoAttendant.OnFailure.values), AutoAttendant.OnFailure.DISCONNECT.value),
    }
)
SPECIAL = obj({"enabled": (boolean, False), "attendant": (text(nullable=True), None)})
# A period of the special-mode schedule: weekly on `weekdays` from `start` to `end` ("18:00", "08:00": the next day
# when not later), or, without weekdays, one-off from `start` to `end` ("2026-12-24T00:00"): local times of the
# PBX's time zone, the end not included.
WALL_TIME = r"[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"
PERIOD = obj(
    {
        "name": (text(services.PERIOD_NAME_MAX, blank=False), REQUIRED),
        "weekdays": (list_of(choice(schedule.WEEKDAYS), unique=lambda d: d, what="day"), list),
        "start": (text(16, pattern=WALL_TIME), REQUIRED),
        "end": (text(16, pattern=WALL_TIME), REQUIRED),
    }
)
# The file's specialMode: the switch and the schedule (absent: the stored schedule stays on a merge import).
SPECIAL_FILE = obj({**SPECIAL.fields, "schedule": (list_of(PERIOD), None)})

# Model field -> the file's key, to name the path of a refused value.
KEYS = {
    "system_id": "systemId",
    "digit_timeout": "digitTimeout",
    "max_invalid": "maxInvalid",
    "on_failure": "onFailure",
}


def validate(value, path):
    attendants = list_of(ATTENDANT, unique=lambda a: a["name"], what="attendant")(value, path)
    seen = {}
    for i, att in enumerate(attendants):
        if att["systemId"] is not None:
            if att["systemId"] in seen:
                raise PbxDataError(f"{path}[{i}].systemId", f"{show(att['systemId'])} is also {seen[att['systemId']]}")
            seen[att["systemId"]] = f"{path}[{i}]"
    return attendants


def clear():
    services.delete_all_attendants()


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages).rstrip(".")


def fill(row: AutoAttendant, item: dict) -> AutoAttendant:
    """`row` with the checked attendant's values (its menu is saved apart: menu_of)."""
    row.name, row.system_id = item["name"], item["systemId"]
    row.description, row.language = item["description"], item["language"]
    row.prompt = item["prompt"] or ""
    row.digit_timeout, row.max_invalid = item["digitTimeout"], item["maxInvalid"]
    row.on_failure = item["onFailure"]
    return row


def menu_of(item: dict) -> list[tuple[str, str, str]]:
    return [(m["key"], m["action"], m["parameter"] or "") for m in item["menu"]]


def refused(exc: services.AttendantError, where: str) -> PbxDataError:
    """The refusal of a batch's attendant, at its path under `where` (e.g. "autoAttendants[2]")."""
    error = exc.error
    if isinstance(error, services.MenuError):
        return PbxDataError(f"{where}.menu[{error.index}].{error.field}", _message(error))
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        return PbxDataError(f"{where}.{KEYS.get(field, field)}", " ".join(errors).rstrip("."))
    return PbxDataError(where, _message(error))


def load(attendants, ctx):
    """Saves every attendant first, then the menus, so that a menu may name any attendant of the file."""
    by_system = {a.system_id: a for a in AutoAttendant.objects.filter(system_id__isnull=False)}
    by_name = {a.name: a for a in AutoAttendant.objects.all()}
    ctx.stage("attendants", len(attendants))
    rows = []
    for item in attendants:
        row = by_system.get(item["systemId"]) if item["systemId"] else by_name.get(item["name"])
        if row is None or (row.system_id and item["systemId"] is None):
            row = AutoAttendant()
        rows.append(fill(row, item))
    # A name the file gives may belong to another attendant now: a user attendant gives way, a system one cannot.
    clashes = AutoAttendant.objects.filter(name__in={r.name for r in rows}).exclude(pk__in=[r.pk for r in rows if r.pk])
    for other in clashes:
        i = next(i for i, r in enumerate(rows) if r.name == other.name)
        try:
            services.delete_attendant(other)
        except ValidationError as exc:
            raise PbxDataError(f"autoAttendants[{i}].name", _message(exc)) from None
    try:
        services.save_attendants([(row, menu_of(item)) for row, item in zip(rows, attendants, strict=True)], ctx.step)
    except services.AttendantError as exc:
        raise refused(exc, f"autoAttendants[{exc.item}]") from None


def dump_attendant(att: AutoAttendant) -> dict:
    """One attendant as the file writes it (its menu read through `att.menu.all()`: prefetch it for many)."""
    item = {"name": att.name}
    if att.system_id:
        item["systemId"] = att.system_id
    if att.description:
        item["description"] = att.description
    if att.prompt:
        item["prompt"] = att.prompt.name
    if att.language != "en":
        item["language"] = att.language
    menu = [
        {"key": m.key, "action": m.action, **({"parameter": m.parameter} if m.parameter else {})}
        for m in att.menu.all()
    ]
    if menu:
        item["menu"] = menu
    # Always written, defaults included: how a caller who presses nothing is treated should be read, not guessed.
    item["digitTimeout"], item["maxInvalid"], item["onFailure"] = att.digit_timeout, att.max_invalid, att.on_failure
    return item


def dump():
    return [dump_attendant(att) for att in AutoAttendant.objects.prefetch_related("menu").order_by("id")]


def period_of(item: dict, path: str, row: SpecialModePeriod | None = None) -> SpecialModePeriod:
    """`row` (a new period when None) with a checked PERIOD's values; the text forms are read here
    (schedule.parse_wall), the rules are services.check_period's."""
    row = row or SpecialModePeriod()
    weekly = bool(item["weekdays"])
    row.name = item["name"]
    row.weekdays = "".join(str(schedule.WEEKDAYS.index(d)) for d in item["weekdays"])
    for key in ("start", "end"):
        try:
            day, at = schedule.parse_wall(item[key], weekly)
        except ValueError as exc:
            raise PbxDataError(f"{path}.{key}" if path else key, str(exc)) from None
        setattr(row, f"{key}_date", day)
        setattr(row, f"{key}_time", at)
    return row


def dump_period(period: SpecialModePeriod) -> dict:
    """One period as the file writes it (`weekdays` only for a weekly one)."""
    start, end = schedule.wall_text(period)
    item = {"name": period.name}
    if period.weekly:
        item["weekdays"] = schedule.weekday_names(period)
    item["start"], item["end"] = start, end
    return item


def period_refused(exc: services.PeriodError, where: str) -> PbxDataError:
    """A refused period at `where` ("specialMode.schedule[2]", or "" for the admin JSON API's one object)."""
    path = f"{where}.{exc.field}" if where and exc.field else (exc.field or where)
    return PbxDataError(path, _message(exc))


def validate_special(value, path):
    special = SPECIAL_FILE(value, path)
    if special["schedule"] is not None:
        special["schedule"] = [period_of(item, f"{path}.schedule[{i}]") for i, item in enumerate(special["schedule"])]
    return special


def clear_special():
    services.reset_special_mode()
    services.clear_schedule()


def load_special(special, ctx):
    """Through services.set_special_mode, as the admin JSON API: on with nothing selected selects `afterhour`, as
    PUT specialmode does."""
    attendant = None
    if special["attendant"] is not None:
        attendant = AutoAttendant.objects.filter(name=special["attendant"]).first()
        if attendant is None:
            raise PbxDataError("specialMode.attendant", f"there is no attendant {show(special['attendant'])}")
    services.set_special_mode(special["enabled"], attendant)
    if special["schedule"] is not None:
        try:
            services.replace_schedule(special["schedule"])
        except services.PeriodError as exc:
            raise period_refused(exc, f"specialMode.schedule[{exc.index}]") from None


def special_of(mode: SpecialMode) -> dict:
    """The special mode with both keys (`mode.attendant` read: select_related it)."""
    return {"enabled": mode.enabled, "attendant": mode.attendant.name if mode.attendant else None}


def dump_special():
    """None (left out) at the default: off, nothing selected, no schedule; `schedule` only when there is one."""
    mode = SpecialMode.current()
    periods = [dump_period(p) for p in SpecialModePeriod.objects.order_by("id")]
    if not mode.enabled and mode.attendant is None and not periods:
        return None
    return {**special_of(mode), **({"schedule": periods} if periods else {})}
