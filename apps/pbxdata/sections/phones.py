"""`phones`: the file's schema and its mapping onto apps.phones.services.upsert_phones, which holds every rule
(serial format, model, firmware version, line users) as it does for POST /phone and the phone pages."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, join, list_of, obj, text
from apps.phones import services
from apps.phones.models import Phone

# One phone: the admin JSON API (apps/adminapi/resources/phones.py) checks its bodies with it too.
PHONE = obj(
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
    return list_of(PHONE, what="phone")(value, path)


def clear():
    services.delete_all_phones()


def phone_data(p: dict) -> services.PhoneData:
    """A checked phone of the file (or of the admin JSON API) as the phones service takes it."""
    return services.PhoneData(
        serial_number=p["serialNumber"],
        model=p["model"],
        description=p["description"],
        version=p["version"],
        lines=p["lines"],
    )


def refused(error: services.PhoneError, where: str) -> PbxDataError:
    """The service's refusal of a value of phone `where` ("phones[3]"), at the path of the file's key."""
    path = join(where, KEYS[error.field]) + (f"[{error.line}]" if error.line is not None else "")
    return PbxDataError(path, " ".join(error.messages).rstrip("."))


def load(phones, ctx):
    ctx.stage("phones", len(phones))
    items = [phone_data(p) for p in phones]
    try:
        # A restore keeps a phone stored without a version as it was (export leaves such a version out).
        services.upsert_phones(items, keep_missing_version=True)
    except services.PhoneError as exc:
        raise refused(exc, f"phones[{exc.item}]") from None
    ctx.step(len(phones))


def dump_phone(phone: Phone) -> dict:
    """One phone; keys at their default are left out. Its lines' users must be fetched (`lines__user`)."""
    item = {"serialNumber": phone.serial_number, "model": phone.model}
    if phone.version:
        item["version"] = phone.version
    if phone.description:
        item["description"] = phone.description
    lines = [line.user.username for line in phone.lines.all()]
    if lines:
        item["lines"] = lines
    return item


def dump():
    out = [dump_phone(phone) for phone in Phone.objects.prefetch_related("lines__user").order_by("serial_number")]
    return out or None
