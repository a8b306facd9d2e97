"""Reading phonebook files: CSV in the sipXconfig layout (the columns of `addressbook.csv_columns()`, or just
"First name","Last name","Number" as GET /phonebook/{name} writes), Outlook's and Google's CSV exports (the layout
is recognised from the header row) and vCard 3.0/4.0 (parsed by vobject).

`parse()` reads the whole file before anything is written: every bad row is reported with its line number and
the name of its contact, and the caller imports nothing unless there is none (all-or-nothing; the admin page
shows this as a preview before importing). CSV files may be separated by semicolons, as European Excel saves."""

import csv
import io
import re
from dataclasses import dataclass, field

import vobject
from django.utils.translation import gettext as _

from apps.phonebooks import services
from apps.phonebooks.models import Phonebook
from apps.users import addressbook
from apps.users.models import User
from sipxweb import csvcells
from sipxweb.csvfiles import delimiter

MAX_ROWS = 200_000

SIPX, OUTLOOK, GOOGLE, VCARD = "sipXconfig CSV", "Outlook CSV", "Google CSV", "vCard"


class PhonebookFileError(Exception):
    """The file as a whole cannot be read (not text, unknown layout, too long)."""


@dataclass
class ParsedFile:
    layout: str
    entries: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    names: dict[int, str] = field(default_factory=dict)  # line of a rejected row -> its contact's name
    lines: list[int] = field(default_factory=list)  # the line (a card's BEGIN line) of each of `entries`
    # A private import's entries the user has already (`skip_duplicates`): (line, contact, reason), and their
    # positions in `entries`.
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    skipped_positions: set[int] = field(default_factory=set)

    def add(self, line: int, entry: dict) -> None:
        self.entries.append(entry)
        self.lines.append(line)

    def reject(self, line: int, reason: str, entry: dict | None = None) -> None:
        self.rejected.append((line, reason))
        name = contact_name(entry or {})
        if name:
            self.names[line] = name

    def skip_duplicates(self, duplicates: dict[int, int | None]) -> None:
        """Marks the entries services.private_duplicates found (position -> None: the user has it already, else the
        position of the earlier entry it repeats)."""
        self.skipped_positions = set(duplicates)
        self.skipped = []
        for position, earlier in sorted(duplicates.items()):
            if earlier is None:
                reason = _("already in your phonebook with this first name, last name and number")
            else:
                reason = _("the same first name, last name and number as line %(line)s") % {"line": self.lines[earlier]}
            self.skipped.append((self.lines[position], contact_name(self.entries[position]), reason))

    @property
    def kept(self) -> list[dict]:
        """The entries an import adds: all but the skipped ones."""
        if not self.skipped_positions:
            return self.entries
        return [entry for position, entry in enumerate(self.entries) if position not in self.skipped_positions]


def contact_name(entry: dict) -> str:
    """How a page names the contact of a file row: "First Last", else the company, else the number."""
    name = " ".join(p for p in (entry.get("first_name"), entry.get("last_name")) if p)
    return name or entry.get("company_name") or entry.get("number") or ""


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None and content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Outlook may save UTF-16
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    if text is None:
        raise PhonebookFileError(_("The file is not UTF-8 text: save it as CSV (UTF-8) or vCard and try again."))
    if "\x00" in text:
        raise PhonebookFileError(_("The file contains NUL characters: it is not a CSV or vCard text file."))
    return text


def parse(content: bytes) -> ParsedFile:
    text = decode(content)
    if re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE):
        return parse_vcard(text)
    return parse_csv(text)


# Rows of one file imported into a user's private phonebook (a person's contacts; a shared phonebook takes MAX_ROWS).
PRIVATE_MAX_ROWS = 10_000


def _private_bound(parsed: ParsedFile) -> None:
    rows = len(parsed.entries) + len(parsed.rejected)
    if rows > PRIVATE_MAX_ROWS:
        raise PhonebookFileError(
            _(
                "The file has %(rows)s contacts; your phonebook takes at most %(max)s per import: "
                "split it into smaller files."
            )
            % {"rows": f"{rows:,}", "max": f"{PRIVATE_MAX_ROWS:,}"}
        )


def check_private(parsed: ParsedFile, user: User) -> ParsedFile:
    """What an import into the user's private phonebook would skip (the preview of the portal's import); a file
    longer than PRIVATE_MAX_ROWS raises PhonebookFileError."""
    _private_bound(parsed)
    if not parsed.rejected:
        parsed.skip_duplicates(services.private_duplicates(user, parsed.entries))
    return parsed


def import_file(target: Phonebook | User, content: bytes, replace: bool = False) -> tuple[ParsedFile, int]:
    """The import of the phonebook pages and the admin JSON API: the whole file is read first; with any bad row
    nothing is imported (0). Else, into a shared phonebook (`target` a Phonebook), its entries are added to the
    phonebook's (or replace them); into a user's own private phonebook (`target` the User: the portal's import),
    they are added (`replace` does not apply) but for those the user has already, which `parsed.skipped` names
    (services.import_private_entries). A file that cannot be read at all raises PhonebookFileError."""
    parsed = parse(content)
    if parsed.rejected:
        return parsed, 0
    if isinstance(target, User):
        _private_bound(parsed)
        count, duplicates = services.import_private_entries(target, parsed.entries)
        parsed.skip_duplicates(duplicates)
        return parsed, count
    phonebook = target
    if replace:
        return parsed, services.replace_file_entries(phonebook, parsed.entries)
    return parsed, services.add_entries(parsed.entries, phonebook=phonebook)


# ---- CSV -----------------------------------------------------------------------------------------------

SIPX_COLUMNS = {title.lower(): source for title, source in addressbook.csv_columns()}


def _address_columns(prefixes: dict[str, str], parts: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Columns "<prefix><part>" of a foreign layout -> (address field, key): `prefixes` maps a column prefix to the
    address field, `parts` a column part to the address key."""
    return {prefix + part: (field, key) for prefix, field in prefixes.items() for part, key in parts.items()}


OUTLOOK_NUMBER = ["business phone", "primary phone", "company main phone", "mobile phone", "home phone", "other phone"]
OUTLOOK_COLUMNS = {
    "first name": "first_name",
    "last name": "last_name",
    "job title": "job_title",
    "department": "job_dept",
    "company": "company_name",
    "assistant's name": "assistant_name",
    "office location": "location",
    "mobile phone": "cell_phone_number",
    "home phone": "home_phone_number",
    "assistant's phone": "assistant_phone_number",
    "business fax": "fax_number",
    "e-mail address": "email_address",
    "e-mail 2 address": "alternate_email_address",
    "im address": "im_id",
    "imaddress": "im_id",
    **_address_columns(
        {"business ": "office_address", "home ": "home_address"},
        {
            "street": "street",
            "city": "city",
            "state": "state",
            "postal code": "zip",
            "country/region": "country",
            "country": "country",
        },
    ),
}
GOOGLE_COLUMNS = {
    "given name": "first_name",
    "first name": "first_name",
    "family name": "last_name",
    "last name": "last_name",
    "organization 1 - name": "company_name",
    "organization name": "company_name",
    "organization 1 - title": "job_title",
    "organization title": "job_title",
    "organization 1 - department": "job_dept",
    "organization department": "job_dept",
    "e-mail 1 - value": "email_address",
    "e-mail 2 - value": "alternate_email_address",
    **_address_columns(
        {"address 1 - ": "home_address"},
        {"street": "street", "city": "city", "region": "state", "postal code": "zip", "country": "country"},
    ),
}


def detect(header: list[str]) -> str:
    names = {h.strip().lower() for h in header}
    if any(re.fullmatch(r"phone \d+ - value", n) for n in names) or {"given name", "family name"} <= names:
        return GOOGLE
    if names & {"business phone", "mobile phone", "e-mail address", "primary phone"}:
        return OUTLOOK
    if "number" in names:
        return SIPX
    raise PhonebookFileError(
        _(
            "Line 1: the header row is not one of a sipXconfig phonebook (First Name, Last Name, Number, ...), "
            "an Outlook CSV export or a Google Contacts CSV export."
        )
    )


def _put(entry: dict, target, value: str) -> None:
    if isinstance(target, tuple):
        entry.setdefault(target[0], {})[target[1]] = value
    else:
        entry[target] = value


def _google_phones(cells: dict) -> tuple[str, dict]:
    """(main number, extra phone fields) from Google's `Phone N - Type/Label` + `Phone N - Value` columns."""
    number, extra = "", {}
    n = 1
    while f"phone {n} - value" in cells:
        values = [v.strip() for v in cells[f"phone {n} - value"].split(":::") if v.strip()]
        kind = (cells.get(f"phone {n} - type") or cells.get(f"phone {n} - label") or "").lower()
        for value in values:
            if "mobile" in kind and "cell_phone_number" not in extra:
                extra["cell_phone_number"] = value
            elif "home" in kind and "fax" not in kind and "home_phone_number" not in extra:
                extra["home_phone_number"] = value
            elif "fax" in kind and "fax_number" not in extra:
                extra["fax_number"] = value
            if not number:
                number = value
        n += 1
    return number, extra


def _row_entry(layout: str, cells: dict) -> dict:
    entry: dict = {}
    columns = {SIPX: SIPX_COLUMNS, OUTLOOK: OUTLOOK_COLUMNS, GOOGLE: GOOGLE_COLUMNS}[layout]
    for name, value in cells.items():
        value = value.strip()
        if value and name in columns:
            _put(entry, columns[name], value)
    if layout == OUTLOOK:
        entry["number"] = next((cells[c].strip() for c in OUTLOOK_NUMBER if (cells.get(c) or "").strip()), "")
    elif layout == GOOGLE:
        number, extra = _google_phones(cells)
        entry["number"] = number
        for key, value in extra.items():
            entry.setdefault(key, value)
        if not entry.get("first_name") and not entry.get("last_name") and cells.get("name", "").strip():
            entry["first_name"] = cells["name"].strip()
    return entry


def check_entry(entry: dict) -> str | None:
    """Why a file entry cannot be imported into a shared phonebook (the services' rule), or None."""
    problem = services.entry_problem(entry, shared=True)
    return problem[1] if problem else None


def parse_csv(text: str) -> ParsedFile:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise PhonebookFileError(_("The file is empty."))
        layout = detect(header)
        names = [h.strip().lower() for h in header]
        parsed = ParsedFile(layout)
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(parsed.entries) + len(parsed.rejected) >= MAX_ROWS:
                raise PhonebookFileError(
                    _("The file has more than %(max)s rows: split it into smaller files.") % {"max": MAX_ROWS}
                )
            # The `'` our exports put in front of a formula-like cell (sipxweb.csvcells) goes before anything
            # else reads the cell: an export imports back to the values it was written from.
            cells = [csvcells.unneutralise(c) for c in cells]
            entry = _row_entry(layout, dict(zip(names, cells, strict=False)))
            if len(cells) > len(names):
                parsed.reject(
                    line,
                    _("%(fields)s fields, but the header has %(header)s")
                    % {"fields": len(cells), "header": len(names)},
                    entry,
                )
                continue
            reason = check_entry(entry)
            if reason:
                parsed.reject(line, reason, entry)
            else:
                parsed.add(line, entry)
    except csv.Error as exc:
        raise PhonebookFileError(
            _("Line %(line)s: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": exc}
        ) from None
    return parsed


# ---- vCard ---------------------------------------------------------------------------------------------


def _value(component, name: str) -> str:
    child = getattr(component, name, None)
    value = getattr(child, "value", "") if child is not None else ""
    return value.strip() if isinstance(value, str) else ""


def _types(line) -> set[str]:
    types = set()
    for key in ("TYPE",):
        for value in line.params.get(key, []):
            types.update(v.strip().lower() for v in value.split(","))
    return types


def _tel(line) -> str:
    value = line.value if isinstance(line.value, str) else ""
    value = value.strip()
    return value[4:] if value.lower().startswith("tel:") else value


# The vCard properties of the address book (apps.users.addressbook). A TEL line typed HOME and FAX is a fax: HOME is
# the least specific type, so it is tried last.
TEL_FIELDS = sorted(addressbook.vcard_fields("tel"), key=lambda f: f.vcard[1] == "HOME")
EMAIL_FIELDS = addressbook.vcard_fields("email")
ORG_FIELDS = addressbook.vcard_fields("org")
TITLE_FIELD = addressbook.vcard_fields("title")[0]
# An ADR typed WORK is the office address; any other (HOME, none, PARCEL...) the home address.
ADR_DEFAULT = next(f for f in addressbook.vcard_fields("adr") if f.vcard[1] == "HOME")
ADR_TYPED = [f for f in addressbook.vcard_fields("adr") if f is not ADR_DEFAULT]
ADR_PARTS = {key: part.vcard for key, part in addressbook.ADDRESS_PARTS.items() if part.vcard}


def _card_names(card) -> dict:
    n = getattr(card, "n", None)
    first = last = ""
    if n is not None and not isinstance(n.value, str):
        first = n.value.given.strip() if isinstance(n.value.given, str) else ""
        last = n.value.family.strip() if isinstance(n.value.family, str) else ""
    if not first and not last:
        parts = _value(card, "fn").split(None, 1)
        first, last = (parts + ["", ""])[:2]
    return {"first_name": first, "last_name": last}


def _card_phones(card) -> dict:
    """The number (the WORK line, else a PREF one, else the first) and the typed extra phones."""
    phones = [(_types(line), _tel(line)) for line in card.contents.get("tel", [])]
    phones = [(types, value) for types, value in phones if value]
    ranked = sorted(phones, key=lambda p: 0 if "work" in p[0] else 1 if "pref" in p[0] else 2)
    out = {"number": ranked[0][1] if ranked else ""}
    for types, value in phones:
        field = next((f.model for f in TEL_FIELDS if f.vcard[1].lower() in types), None)
        if field is not None:
            out.setdefault(field, value)
    return out


def _card_texts(card) -> dict:
    """E-mail addresses, organisation (company; department) and title."""
    emails = [line.value.strip() for line in card.contents.get("email", []) if isinstance(line.value, str)]
    out = {f.model: value for f, value in zip(EMAIL_FIELDS, emails, strict=False)}
    org = getattr(card, "org", None)
    if org is not None:
        values = org.value if isinstance(org.value, list) else [org.value]
        out.update({f.model: str(v).strip() for f, v in zip(ORG_FIELDS, values, strict=False) if v})
    out[TITLE_FIELD.model] = _value(card, "title")
    return out


def _card_addresses(card) -> dict:
    """The first ADR of each address (see ADR_TYPED)."""
    out: dict = {}
    for line in card.contents.get("adr", []):
        adr = line.value
        if isinstance(adr, str):
            continue
        types = _types(line)
        target = next((f for f in ADR_TYPED if f.vcard[1].lower() in types), ADR_DEFAULT).model
        if target in out:
            continue
        address = {key: getattr(adr, attribute) for key, attribute in ADR_PARTS.items()}
        address = {k: (" ".join(v) if isinstance(v, list) else v).strip() for k, v in address.items() if v}
        if address:
            out[target] = address
    return out


def _card_entry(card) -> dict:
    entry = {**_card_names(card), **_card_phones(card), **_card_texts(card), **_card_addresses(card)}
    return {k: v for k, v in entry.items() if v not in ("", None, {})}


def parse_vcard(text: str) -> ParsedFile:
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip().upper() == "BEGIN:VCARD"]
    parsed = ParsedFile(VCARD)
    index = 0
    try:
        for card in vobject.readComponents(text, validate=False, ignoreUnreadable=False):
            line = starts[index] if index < len(starts) else index + 1
            index += 1
            if card.name.upper() != "VCARD":
                parsed.reject(line, _("a %(name)s component, not a vCard") % {"name": card.name})
                continue
            if len(parsed.entries) + len(parsed.rejected) >= MAX_ROWS:
                raise PhonebookFileError(
                    _("The file has more than %(max)s cards: split it into smaller files.") % {"max": MAX_ROWS}
                )
            try:
                entry = _card_entry(card)
            except (AttributeError, TypeError, ValueError) as exc:
                parsed.reject(
                    line, _("the card cannot be read (%(error)s)") % {"error": exc}, {"first_name": _value(card, "fn")}
                )
                continue
            reason = check_entry(entry)
            if reason:
                parsed.reject(line, reason, entry)
            else:
                parsed.add(line, entry)
    except vobject.base.ParseError as exc:
        number = getattr(exc, "lineNumber", None)
        if number:
            sentence = _("Line %(line)s: this is not a valid vCard file (%(error)s).") % {"line": number, "error": exc}
        else:
            sentence = _("this is not a valid vCard file (%(error)s).") % {"error": exc}
        raise PhonebookFileError(sentence) from None
    except (ValueError, TypeError, AttributeError, UnicodeError) as exc:
        raise PhonebookFileError(_("This is not a valid vCard file (%(error)s).") % {"error": exc}) from None
    return parsed
