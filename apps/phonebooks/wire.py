"""Streamed bodies of the phonebook resources: a generator of byte chunks per format, so a list of 100,000
entries never sits in memory (views wrap them in StreamingHttpResponse).

* `xstream_list()` writes the XStream layout of a root list (`<phonebook><entry>...`, `{"phonebook": [...]}`)
  entry by entry with the same functions as `sipxweb.rest.xstream` (their output is byte-identical to
  rendering the whole Document at once).
* `csv_phonebook()` is B.2.2's CSV with D16's quoting; `dom_phonebook()` / `dom_phonebooks()` the DOM serialisation of
  B.2.1/B.2.2 (declaration, no indentation, `<x/>` for an empty element)."""

from collections.abc import Iterable, Iterator

from sipxweb.rest.xstream import _json_string, _json_value, _xml_lines

BATCH = 500  # entries per yielded chunk: few WSGI writes, small buffers
Q, QQ = '"', '""'


def _batched(pieces: Iterable[str], batch: int = BATCH) -> Iterator[bytes]:
    buffer: list[str] = []
    for piece in pieces:
        buffer.append(piece)
        if len(buffer) >= batch:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def xstream_list(root: str, item: str, values: Iterable[dict], fmt: str) -> Iterator[bytes]:
    """The XStream XML (`fmt="xml"`) or JSON layout of `Document(root, XList(item, values))`, streamed."""

    def xml():
        first = True
        for value in values:
            out: list[str] = []
            _xml_lines(item, value, 1, out)
            yield (f"<{root}>\n" if first else "\n") + "\n".join(out)
            first = False
        yield f"<{root}/>" if first else f"\n</{root}>"

    def json():
        first = True
        for value in values:
            yield ("{" + _json_string(root) + ": [\n" if first else ",\n") + "  " + _json_value(value, 1)
            first = False
        yield "{" + _json_string(root) + ": []}" if first else "\n]}"

    return _batched(xml() if fmt == "xml" else json())


def csv_field(value) -> str:
    """One CSV field as B.2.2 writes it: always quoted; a `"` inside is doubled (D16, RFC 4180)."""
    return '"' + ("" if value is None else str(value)).replace('"', '""') + '"'


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    def lines():
        yield ",".join(csv_field(h) for h in header) + "\n"
        for row in rows:
            yield ",".join(csv_field(v) for v in row) + "\n"

    return _batched(lines(), 2000)


def csv_phonebook(chunks: Iterable[list[tuple[str, str, str]]]) -> Iterator[bytes]:
    """B.2.2 CSV from chunks of (last, first, number): one string per chunk (this is the 100,000-row path)."""
    yield b'"First name","Last name","Number"\n'
    for rows in chunks:
        text = "".join(
            [
                f'"{(f or "").replace(Q, QQ)}","{(la or "").replace(Q, QQ)}","{(n or "").replace(Q, QQ)}"\n'
                for la, f, n in rows
            ]
        )
        yield text.encode("utf-8")


_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", '"': "&quot;"})
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _dom_element(name: str, text) -> str:
    text = "" if text is None else str(text)
    return f"<{name}/>" if not text else f"<{name}>{text.translate(_TEXT)}</{name}>"


def dom_phonebook(chunks: Iterable[list[tuple[str, str, str]]]) -> Iterator[bytes]:
    """B.2.2 XML from chunks of (last, first, number)."""
    first = True
    for rows in chunks:
        text = "".join(
            "<entry>"
            + _dom_element("first-name", f)
            + _dom_element("last-name", la)
            + _dom_element("number", n)
            + "</entry>"
            for la, f, n in rows
        )
        if text:
            yield ((DECLARATION + "<phonebook>") if first else "").encode("utf-8") + text.encode("utf-8")
            first = False
    yield (DECLARATION + "<phonebook/>" if first else "</phonebook>").encode("utf-8")


def dom_phonebooks(names: Iterable[str]) -> str:
    """B.2.1: `<phonebooks><phonebook name="..."/>...</phonebooks>`."""
    items = "".join(f'<phonebook name="{name.translate(_ATTR)}"/>' for name in names)
    return DECLARATION + (f"<phonebooks>{items}</phonebooks>" if items else "<phonebooks/>")
