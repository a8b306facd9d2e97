"""Streamed bodies of the phonebook resources: a generator of byte chunks per format, so a list of 100,000
entries never sits in memory (views wrap them in StreamingHttpResponse).

* `xstream_list()` writes the XStream layout of a root list (`<phonebook><entry>...`, `{"phonebook": [...]}`)
  entry by entry with the same functions as `sipxweb.rest.xstream` (their output is byte-identical to
  rendering the whole Document at once).
* `csv_phonebook()` is B.2.2's CSV (quoting and formula neutralisation by `sipxweb.csvcells`, the one CSV
  writer); `dom_phonebook()` / `dom_phonebooks()` the DOM serialisation of B.2.1/B.2.2 (declaration, no
  indentation, `<x/>` for an empty element)."""

from collections.abc import Iterable, Iterator

from sipxweb import csvcells, xmltext
from sipxweb.rest.xstream import _json_string, _json_value, _xml_lines


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

    return csvcells.batched(xml() if fmt == "xml" else json())


CSV_HEADER = ("First name", "Last name", "Number")


def csv_phonebook(chunks: Iterable[list[tuple[str, str, str]]]) -> Iterator[bytes]:
    """B.2.2 CSV from chunks of (last, first, number): one byte chunk per chunk (the 100,000-row path), written
    by the one CSV writer (`sipxweb.csvcells`: quoting and formula neutralisation)."""
    return csvcells.stream_chunks(CSV_HEADER, ([(f, la, n) for la, f, n in rows] for rows in chunks))


_TEXT = xmltext.TEXT
_ATTR = xmltext.table('&<"')  # the DOM serializer left ">" alone in attribute values
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
