"""The admin's preview of a phone's files: built by the same code and templates as what the phone fetches
(`files.build`), with the secrets masked where they are written: the SIP passwords (`files.Masked`) and the
provisioning password in the URLs the files name. Nothing is recorded: a preview is no fetch."""

from dataclasses import dataclass, replace
from urllib.parse import quote

from apps.phones.models import Phone
from apps.provisioning import files
from apps.provisioning.families import FileKind
from apps.provisioning.models import ProvisioningSettings


@dataclass(frozen=True)
class PhoneFileName:
    """One file of a phone: its name under /provision/ and its kind."""

    name: str
    kind: FileKind

    @property
    def shared(self) -> bool:
        return self.kind.shared


def file_names(phone: Phone) -> list[PhoneFileName]:
    """The files the phone fetches, in its family's order ([]: its model is provisioned by no family)."""
    family = files.family_of(phone.model)
    if family is None:
        return []
    return [PhoneFileName(kind.file_name(phone.serial_number), kind) for kind in family.files]


def masked_place(request, credential: ProvisioningSettings) -> files.Installation:
    """The installation as the phone sees it, but with the provisioning password masked in its base URL (the
    user info the file's URLs carry)."""
    place = files.installation(request, credential)
    user = quote(credential.user, safe="")
    real = f"{user}:{quote(credential.password, safe='')}@"
    return replace(place, base_url=place.base_url.replace(real, f"{user}:{files.MASK}@", 1))


def preview(request, phone: Phone, name: str) -> tuple[PhoneFileName, str] | None:
    """The file `name` of `phone` with its secrets masked, as text; None when the phone has no such file."""
    found = next((f for f in file_names(phone) if f.name == name), None)
    if found is None:
        return None
    family = files.family_of(phone.model)
    place = masked_place(request, ProvisioningSettings.load())
    if found.shared:
        body = files.build_shared(family, found.kind, place)
    else:
        body = files.build(phone, family, found.kind, place, masked=True)
    return found, body.decode("utf-8")
