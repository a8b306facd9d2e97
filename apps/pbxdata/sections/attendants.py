"""`autoAttendants` (matched by system id, else by name) and `specialMode`: the file's schema and its mapping
onto apps.attendants.services (save_attendant, set_menu, delete_attendant, the special-mode functions), which hold
every rule as they do for the REST URIs and the attendant pages."""

from django.core.exceptions import ValidationError

from apps.attendants import services
from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode
from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, choice, integer, list_of, obj, show, text

_item = obj(
    {
        "key": (text(), REQUIRED),
        "action": (text(), REQUIRED),
        "parameter": (text(nullable=True), None),
    }
)
_attendant = obj(
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
_special = obj({"enabled": (boolean, False), "attendant": (text(nullable=True), None)})

# Model field -> the file's key, to name the path of a refused value.
KEYS = {
    "system_id": "systemId",
    "digit_timeout": "digitTimeout",
    "max_invalid": "maxInvalid",
    "on_failure": "onFailure",
}


def validate(value, path):
    attendants = list_of(_attendant, unique=lambda a: a["name"], what="attendant")(value, path)
    seen = {}
    for i, att in enumerate(attendants):
        if att["systemId"] is not None:
            if att["systemId"] in seen:
                raise PbxDataError(f"{path}[{i}].systemId", f"{show(att['systemId'])} is also {seen[att['systemId']]}")
            seen[att["systemId"]] = f"{path}[{i}]"
    return attendants


def clear():
    AutoAttendant.objects.filter(system_id__isnull=True).delete()
    MenuItem.objects.all().delete()


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages).rstrip(".")


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
        row.name, row.system_id = item["name"], item["systemId"]
        row.description, row.language = item["description"], item["language"]
        row.prompt = item["prompt"] or ""
        row.digit_timeout, row.max_invalid = item["digitTimeout"], item["maxInvalid"]
        row.on_failure = item["onFailure"]
        rows.append(row)
    # A name the file gives may belong to another attendant now: a user attendant gives way, a system one cannot.
    clashes = AutoAttendant.objects.filter(name__in={r.name for r in rows}).exclude(pk__in=[r.pk for r in rows if r.pk])
    for other in clashes:
        i = next(i for i, r in enumerate(rows) if r.name == other.name)
        try:
            services.delete_attendant(other)
        except ValidationError as exc:
            raise PbxDataError(f"autoAttendants[{i}].name", _message(exc)) from None
    for i, row in enumerate(rows):
        try:
            services.save_attendant(row)
        except ValidationError as exc:
            field, errors = next(iter(exc.message_dict.items()))
            raise PbxDataError(f"autoAttendants[{i}].{KEYS.get(field, field)}", " ".join(errors).rstrip(".")) from None
        ctx.step()
    for i, (row, item) in enumerate(zip(rows, attendants, strict=True)):
        menu = [(m["key"], m["action"], m["parameter"] or "") for m in item["menu"]]
        try:
            services.set_menu(row, menu)
        except services.MenuError as exc:
            raise PbxDataError(f"autoAttendants[{i}].menu[{exc.index}].{exc.field}", _message(exc)) from None


def dump():
    out = []
    for att in AutoAttendant.objects.prefetch_related("menu").order_by("id"):
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
        out.append(item)
    return out


def validate_special(value, path):
    return _special(value, path)


def clear_special():
    SpecialMode.objects.update(enabled=False, attendant=None)


def load_special(special, ctx):
    """Through the special-mode functions of REST and the pages: off, select (or clear), then on if asked; on
    with nothing selected selects `afterhour`, as PUT specialmode does."""
    attendant = None
    if special["attendant"] is not None:
        attendant = AutoAttendant.objects.filter(name=special["attendant"]).first()
        if attendant is None:
            raise PbxDataError("specialMode.attendant", f"there is no attendant {show(special['attendant'])}")
    services.special_mode_off()
    if attendant is None:
        services.clear_special()
    else:
        services.select_special(attendant)
    if special["enabled"]:
        services.special_mode_on()


def dump_special():
    """None (left out) at the default: off, nothing selected."""
    mode = SpecialMode.current()
    if not mode.enabled and mode.attendant is None:
        return None
    return {"enabled": mode.enabled, "attendant": mode.attendant.name if mode.attendant else None}
