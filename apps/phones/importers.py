"""The phones CSV import of the admin pages: `serial,model,description,user` rows (header row optional; `user` is
the user name or alias of line 1 and may be empty; `;` instead of `,` as European Excel saves; the model as its
catalogue id or as the pages name it, "Yealink T46G/T46S").

`preview()` reads the whole file and checks every row by the rules of services.create_phone without writing
anything, so that the page names every problem with its line; `import_phones()` then creates the phones all or
nothing (services.create_new_phones)."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext

from apps.phones import services
from apps.phones.catalogue import CATALOGUE, model_id
from apps.phones.services import PhoneData
from sipxweb.csvfiles import delimiter

COLUMNS = ("serial", "model", "description", "user")
MAX_ROWS = 10_000
HEADER_NAMES = {"serial", "serial number", "serial_number", "serialnumber", "mac", "mac address"}


class CsvImportError(Exception):
    """The file as a whole cannot be read (not text, not CSV, too long): nothing is imported."""


@dataclass
class Row:
    """One data row of the file: its line number, its cells as written, the phone to create and, when it cannot
    be created, why."""

    line: int
    serial: str
    model: str = ""
    description: str = ""
    user: str = ""
    data: PhoneData | None = None
    error: str | None = None

    @property
    def model_name(self) -> str:
        """The model as the pages name it, or as written when it is none of the catalogue's."""
        model = CATALOGUE.get(self.data.model) if self.data else None
        return f"{model.vendor} {model.label}" if model else self.model


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            gettext(
                "The file is not UTF-8 text (undecodable byte at position %(position)s). "
                "Save it as CSV (UTF-8) and upload it again."
            )
            % {"position": exc.start}
        ) from None
    if "\x00" in text:
        raise CsvImportError(gettext("The file contains NUL characters: it is not a CSV text file."))
    return text


def parse(content: bytes) -> list[Row]:
    """The rows of the file, header and blank lines left out. Raises CsvImportError for an unreadable file."""
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
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
                raise CsvImportError(
                    gettext("The file has more than %(max)s phones: split it into smaller files.") % {"max": MAX_ROWS}
                )
            rows.append(to_row(line, cells))
    except csv.Error as exc:
        raise CsvImportError(
            gettext("Line %(line)s: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": exc}
        ) from None
    return rows


def to_row(line: int, cells: list[str]) -> Row:
    serial = cells[0]
    if not 2 <= len(cells) <= len(COLUMNS):
        return Row(
            line,
            serial,
            error=gettext("expected 2 to %(most)s columns (%(columns)s), found %(found)s.")
            % {"most": len(COLUMNS), "columns": ", ".join(COLUMNS), "found": len(cells)},
        )
    serial, model, description, user = (cells + ["", ""])[:4]
    data = PhoneData(serial, model_id(model) or model, description, lines=[user] if user else [])
    return Row(line, serial, model, description, user, data=data)


def check(rows: list[Row]) -> list[Row]:
    """Sets each well-formed row's `error` by the rules of the phones services (nothing is written)."""
    good = [row for row in rows if row.data is not None]
    for row, problem in zip(good, services.new_phone_problems([row.data for row in good]), strict=True):
        row.error = problem
    return rows


def preview(content: bytes) -> list[Row]:
    """Every row of the file, each with its problem if it has one. Raises CsvImportError for an unreadable file."""
    return check(parse(content))


class ImportRefused(Exception):
    """Nothing was imported: `rows` are the file's rows, the bad ones with their `error`."""

    def __init__(self, rows: list[Row]):
        super().__init__("Nothing was imported.")
        self.rows = rows


def import_phones(content: bytes) -> list[Row]:
    """Creates every phone of the file, or none: a bad row (also one that went bad since the preview, e.g. a serial
    created meanwhile) raises ImportRefused with every row checked."""
    rows = parse(content)
    if not rows or any(row.data is None for row in rows):
        raise ImportRefused(check(rows))
    try:
        services.create_new_phones([row.data for row in rows])
    except services.BatchRefused as exc:
        for row, problem in zip(rows, exc.problems, strict=True):
            row.error = problem
        raise ImportRefused(rows) from None
    return rows
