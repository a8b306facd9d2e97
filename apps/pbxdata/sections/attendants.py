"""`autoAttendants` (matched by system id, else by name) and `specialMode`."""

from django.core.exceptions import ValidationError

from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode
from apps.attendants.services import validate_menu_item
from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, choice, list_of, obj, show, text

_item = obj(
    {
        "key": (choice(MenuItem.Key.values), REQUIRED),
        "action": (choice(MenuItem.Action.values), REQUIRED),
        "parameter": (text(nullable=True), None),
    }
)
_attendant = obj(
    {
        "name": (text(blank=False), REQUIRED),
        "systemId": (choice(AutoAttendant.SystemId.values, nullable=True), None),
        "description": (text(), ""),
        "prompt": (text(nullable=True), None),
        "language": (text(max_length=16, blank=False), "en"),
        "menu": (list_of(_item, unique=lambda m: m["key"], what="menu key"), list),
    }
)
_special = obj({"enabled": (boolean, False), "attendant": (text(nullable=True), None)})


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


def load(attendants, ctx):
    """Creates or updates attendants, then their menus, whose parameters are checked against the PBX as loaded."""
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
        rows.append(row)
    # A name the file gives may belong to another attendant now: a user attendant gives way, a system one cannot.
    clashes = AutoAttendant.objects.filter(name__in={r.name for r in rows}).exclude(pk__in=[r.pk for r in rows if r.pk])
    for other in clashes:
        if other.system_id:
            i = next(i for i, r in enumerate(rows) if r.name == other.name)
            message = f"{show(other.name)} is the name of system attendant {other.system_id}"
            raise PbxDataError(f"autoAttendants[{i}].name", message)
    clashes.delete()
    for row in rows:
        row.save()
        ctx.step()
    names = set(AutoAttendant.objects.values_list("name", flat=True))
    MenuItem.objects.filter(attendant__in=rows).delete()
    items = []
    for i, (row, item) in enumerate(zip(rows, attendants, strict=True)):
        for j, entry in enumerate(item["menu"]):
            try:
                validate_menu_item(entry["key"], entry["action"], entry["parameter"] or "", names)
            except ValidationError as exc:
                raise PbxDataError(f"autoAttendants[{i}].menu[{j}]", " ".join(exc.messages)) from None
            parameter = entry["parameter"] or ""
            items.append(MenuItem(attendant=row, key=entry["key"], action=entry["action"], parameter=parameter))
    MenuItem.objects.bulk_create(items, batch_size=500)


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
        out.append(item)
    return out


def validate_special(value, path):
    return _special(value, path)


def clear_special():
    SpecialMode.objects.update(enabled=False, attendant=None)


def load_special(special, ctx):
    attendant = None
    if special["attendant"] is not None:
        attendant = AutoAttendant.objects.filter(name=special["attendant"]).first()
        if attendant is None:
            raise PbxDataError("specialMode.attendant", f"there is no attendant {show(special['attendant'])}")
    SpecialMode.objects.update_or_create(pk=1, defaults={"enabled": special["enabled"], "attendant": attendant})


def dump_special():
    """None (left out) at the default: off, nothing selected."""
    mode = SpecialMode.current()
    if not mode.enabled and mode.attendant is None:
        return None
    return {"enabled": mode.enabled, "attendant": mode.attendant.name if mode.attendant else None}
