"""The phones CSV import of the admin pages: `serial,model,description,user` rows (header row optional;
`user` is the user name or alias of line 1 and may be empty). Parsing is separate from creating so that a
malformed row is reported with its line number and the others still go through services.create_phones."""

import csv
import io
from dataclasses import dataclass

from apps.phones import services
from apps.phones.services import PhoneData

COLUMNS = ("serial", "model", "description", "user")
MAX_ROWS = 10_000
HEADER_NAMES = {"serial", "serial number", "serial_number", "serialnumber", "mac", "mac address"}


class CsvImportError(Exception):
    """The file as a whole cannot be read (not text, not CSV, too long): nothing is imported."""


@dataclass
class Row:
    """One data row of the file: its line number and either the phone to create or why it cannot be."""

    line: int
    serial: str
    data: PhoneData | None = None
    error: str | None = None


@dataclass
class ImportResult:
    created: list[tuple[int, str]]  # (line, serial)
    skipped: list[tuple[int, str, str]]  # (line, serial, reason)


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            f"The file is not UTF-8 text (undecodable byte at position {exc.start}). "
            "Save it as CSV (UTF-8) and upload it again."
        ) from None
    if "\x00" in text:
        raise CsvImportError("The file contains NUL characters: it is not a CSV text file.")
    return text


def parse(content: bytes) -> list[Row]:
    """The rows of the file, header and blank lines left out. Raises CsvImportError for an unreadable file."""
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if not rows and cells[0].lower() in HEADER_NAMES:
                continue  # the optional header row
            if len(rows) >= MAX_ROWS:
                raise CsvImportError(f"The file has more than {MAX_ROWS} phones: split it into smaller files.")
            rows.append(to_row(line, cells))
    except csv.Error as exc:
        raise CsvImportError(f"Line {reader.line_num}: this is not valid CSV ({exc}).") from None
    return rows


def to_row(line: int, cells: list[str]) -> Row:
    serial = cells[0]
    if not 2 <= len(cells) <= len(COLUMNS):
        return Row(
            line,
            serial,
            error=f"expected 2 to {len(COLUMNS)} columns ({','.join(COLUMNS)}), found {len(cells)}.",
        )
    serial, model, description, user = (cells + ["", ""])[:4]
    return Row(line, serial, data=PhoneData(serial, model, description, lines=[user] if user else []))


def import_phones(content: bytes) -> ImportResult:
    """Parses the file and creates each well-formed row through services.create_phones (each on its own)."""
    rows = parse(content)
    good = [row for row in rows if row.data is not None]
    outcomes = iter(services.create_phones([row.data for row in good]).outcomes)
    result = ImportResult(created=[], skipped=[])
    for row in rows:
        if row.data is None:
            result.skipped.append((row.line, row.serial, row.error))
            continue
        serial, reason = next(outcomes)
        if reason is None:
            result.created.append((row.line, serial))
        else:
            result.skipped.append((row.line, serial, reason))
    return result
