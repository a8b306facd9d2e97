"""`provisioning`: the credential phones fetch their files with (apps/provisioning, docs/provisioning.md). Always
exported; the password is written in clear, as the users' SIP passwords are (Digest needs it for the realm of the
day, and the phones are configured with it). The rules are apps.provisioning.services.check_credential's, the same as
the admin's credential page, and so is the writer (set_credential; --replace: reset_credential), which records
each change in the audit log."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, obj, text
from apps.provisioning import services
from apps.provisioning.models import ProvisioningSettings

_check = obj({"user": (text(), REQUIRED), "password": (text(), REQUIRED)})


def validate(value, path):
    cleaned = _check(value, path)
    try:
        services.check_credential(cleaned["user"], cleaned["password"])
    except services.ProvisioningError as exc:
        raise PbxDataError(f"{path}.{exc.field}", " ".join(exc.messages).rstrip(".")) from None
    return cleaned


def clear():
    services.reset_credential()


def load(value, ctx):
    services.set_credential(value["user"], value["password"])


def dump():
    row = ProvisioningSettings.load()
    return {"user": row.user, "password": row.password}
