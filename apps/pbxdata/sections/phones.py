"""`phones`: the file's schema and its mapping onto apps.phones.services.upsert_phones, which holds every rule
(serial format, model, firmware version, line users) as it does for POST /phone and the phone pages."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, list_of, obj, text
from apps.phones import services
from apps.phones.models import Phone

_phone = obj(
    {
        "serialNumber": (text(), REQUIRED),
        "model": (text(), REQUIRED),
        "version": (text(nullable=True), None),
        "description": (text(), ""),
        "lines": (list_of(text()), list),
    }
)

# PhoneData field -> the file's key, to name the path of a refused value.
KEYS = {
    "serial_number": "serialNumber",
    "model": "model",
    "version": "version",
    "description": "description",
    "lines": "lines",
}


def validate(value, path):
    return list_of(_phone, what="phone")(value, path)


def clear():
    Phone.objects.all().delete()


def load(phones, ctx):
    ctx.stage("phones", len(phones))
    items = [
        services.PhoneData(
            serial_number=p["serialNumber"],
            model=p["model"],
            description=p["description"],
            version=p["version"],
            lines=p["lines"],
        )
        for p in phones
    ]
    try:
        # A restore keeps a phone stored without a version as it was (export leaves such a version out).
        services.upsert_phones(items, keep_missing_version=True)
    except services.PhoneError as exc:
        path = f"phones[{exc.item}].{KEYS[exc.field]}" + (f"[{exc.line}]" if exc.line is not None else "")
        raise PbxDataError(path, " ".join(exc.messages).rstrip(".")) from None
    ctx.step(len(phones))


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
