"""Request bodies as sipXconfig read them (docs/compatibility.md B.1.5), but strict and safe (D1).

Both parsers return the content of the root element as plain Python data with every value as text
(XML) or as sent (JSON strings; JSON numbers are kept as their literal text): `007` stays "007".
XML: an element with children becomes a dict, a repeated child a list, a leaf its text ("" when empty).
The root must be the view's `wire_root` (XML root element / the single key of the JSON object).

Safety: XML goes through defusedxml, which refuses a DTD, entities and external references whatever the
body's encoding (a byte search for `<!DOCTYPE` misses UTF-16); both parsers refuse documents nested deeper
than MAX_DEPTH levels (no sipXconfig document has more than five), before Python recursion could fail."""

import io
import json
from xml.etree.ElementTree import ParseError as XMLParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

MAX_DEPTH = 32


def _expected_root(parser_context) -> str | None:
    view = (parser_context or {}).get("view")
    return getattr(view, "wire_root", None)


def _read(stream) -> bytes:
    data = stream.read() if stream is not None else b""
    if not data.strip():
        raise ParseError("The request body is empty; send the document this URI expects.")
    return data


def _too_deep() -> ParseError:
    return ParseError(f"The document is nested more than {MAX_DEPTH} levels deep.")


def xml_root(raw: bytes):
    """The root element, built by defusedxml; the nesting depth is checked while the elements arrive, so a
    deep document is refused after MAX_DEPTH start tags, not after building it."""
    depth = 0
    root = None
    try:
        for event, element in SafeElementTree.iterparse(
            io.BytesIO(raw), events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        ):
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep()
                if root is None:
                    root = element
            else:
                depth -= 1
    except DefusedXmlException:
        raise ParseError("Document type declarations and entities are not accepted in request bodies.") from None
    except XMLParseError as exc:
        raise ParseError(f"The XML body is not well-formed: {exc}.") from None
    return root


def element_to_data(element):
    children = list(element)
    if not children:
        return element.text or ""
    data: dict = {}
    for child in children:
        value = element_to_data(child)
        if child.tag in data:
            if not isinstance(data[child.tag], list):
                data[child.tag] = [data[child.tag]]
            data[child.tag].append(value)
        else:
            data[child.tag] = value
    return data


class XStreamXMLParser(BaseParser):
    media_type = "text/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        root = xml_root(_read(stream))
        expected = _expected_root(parser_context)
        if expected and root.tag != expected:
            raise ParseError(f"The XML root element must be <{expected}>, not <{root.tag}>.")
        data = element_to_data(root)
        return {} if data == "" else data


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON value")


def _json_depth_ok(doc) -> bool:
    """Whether `doc` nests at most MAX_DEPTH levels (iterative: a deep document must not recurse here)."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return False
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


class XStreamJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = _read(stream)
        try:
            doc = json.loads(raw.decode("utf-8"), parse_int=str, parse_float=str, parse_constant=_reject_constant)
        except RecursionError:
            # The C decoder gives up cleanly on a very deep document; shallower ones are measured below.
            raise _too_deep() from None
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(f"The JSON body is not valid JSON: {exc}.") from None
        if not _json_depth_ok(doc):
            raise _too_deep()
        expected = _expected_root(parser_context)
        if not isinstance(doc, dict) or len(doc) != 1:
            raise ParseError(f'The JSON body must be an object with the single key "{expected or "root"}".')
        ((root, value),) = doc.items()
        if expected and root != expected:
            raise ParseError(f'The JSON body must be an object with the single key "{expected}", not "{root}".')
        if value is None or value == "":
            return {}
        return value
