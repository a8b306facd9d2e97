"""The provisioning families as data: per family (a file layout several vendors' models share, named by
`apps/phones/catalogue.py`), the files its phones fetch, each with the template it is written from
(`templates/provisioning/<family>/<template>`), its syntax (how values are escaped, `render.py`) and whether it
holds the phonebook; and the family's names for the phone languages.

A new model of a known family is a line of the catalogue; a new family is an entry here and its templates.

File names: `{mac}` is the phone's MAC address, 12 lower-case hex digits (a request may spell it in upper case).
A file without `{mac}` is shared by every phone of the family and built from the settings alone."""

import re
from dataclasses import dataclass, field
from functools import cached_property

XML = "xml"  # values escaped as XML text and attributes (sipxweb/xmltext.py)
KEY_VALUE = "key-value"  # `key = value` / `key: value` lines: a value is one line (no control characters)
QUOTED_CSV = "quoted-csv"  # "name", "number" lines: one line, no double quote inside the quotes


@dataclass(frozen=True)
class FileKind:
    name: str  # the file name pattern, e.g. "{mac}-directory.xml"
    template: str  # relative to templates/provisioning/<family>/
    syntax: str
    content_type: str
    phonebook: bool = False  # the file lists the first line user's phonebook

    @cached_property  # every fetch matches the name against each kind: compiled once per kind
    def pattern(self) -> re.Pattern:
        escaped = re.escape(self.name).replace(re.escape("{mac}"), "(?P<mac>[0-9A-Fa-f]{12})")
        return re.compile(f"^{escaped}$")

    @property
    def shared(self) -> bool:
        return "{mac}" not in self.name

    def file_name(self, mac: str) -> str:
        return self.name.replace("{mac}", mac)


_XML_TYPE = "application/xml; charset=utf-8"
_TEXT_TYPE = "text/plain; charset=utf-8"

# ISO 639-1 code of PHONE_LANGUAGE -> each family's name for it; a code a family lacks gets its English.
_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")


def _languages(*names: str) -> dict[str, str]:
    return dict(zip(_LANGUAGES, names, strict=True))


@dataclass(frozen=True)
class Family:
    name: str
    files: tuple[FileKind, ...]
    languages: dict[str, str] = field(default_factory=dict)

    def language(self, code: str) -> str:
        return self.languages.get(code, self.languages["en"])

    def kind(self, file_name: str) -> FileKind | None:
        return next((kind for kind in self.files if kind.pattern.match(file_name)), None)


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "polycom",
            (
                FileKind("{mac}.cfg", "master.cfg", XML, _XML_TYPE),
                FileKind("{mac}-phone.cfg", "phone.cfg", XML, _XML_TYPE),
                FileKind("{mac}-directory.xml", "directory.xml", XML, _XML_TYPE, phonebook=True),
                FileKind("sipxweb-shared.cfg", "shared.cfg", XML, _XML_TYPE),
            ),
            _languages(
                "English_United_States",
                "German_Germany",
                "French_France",
                "Spanish_Spain",
                "Italian_Italy",
                "Dutch_Netherlands",
                "Portuguese_Portugal",
            ),
        ),
        Family(
            "yealink",
            (
                FileKind("{mac}.cfg", "config.cfg", KEY_VALUE, _TEXT_TYPE),
                FileKind("{mac}-phonebook.xml", "phonebook.xml", XML, _XML_TYPE, phonebook=True),
            ),
            _languages("English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese"),
        ),
        Family(
            "snom",
            (FileKind("{mac}.xml", "settings.xml", XML, _XML_TYPE, phonebook=True),),
            _languages("English", "Deutsch", "Francais", "Espanol", "Italiano", "Nederlands", "Portugues"),
        ),
        Family(
            "grandstream",
            (
                FileKind("cfg{mac}.xml", "config.xml", XML, _XML_TYPE),
                FileKind("{mac}/phonebook.xml", "phonebook.xml", XML, _XML_TYPE, phonebook=True),
            ),
            _languages("en", "de", "fr", "es", "it", "nl", "pt"),
        ),
        Family(
            "cisco",
            (
                FileKind("spa{mac}.xml", "config.xml", XML, _XML_TYPE),
                FileKind("spa{mac}-directory.xml", "directory.xml", XML, _XML_TYPE, phonebook=True),
            ),
            _languages("English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese"),
        ),
        Family(
            "aastra",
            (
                FileKind("{mac}.cfg", "config.cfg", KEY_VALUE, _TEXT_TYPE),
                FileKind("{mac}-directory.csv", "directory.csv", QUOTED_CSV, _TEXT_TYPE, phonebook=True),
            ),
            # Aastra names a language by the file of its pack (lang_<code>.txt); English is built in.
            _languages("", "lang_de.txt", "lang_fr.txt", "lang_es.txt", "lang_it.txt", "lang_nl.txt", "lang_pt.txt"),
        ),
    )
}

LANGUAGE_CODES = _LANGUAGES
ZERO_MAC = "000000000000"  # Polycom's default master file: asked for by any phone without a file of its own


@dataclass(frozen=True)
class Wanted:
    """What a requested file name can be: the MAC it names (None: a shared file) and the families it fits."""

    mac: str | None
    families: tuple[str, ...]


def wanted(file_name: str) -> Wanted | None:
    """The MAC (lower case) and the families whose file patterns the name fits; None when it fits none."""
    fits: list[str] = []
    mac = None
    for family in FAMILIES.values():
        for kind in family.files:
            match = kind.pattern.match(file_name)
            if match:
                fits.append(family.name)
                if not kind.shared:
                    mac = match.group("mac").lower()
                break
    return Wanted(mac, tuple(fits)) if fits else None
