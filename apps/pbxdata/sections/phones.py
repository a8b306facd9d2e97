"""`phones`: phones matched by serial number (MAC); `lines` name users by user name."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, choice, list_of, obj, show, text
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import SERIAL, Line, Phone, normalise_serial
from apps.users.models import User


def _serial(value, path):
    serial = normalise_serial(text(blank=False)(value, path))
    if not SERIAL.match(serial):
        raise PbxDataError(path, f"{show(value)} is not a MAC address of 12 hexadecimal digits")
    return serial


_phone = obj(
    {
        "serialNumber": (_serial, REQUIRED),
        "model": (choice(sorted(CATALOGUE)), REQUIRED),
        "version": (text(max_length=32, nullable=True), None),
        "description": (text(), ""),
        "lines": (list_of(text(blank=False), unique=lambda n: n, what="line user"), list),
    }
)


def validate(value, path):
    phones = list_of(_phone, unique=lambda p: p["serialNumber"], what="phone")(value, path)
    for i, phone in enumerate(phones):
        model = CATALOGUE[phone["model"]]
        if phone["version"] is not None and phone["version"] not in model.versions:
            known = ", ".join(model.versions) or "none"
            message = f"{show(phone['version'])} is not a version of {model.id} ({known})"
            raise PbxDataError(f"{path}[{i}].version", message)
        if len(phone["lines"]) > model.lines:
            message = f"model {model.id} has {model.lines} lines, not {len(phone['lines'])}"
            raise PbxDataError(f"{path}[{i}].lines", message)
    return phones


def clear():
    Phone.objects.all().delete()


def load(phones, ctx):
    """Creates or updates the file's phones and replaces their lines (a fixed number of queries)."""
    serials = [p["serialNumber"] for p in phones]
    existing = {} if ctx.replace else {p.serial_number: p for p in Phone.objects.filter(serial_number__in=serials)}
    wanted_users = {name for p in phones for name in p["lines"]}
    users = {u.username: u for u in User.objects.filter(username__in=wanted_users)}
    for i, phone in enumerate(phones):
        for j, name in enumerate(phone["lines"]):
            if name not in users:
                raise PbxDataError(f"phones[{i}].lines[{j}]", f"there is no user {show(name)}")
    ctx.stage("phones", len(phones))
    new, changed = [], []
    for item in phones:
        row = existing.get(item["serialNumber"])
        if row is None:
            row = Phone(serial_number=item["serialNumber"])
            new.append(row)
        else:
            changed.append(row)
        row.model, row.version, row.description = item["model"], item["version"], item["description"]
        ctx.step()
    Phone.objects.bulk_create(new, batch_size=500)
    Phone.objects.bulk_update(changed, ["model", "version", "description"], batch_size=500)
    rows = {p.serial_number: p for p in Phone.objects.filter(serial_number__in=serials)}
    Line.objects.filter(phone__in=rows.values()).delete()
    Line.objects.bulk_create(
        [
            Line(phone=rows[p["serialNumber"]], user=users[name], position=k)
            for p in phones
            for k, name in enumerate(p["lines"])
        ],
        batch_size=500,
    )


def dump():
    out = []
    for phone in Phone.objects.prefetch_related("lines__user").order_by("serial_number"):
        item = {"serialNumber": phone.serial_number, "model": phone.model}
        if phone.version:
            item["version"] = phone.version
        if phone.description:
            item["description"] = phone.description
        lines = [line.user.username for line in phone.lines.all()]
        if lines:
            item["lines"] = lines
        out.append(item)
    return out or None
