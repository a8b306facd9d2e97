"""The one CSV writer of sipxweb (phonebook exports, GET /phonebook/{name}, /my/phonebook as CSV, the call
history), the one streamed download response of the export pages (`download`), and the writer's reading
counterpart: RFC 4180 with every field quoted and `"` doubled (D16), UTF-8, `\\n` line ends, streamed as byte
chunks.

Formula injection: a spreadsheet opening the file runs a cell that starts with `=`, `+`, `-` or `@` as a
formula (and some treat a leading TAB or CR the same way), so a first name `=HYPERLINK("http://evil", "x")`
typed by any user would become a live link or a DDE call on the administrator's machine. Such a cell is
written with a `'` in front (OWASP's advice; spreadsheets show the text as typed). Plain phone numbers are
left alone: a cell of only digits, spaces and `+-().` (`+1 617 555 0142`) cannot name a function or another
cell, and sipXconfig clients and the golden files expect the number unchanged. A value that already starts
with `'` followed by such a cell gets one more `'`, so that `unneutralise()` (used by the phonebook import)
gives back exactly the value that was exported: import(export(value)) == value."""

from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

TRIGGERS = frozenset("=+-@\t\r")
PHONE_CHARACTERS = frozenset("0123456789 +-().")
# First characters that may need a prefix: the triggers and the quote of an already neutralised-looking value.
_FIRST = TRIGGERS | {"'"}


def _needs_prefix(text: str) -> bool:
    if text[0] == "'":
        return len(text) > 1 and _needs_prefix(text[1:])
    return text[0] in TRIGGERS and not PHONE_CHARACTERS.issuperset(text)


def neutralise(value) -> str:
    """The text a spreadsheet shows as text: `'` in front of a formula-like cell (see the module docstring)."""
    text = "" if value is None else str(value)
    if text and text[0] in _FIRST and _needs_prefix(text):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The value `neutralise()` was given: drops the `'` only where neutralise() would have added it."""
    if len(text) > 1 and text[0] == "'" and _needs_prefix(text[1:]):
        return text[1:]
    return text


def lines(rows: Iterable[Iterable]) -> str:
    """CSV lines of many rows at once: each field neutralised, quoted, a `"` inside doubled.

    Written out by hand rather than through neutralise(): this is the loop of a 100,000-row download, and the
    common cell (no trigger, no quote) costs two tests here."""
    out = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else value if type(value) is str else str(value)
            if text:
                if text[0] in _FIRST and not PHONE_CHARACTERS.issuperset(text) and _needs_prefix(text):
                    text = "'" + text
                if '"' in text:
                    text = text.replace('"', '""')
            cells.append(text)
        out.append('"' + '","'.join(cells) + '"\n')
    return "".join(out)


def line(values: Iterable) -> str:
    return lines([values])


def batched(pieces: Iterable[str], batch: int = 500) -> Iterator[bytes]:
    """UTF-8 chunks of `batch` pieces each: few WSGI writes, small buffers (the phonebooks' XML/JSON/vCard
    streams use it too)."""
    buffer: list[str] = []
    for piece in pieces:
        buffer.append(piece)
        if len(buffer) >= batch:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def stream_chunks(header: Iterable[str], chunks: Iterable[Iterable[Iterable]]) -> Iterator[bytes]:
    """A whole CSV document for StreamingHttpResponse from rows that arrive in lists (server-side cursor pages):
    the header row, then one byte chunk per list."""
    yield line(header).encode("utf-8")
    for rows in chunks:
        text = lines(rows)
        if text:
            yield text.encode("utf-8")


def stream(header: Iterable[str], rows: Iterable[Iterable], batch: int = 2000) -> Iterator[bytes]:
    """Like stream_chunks() for rows one by one: `batch` rows per chunk (few WSGI writes, small buffers)."""

    def chunks():
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                yield chunk
                chunk = []
        yield chunk

    return stream_chunks(header, chunks())


def download(chunks: Iterable[bytes], filename: str, content_type: str = "text/csv; charset=utf-8"):
    """The streamed response of an export page (the CSV files, and the vCard beside them): an attachment, so the
    browser saves it under `filename`."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
