"""Reading phonebook files: CSV in the sipXconfig layout (the columns of `exports.COLUMNS`, or just
"First name","Last name","Number" as GET /phonebook/{name} writes), Outlook's and Google's CSV exports (the layout
is recognised from the header row) and vCard 3.0/4.0 (parsed by vobject).

`parse()` reads the whole file before anything is written: every bad row is reported with its line number
and the caller imports nothing unless there is none (all-or-nothing)."""

import csv
import io
import re
from dataclasses import dataclass, field

import vobject

from apps.phonebooks.exports import COLUMNS
from sipxweb import csvcells

MAX_ROWS = 200_000
MAX_LEN = 255

SIPX, OUTLOOK, GOOGLE, VCARD = "sipXconfig CSV", "Outlook CSV", "Google CSV", "vCard"


class PhonebookFileError(Exception):
    """The file as a whole cannot be read (not text, unknown layout, too long)."""


@dataclass
class ParsedFile:
    layout: str
    entries: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


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
        raise PhonebookFileError("The file is not UTF-8 text: save it as CSV (UTF-8) or vCard and try again.")
    if "\x00" in text:
        raise PhonebookFileError("The file contains NUL characters: it is not a CSV or vCard text file.")
    return text


def parse(content: bytes) -> ParsedFile:
    text = decode(content)
    if re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE):
        return parse_vcard(text)
    return parse_csv(text)


# ---- CSV -----------------------------------------------------------------------------------------------

SIPX_COLUMNS = {title.lower(): source for title, source in COLUMNS}

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
    "business street": ("office_address", "street"),
    "business city": ("office_address", "city"),
    "business state": ("office_address", "state"),
    "business postal code": ("office_address", "zip"),
    "business country/region": ("office_address", "country"),
    "business country": ("office_address", "country"),
    "home street": ("home_address", "street"),
    "home city": ("home_address", "city"),
    "home state": ("home_address", "state"),
    "home postal code": ("home_address", "zip"),
    "home country/region": ("home_address", "country"),
    "home country": ("home_address", "country"),
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
    "address 1 - street": ("home_address", "street"),
    "address 1 - city": ("home_address", "city"),
    "address 1 - region": ("home_address", "state"),
    "address 1 - postal code": ("home_address", "zip"),
    "address 1 - country": ("home_address", "country"),
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
        "Line 1: the header row is not one of a sipXconfig phonebook (First Name, Last Name, Number, ...), "
        "an Outlook CSV export or a Google Contacts CSV export."
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
    """Why the entry cannot be imported, or None."""
    if not (entry.get("number") or "").strip():
        return "it has no phone number"
    for key, value in entry.items():
        values = value.values() if isinstance(value, dict) else [value]
        if any(isinstance(v, str) and len(v) > MAX_LEN for v in values):
            return f"{key.replace('_', ' ')} is longer than {MAX_LEN} characters"
    return None


def parse_csv(text: str) -> ParsedFile:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise PhonebookFileError("The file is empty.")
        layout = detect(header)
        names = [h.strip().lower() for h in header]
        parsed = ParsedFile(layout)
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(parsed.entries) + len(parsed.rejected) >= MAX_ROWS:
                raise PhonebookFileError(f"The file has more than {MAX_ROWS} rows: split it into smaller files.")
            if len(cells) > len(names):
                parsed.rejected.append((line, f"{len(cells)} fields, but the header has {len(names)}"))
                continue
            # The `'` our exports put in front of a formula-like cell (sipxweb.csvcells) goes before anything
            # else reads the cell: an export imports back to the values it was written from.
            cells = [csvcells.unneutralise(c) for c in cells]
            entry = _row_entry(layout, dict(zip(names, cells, strict=False)))
            reason = check_entry(entry)
            if reason:
                parsed.rejected.append((line, reason))
            else:
                parsed.entries.append(entry)
    except csv.Error as exc:
        raise PhonebookFileError(f"Line {reader.line_num}: this is not valid CSV ({exc}).") from None
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


def _card_entry(card) -> dict:
    entry: dict = {}
    n = getattr(card, "n", None)
    if n is not None and not isinstance(n.value, str):
        entry["first_name"] = (n.value.given or "").strip() if isinstance(n.value.given, str) else ""
        entry["last_name"] = (n.value.family or "").strip() if isinstance(n.value.family, str) else ""
    if not entry.get("first_name") and not entry.get("last_name"):
        parts = _value(card, "fn").split(None, 1)
        entry["first_name"] = parts[0] if parts else ""
        entry["last_name"] = parts[1] if len(parts) > 1 else ""
    phones = [(_types(line), _tel(line)) for line in card.contents.get("tel", [])]
    phones = [(types, value) for types, value in phones if value]
    ranked = sorted(phones, key=lambda p: 0 if "work" in p[0] else 1 if "pref" in p[0] else 2)
    entry["number"] = ranked[0][1] if ranked else ""
    for types, value in phones:
        if "cell" in types:
            entry.setdefault("cell_phone_number", value)
        elif "fax" in types:
            entry.setdefault("fax_number", value)
        elif "home" in types:
            entry.setdefault("home_phone_number", value)
    emails = [line.value.strip() for line in card.contents.get("email", []) if isinstance(line.value, str)]
    if emails:
        entry["email_address"] = emails[0]
    if len(emails) > 1:
        entry["alternate_email_address"] = emails[1]
    org = getattr(card, "org", None)
    if org is not None:
        values = org.value if isinstance(org.value, list) else [org.value]
        if values and values[0]:
            entry["company_name"] = str(values[0]).strip()
        if len(values) > 1 and values[1]:
            entry["job_dept"] = str(values[1]).strip()
    if _value(card, "title"):
        entry["job_title"] = _value(card, "title")
    for line in card.contents.get("adr", []):
        adr = line.value
        if isinstance(adr, str):
            continue
        target = "office_address" if "work" in _types(line) else "home_address"
        if target in entry:
            continue
        address = {
            "street": adr.street,
            "city": adr.city,
            "state": adr.region,
            "zip": adr.code,
            "country": adr.country,
        }
        address = {k: (" ".join(v) if isinstance(v, list) else v).strip() for k, v in address.items() if v}
        if address:
            entry[target] = address
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
                parsed.rejected.append((line, f"a {card.name} component, not a vCard"))
                continue
            if len(parsed.entries) + len(parsed.rejected) >= MAX_ROWS:
                raise PhonebookFileError(f"The file has more than {MAX_ROWS} cards: split it into smaller files.")
            try:
                entry = _card_entry(card)
            except (AttributeError, TypeError, ValueError) as exc:
                parsed.rejected.append((line, f"the card cannot be read ({exc})"))
                continue
            reason = check_entry(entry)
            if reason:
                parsed.rejected.append((line, reason))
            else:
                parsed.entries.append(entry)
    except vobject.base.ParseError as exc:
        number = getattr(exc, "lineNumber", None)
        where = f"Line {number}: " if number else ""
        raise PhonebookFileError(f"{where}this is not a valid vCard file ({exc}).") from None
    except (ValueError, TypeError, AttributeError, UnicodeError) as exc:
        raise PhonebookFileError(f"This is not a valid vCard file ({exc}).") from None
    return parsed
