"""Building a phone's files: what each template is given (`context`), and the version a built file is valid for.

A file's content depends on the phone (model, firmware version), its lines and their users, the first line user's
phonebook as the phone shows it, the uploaded firmware, the provisioning credential (in the URLs the files name)
and the installation (`Installation`: SIP domain and proxy, time zone, NTP server, language, base URL, from the
settings and the request). `version()` puts all of that in one key: the count of writes to the tables it is read
from (`changes.py`), the installation and the templates. The ETag is the hash of the bytes, so a file whose
version moved but whose bytes did not keeps its ETag."""

import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

from apps.phonebooks import readmodel
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Line, Phone
from apps.provisioning import render
from apps.provisioning.families import FAMILIES, Family, FileKind
from apps.provisioning.models import Firmware, ProvisioningSettings
from apps.provisioning.timezones import PhoneTimeZone, phone_time_zone


@dataclass(frozen=True)
class Installation:
    """What every file of the installation shares; built per request (the base URL may come from it)."""

    domain: str
    proxy_host: str
    proxy_port: int
    time_zone: PhoneTimeZone
    ntp_server: str
    language: str  # ISO 639-1 (families.LANGUAGE_CODES)
    base_url: str  # the absolute URL of /provision/ with the credential as user info, ends with "/"

    @property
    def server(self) -> str:
        """The base URL without its scheme (Grandstream asks for a server path)."""
        return self.base_url.split("://", 1)[1]

    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


def split_proxy(value: str) -> tuple[str, int]:
    """host:port, [v6]:port or a bare host (port 5060)."""
    host, port = value, 5060
    if value.startswith("["):
        end = value.find("]")
        host, rest = value[: end + 1], value[end + 1 :]
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif value.count(":") == 1:
        name, _, number = value.partition(":")
        if number.isdigit():
            host, port = name, int(number)
    return host, port


@lru_cache(maxsize=64)  # bounded: the host comes from the request
def _with_credential(url: str, user: str, password: str) -> str:
    parts = urlsplit(url if url.endswith("/") else url + "/")
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return urlunsplit((parts.scheme, f"{userinfo}@{host}", parts.path, "", ""))


@cache
def _root_path(script_prefix: str) -> str:
    from django.urls import reverse

    return reverse("provision:root")


def base_url(request, credential: ProvisioningSettings) -> str:
    """PROVISIONING_URL, else this request's scheme and host with /provision/; with the credential as user info,
    so a phone that follows a URL of its file (a phonebook, a firmware image) authenticates as it did for the file.
    Every poll asks (the version includes it): the URL work is done once per distinct answer."""
    from django.urls import get_script_prefix

    url = settings.PROVISIONING_URL or request.build_absolute_uri(_root_path(get_script_prefix()))
    return _with_credential(url, credential.user, credential.password)


def installation(request, credential: ProvisioningSettings) -> Installation:
    host, port = split_proxy(settings.PROVISIONING_SIP_PROXY)
    return Installation(
        domain=settings.SIPX_DOMAIN,
        proxy_host=host,
        proxy_port=port,
        time_zone=phone_time_zone(settings.PHONE_TIME_ZONE),
        ntp_server=settings.PHONE_NTP_SERVER,
        language=settings.PHONE_LANGUAGE,
        base_url=base_url(request, credential),
    )


def version(changes: int | None, place: Installation) -> str | None:
    """The key a built file is valid for; None where writes are not counted (every poll then builds)."""
    if changes is None:
        return None
    key = f"{changes}:{place.fingerprint()}:{render.templates_fingerprint()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


MASK = "********"


class Masked:
    """A SIP password in the admin's preview (`build(..., masked=True)`): it is no string, so the renderer writes
    str() of it, which is the mask. Masked where it is written, by the same templates: nothing is searched for and
    replaced afterwards, so no password can be missed in a format that spells it differently."""

    def __str__(self) -> str:
        return MASK


@dataclass(frozen=True)
class Account:
    """One line of the phone: the SIP account of its user."""

    index: int  # 1-based
    user_name: str
    password: str
    display_name: str


class Entry(NamedTuple):
    """One entry of the phonebook a phone shows. A tuple with its `name` worked out once: a phonebook file makes
    and reads 2,000 of them, and a frozen dataclass and a property cost several times as much per entry."""

    first_name: str
    last_name: str
    number: str
    name: str  # "First Last", else the number

    @classmethod
    def of(cls, first_name: str, last_name: str, number: str) -> "Entry":
        name = f"{first_name} {last_name}" if first_name and last_name else first_name or last_name or number
        return cls(first_name, last_name, number, name)


def accounts(phone_id: int, masked: bool = False) -> tuple[list[Account], object | None]:
    """The phone's lines in order (enabled users only: a disabled user cannot register) and the first line's
    user, whose phonebook the phone shows. `masked`: the passwords as `Masked` (the admin's preview)."""
    lines = (
        Line.objects.filter(phone_id=phone_id, user__is_active=True)
        .select_related("user")
        .only("position", "user__username", "user__first_name", "user__last_name", "user__sip_password")
        .order_by("position", "id")
    )
    users = [line.user for line in lines]
    found = [
        Account(index, user.username, Masked() if masked else user.sip_password, user.display_name)
        for index, user in enumerate(users, 1)
    ]
    return found, (users[0] if users else None)


def phonebook(user) -> list[Entry]:
    """What the user's phones show: the merged view of /my/phonebook (its rules and order), private entries only
    with "show on phone" on."""
    if user is None:
        return []
    make = Entry.of
    return [make(r.first_name, r.last_name, r.number) for r in readmodel.iter_merged(user, on_phone=True)]


def build(phone: Phone, family: Family, kind: FileKind, place: Installation, masked: bool = False) -> bytes:
    """The bytes of one file of one phone; `masked`: with the SIP passwords masked (the admin's preview)."""
    mac = phone.serial_number
    lines, owner = accounts(phone.pk, masked)
    firmware = Firmware.objects.filter(model=phone.model, version=phone.version).first() if phone.version else None
    files = {k.template: k.file_name(mac) for k in family.files}
    model = CATALOGUE[phone.model]
    context = {
        "mac": mac,
        "phone": phone,
        "model": model,
        "lines": lines,
        # The model's other lines: written as off, so a line taken away leaves the phone.
        "spare": range(len(lines) + 1, model.lines + 1),
        **_installation(family, place),
        "base_url": place.base_url,
        "server": place.server,
        "https": place.base_url.startswith("https:"),
        "files": files,
        "urls": {template: place.base_url + name for template, name in files.items()},
        "firmware_path": firmware_path(firmware),
        "firmware_dir": firmware_path(firmware).rsplit("/", 1)[0],
        "firmware_url": place.base_url + firmware_path(firmware) if firmware else "",
        "entries": phonebook(owner) if kind.phonebook else [],
    }
    return render.render(family.name, kind.template, kind.syntax, context)


def build_shared(family: Family, kind: FileKind, place: Installation) -> bytes:
    """A file every phone of the family shares (Polycom's sipxweb-shared.cfg): the installation only."""
    return render.render(family.name, kind.template, kind.syntax, _installation(family, place))


def _installation(family: Family, place: Installation) -> dict:
    """What every file of a family says about the installation, whichever phone fetches it."""
    return {
        "domain": place.domain,
        "proxy_host": place.proxy_host,
        "proxy_port": place.proxy_port,
        "tz": place.time_zone,
        "ntp_server": place.ntp_server,
        "language": family.language(place.language),
    }


def firmware_path(firmware: Firmware | None) -> str:
    """The firmware image's path below /provision/ ("" without one)."""
    if firmware is None:
        return ""
    return f"firmware/{firmware.pk}/{quote(firmware.filename)}"


def family_of(model_id: str) -> Family | None:
    model = CATALOGUE.get(model_id)
    return FAMILIES.get(model.family) if model is not None and model.family else None
