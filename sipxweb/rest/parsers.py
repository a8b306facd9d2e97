"""Request bodies as sipXconfig read them (SPEC-REST B.1.5), but strict and safe (D1).

Both parsers return the content of the root element as plain Python data with every value as text
(XML) or as sent (JSON strings; JSON numbers are kept as their literal text): `007` stays "007".
XML: an element with children becomes a dict, a repeated child a list, a leaf its text ("" when empty).
The root must be the view's `wire_root` (XML root element / the single key of the JSON object)."""

import json
from xml.etree import ElementTree

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


def _expected_root(parser_context) -> str | None:
    view = (parser_context or {}).get("view")
    return getattr(view, "wire_root", None)


def _read(stream) -> bytes:
    data = stream.read() if stream is not None else b""
    if not data.strip():
        raise ParseError("The request body is empty; send the document this URI expects.")
    return data


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
        raw = _read(stream)
        if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
            raise ParseError("Document type declarations and entities are not accepted in request bodies.")
        try:
            root = ElementTree.fromstring(raw)
        except ElementTree.ParseError as exc:
            raise ParseError(f"The XML body is not well-formed: {exc}.") from None
        expected = _expected_root(parser_context)
        if expected and root.tag != expected:
            raise ParseError(f"The XML root element must be <{expected}>, not <{root.tag}>.")
        data = element_to_data(root)
        return {} if data == "" else data


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON value")


class XStreamJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = _read(stream)
        try:
            doc = json.loads(raw.decode("utf-8"), parse_int=str, parse_float=str, parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(f"The JSON body is not valid JSON: {exc}.") from None
        expected = _expected_root(parser_context)
        if not isinstance(doc, dict) or len(doc) != 1:
            raise ParseError(f'The JSON body must be an object with the single key "{expected or "root"}".')
        ((root, value),) = doc.items()
        if expected and root != expected:
            raise ParseError(f'The JSON body must be an object with the single key "{expected}", not "{root}".')
        if value is None or value == "":
            return {}
        return value
