"""The phone models sipxweb knows, as data: sipXconfig's model id, vendor, label, line count, the
firmware versions sipXconfig offered for it (oldest first; a new phone gets the newest by default) and the
provisioning family whose files the phone fetches (apps/provisioning: one family per file layout, its
templates in templates/provisioning/<family>/; None: sipxweb provisions no file for it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PhoneModel:
    id: str
    vendor: str
    label: str
    lines: int
    versions: tuple[str, ...] = ()

    @property
    def family(self) -> str | None:
        return PROVISIONING_FAMILIES.get(self.vendor)

    @property
    def default_version(self) -> str | None:
        return self.versions[-1] if self.versions else None

    def find_version(self, wanted: str) -> str | None:
        """sipXconfig 4.6: the first version of the model whose name contains `wanted`."""
        return next((v for v in self.versions if wanted in v), None)


_POLYCOM_SIP = ("2.0", "3.1.X", "3.2.X", "4.0.X")
_POLYCOM_UC = ("4.0.X", "4.1.X", "5.0.X", "6.0.X")
_VVX = ("4.1.X", "5.0.X", "5.9.X", "6.3.X")
_YEALINK = ("V70", "V72", "V73", "V81", "V84", "V86")
_SNOM = ("8.7.X", "8.9.X", "10.1.X")
_GRANDSTREAM = ("1.0.X", "1.0.11.X")
_CISCO_SPA = ("7.5.X", "7.6.X")
_AASTRA = ("3.3.X", "4.0.X", "4.2.X")

_MODELS = [
    PhoneModel("polycom300", "Polycom", "SoundPoint IP 300/301", 2, _POLYCOM_SIP),
    PhoneModel("polycom320", "Polycom", "SoundPoint IP 320/321", 2, _POLYCOM_SIP),
    PhoneModel("polycom330", "Polycom", "SoundPoint IP 330/331", 2, _POLYCOM_SIP + _POLYCOM_UC[:1]),
    PhoneModel("polycom335", "Polycom", "SoundPoint IP 335", 2, _POLYCOM_SIP + _POLYCOM_UC),
    PhoneModel("polycom430", "Polycom", "SoundPoint IP 430", 2, _POLYCOM_SIP),
    PhoneModel("polycom450", "Polycom", "SoundPoint IP 450", 3, _POLYCOM_SIP + _POLYCOM_UC),
    PhoneModel("polycom550", "Polycom", "SoundPoint IP 550/560", 4, _POLYCOM_SIP + _POLYCOM_UC),
    PhoneModel("polycom650", "Polycom", "SoundPoint IP 650/670", 6, _POLYCOM_SIP + _POLYCOM_UC),
    PhoneModel("polycom5000", "Polycom", "SoundStation IP 5000", 1, _POLYCOM_UC),
    PhoneModel("polycomVVX300", "Polycom", "VVX 300/310", 6, _VVX),
    PhoneModel("polycomVVX400", "Polycom", "VVX 400/410", 12, _VVX),
    PhoneModel("polycomVVX500", "Polycom", "VVX 500", 12, _VVX),
    PhoneModel("polycomVVX600", "Polycom", "VVX 600", 16, _VVX),
    PhoneModel("polycomVVX1500", "Polycom", "VVX 1500", 6, _VVX),
    PhoneModel("yealinkPhoneT41", "Yealink", "T41P/T41S", 3, _YEALINK),
    PhoneModel("yealinkPhoneT42", "Yealink", "T42G/T42S", 3, _YEALINK),
    PhoneModel("yealinkPhoneT46", "Yealink", "T46G/T46S", 16, _YEALINK),
    PhoneModel("yealinkPhoneT48", "Yealink", "T48G/T48S", 16, _YEALINK),
    PhoneModel("yealinkPhoneT53", "Yealink", "T53/T53W", 12, _YEALINK[-2:]),
    PhoneModel("yealinkPhoneT54", "Yealink", "T54W", 16, _YEALINK[-2:]),
    PhoneModel("yealinkPhoneT57", "Yealink", "T57W", 16, _YEALINK[-2:]),
    PhoneModel("snom320", "Snom", "snom 320", 12, _SNOM[:2]),
    PhoneModel("snom370", "Snom", "snom 370", 12, _SNOM[:2]),
    PhoneModel("snom720", "Snom", "snom 720", 12, _SNOM),
    PhoneModel("snomD735", "Snom", "snom D735", 12, _SNOM),
    PhoneModel("grandstreamGXP1625", "Grandstream", "GXP1625", 2, _GRANDSTREAM),
    PhoneModel("grandstreamGXP2160", "Grandstream", "GXP2160", 6, _GRANDSTREAM),
    PhoneModel("grandstreamGXP2170", "Grandstream", "GXP2170", 12, _GRANDSTREAM),
    PhoneModel("ciscoSpa303", "Cisco", "SPA303", 3, _CISCO_SPA),
    PhoneModel("ciscoSpa504g", "Cisco", "SPA504G", 4, _CISCO_SPA),
    PhoneModel("ciscoSpa525g", "Cisco", "SPA525G2", 5, _CISCO_SPA),
    PhoneModel("aastra6731i", "Aastra", "6731i", 6, _AASTRA),
    PhoneModel("aastra6757i", "Aastra", "6757i", 9, _AASTRA),
    PhoneModel("mitel6867i", "Mitel", "6867i", 9, _AASTRA[-1:] + ("5.1.X",)),
    PhoneModel("counterpathBria", "CounterPath", "Bria soft phone", 6),
    PhoneModel("sipxSoftPhone", "SIPfoundry", "Generic SIP soft phone", 1),
]

# Vendor -> provisioning family: every model of a vendor reads the same file layout (Mitel kept Aastra's).
PROVISIONING_FAMILIES = {
    "Polycom": "polycom",
    "Yealink": "yealink",
    "Snom": "snom",
    "Grandstream": "grandstream",
    "Cisco": "cisco",
    "Aastra": "aastra",
    "Mitel": "aastra",
}

CATALOGUE: dict[str, PhoneModel] = {m.id: m for m in _MODELS}
MODEL_CHOICES = [(m.id, f"{m.vendor} {m.label}") for m in _MODELS]


def _folded(text: str) -> str:
    return " ".join((text or "").lower().split())


def _names() -> dict[str, str]:
    """Every way a model is written, folded -> its id: the id, "Vendor Label" as the pages show it, and the label
    alone when no other model has that label."""
    names = {}
    labels: dict[str, list[str]] = {}
    for model in _MODELS:
        names[_folded(model.id)] = names[_folded(f"{model.vendor} {model.label}")] = model.id
        labels.setdefault(_folded(model.label), []).append(model.id)
    for label, ids in labels.items():
        if len(ids) == 1:
            names.setdefault(label, ids[0])
    return names


_NAMES = _names()


def model_id(text: str) -> str | None:
    """The catalogue id of a model written as its id or as the pages name it ("Yealink T46G/T46S", "T46G/T46S",
    any case and spacing), or None."""
    if text in CATALOGUE:
        return text
    return _NAMES.get(_folded(text))
