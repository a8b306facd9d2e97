"""The XStream 1.3.1 layouts of sipXconfig's responses, byte for byte (docs/compatibility.md B.1.5).

A response is a `Document(root, value)`: `value` is a dict (an object; None members are omitted, key
order is wire order) or an `XList` (a list whose XML items carry the item alias). Python types decide
the JSON form: str is always quoted (even "200"), int and bool are bare."""

from dataclasses import dataclass

from sipxweb import xmltext


class XList(list):
    """A list serialised as XStream does: in XML a wrapper element with one `<item>` per entry."""

    def __init__(self, item: str, values=()):
        super().__init__(values)
        self.item = item


@dataclass
class Document:
    root: str
    value: dict | XList


# ---- XML (PrettyPrintWriter: no declaration, two spaces, no trailing newline) -------------------------

_XML_ESCAPES = xmltext.table("&<>\"'", cr="&#xd;")  # what XStream's PrettyPrintWriter escapes


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_lines(name: str, value, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if isinstance(value, XList):
        children = [(value.item, v) for v in value if v is not None]
    elif isinstance(value, dict):
        children = [(k, v) for k, v in value.items() if v is not None]
    else:
        out.append(f"{pad}<{name}>{_scalar_text(value).translate(_XML_ESCAPES)}</{name}>")
        return
    if not children:
        out.append(f"{pad}<{name}/>")
        return
    out.append(f"{pad}<{name}>")
    for child_name, child in children:
        _xml_lines(child_name, child, depth + 1, out)
    out.append(f"{pad}</{name}>")


def to_xml(doc: Document) -> str:
    out: list[str] = []
    _xml_lines(doc.root, doc.value, 0, out)
    return "\n".join(out)


# ---- JSON (JsonHierarchicalStreamDriver: {"root": ...}, two spaces, no trailing newline) --------------


def _json_string(text: str) -> str:
    parts = ['"']
    for ch in text:
        if ch == '"':
            parts.append('\\"')
        elif ch == "\\":
            parts.append("\\\\")
        elif ord(ch) < 0x20:
            parts.append(f"\\u{ord(ch):04x}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def _json_value(value, depth: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _json_string(value)
    inner = "  " * (depth + 1)
    if isinstance(value, list):
        items = [v for v in value if v is not None]
        if not items:
            return "[]"
        body = ",\n".join(inner + _json_value(v, depth + 1) for v in items)
        return "[\n" + body + "\n" + "  " * depth + "]"
    if isinstance(value, dict):
        members = [(k, v) for k, v in value.items() if v is not None]
        if not members:
            return "{}"
        body = ",\n".join(f"{inner}{_json_string(k)}: {_json_value(v, depth + 1)}" for k, v in members)
        return "{\n" + body + "\n" + "  " * depth + "}"
    return _json_string(str(value))


def to_json(doc: Document) -> str:
    return "{" + _json_string(doc.root) + ": " + _json_value(doc.value, 0) + "}"
