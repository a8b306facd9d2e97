"""Unknown phones that asked for their files (`UnknownPhone`, recorded by the /provision/ view): what model one
probably is, and turning it into a phone.

The guess, for the admin to correct: the vendor from the user agent (phones name themselves: "Yealink SIP-T46S",
"PolycomVVX-VVX_410-UA/5.9.0", "snom720/10.1"), else from the MAC's vendor prefix (OUI), else from the file it asked
for (only one family asks for `cfg<mac>.xml`); then the vendor's model whose name the user agent carries
(longest match), else the vendor's first. The phone itself is created by the phones app's one rule,
`apps.phones.services.create_phone`, as every other way of adding a phone does."""

import re
from functools import cache

from django.db import transaction

from apps.phones import services as phones
from apps.phones.catalogue import CATALOGUE, PROVISIONING_FAMILIES, PhoneModel
from apps.phones.models import Phone
from apps.provisioning.families import wanted
from apps.provisioning.models import UnknownPhone

# IEEE OUIs (the first six hex digits of the MAC) of the catalogue's vendors, as registered to them.
OUIS = {
    "0004f2": "Polycom",
    "64167f": "Polycom",
    "482567": "Polycom",
    "001565": "Yealink",
    "805ec0": "Yealink",
    "805e0c": "Yealink",
    "249ad8": "Yealink",
    "44dbd2": "Yealink",
    "000413": "Snom",
    "000b82": "Grandstream",
    "c074ad": "Grandstream",
    "ec74d7": "Grandstream",
    "e05fb9": "Cisco",
    "000e08": "Cisco",  # Linksys, the SPA's first maker
    "0018f8": "Cisco",
    "00085d": "Aastra",
    "08000f": "Mitel",
}


def _squeezed(text: str) -> str:
    """Upper case letters and digits only: "VVX 400" -> "VVX400"."""
    return re.sub(r"[^0-9A-Z]", "", text.upper())


@cache
def _names(model: PhoneModel) -> tuple[re.Pattern, ...]:
    """What a user agent may call the model, longest first: each name of its label ("T41P/T41S" -> T41P, T41S;
    "VVX 400/410" -> VVX400, VVX410, 410) and its id without the vendor ("yealinkPhoneT41" -> T41). A name matches
    with a separator or none between its characters ("VVX_410", "SIP-T46S") and no digit either side ("T46S 66.86"
    is a T46S, "1650" no 650)."""
    parts = [p.strip() for p in model.label.split("/")]
    first = parts[0]
    names = {_squeezed(first), _squeezed(first.split()[-1])}
    for part in parts[1:]:
        # "650/670": the second name replaces the end of the first ("SoundPoint IP 670").
        names.add(_squeezed(first[: len(first) - len(part)] + part) if len(part) < len(first) else _squeezed(part))
        names.add(_squeezed(part))
    names.add(_squeezed(re.sub(r"^(?i:" + re.escape(model.vendor) + r")(?i:phone)?", "", model.id)))
    ordered = sorted((n for n in names if len(n) >= 3), key=len, reverse=True)
    return tuple(re.compile(r"(?<![0-9])" + r"[\s_.-]?".join(map(re.escape, n)) + r"(?![0-9])") for n in ordered)


def _vendor_in(agent: str) -> str | None:
    upper = agent.upper()
    vendors = dict.fromkeys(m.vendor for m in CATALOGUE.values() if m.family)
    return next((v for v in vendors if v.upper() in upper), None)


def _named(model: PhoneModel, agent: str) -> int:
    """How long the longest name of `model` that the (upper-cased) user agent carries is; 0: none."""
    return max((len(m.group()) for name in _names(model) if (m := name.search(agent))), default=0)


def guess_model(mac: str, file_name: str = "", user_agent: str = "") -> str | None:
    """The catalogue id the unknown phone most likely is; None when nothing points to a vendor sipxweb provisions."""
    vendor = _vendor_in(user_agent) or OUIS.get(mac[:6].lower())
    models = [m for m in CATALOGUE.values() if m.family]
    if vendor is None:
        fits = wanted(file_name)
        families = set(fits.families) if fits else set()
        vendors = {v for v, family in PROVISIONING_FAMILIES.items() if family in families}
        if len(families) != 1:
            return None
        vendor = next(m.vendor for m in models if m.vendor in vendors)
    candidates = [m for m in models if m.vendor == vendor]
    if not candidates:
        return None
    agent = user_agent.upper()
    best = max(candidates, key=lambda m: _named(m, agent))  # max keeps the first of equals: the catalogue's order
    return best.id


@transaction.atomic
def adopt(unknown: UnknownPhone, model: str, lines=(), description: str = "") -> Phone:
    """The unknown phone becomes a phone with its MAC, by the phones app's rule (model, firmware version: the model's
    newest, line users); it leaves the unknown list. Raises the phones app's PhoneError, and changes nothing, when
    the phone is refused."""
    data = phones.PhoneData(serial_number=unknown.mac, model=model, description=description, lines=list(lines))
    phone = phones.create_phone(data)
    UnknownPhone.objects.filter(pk=unknown.pk).delete()
    return phone
