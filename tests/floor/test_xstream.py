"""The XStream layouts (docs/compatibility.md B.1.5), checked against the original's expectation bytes."""

from sipxweb.rest.xstream import Document, XList, to_json, to_xml


def test_list_root_and_nested_objects():
    doc = Document(
        "autoAttendants",
        XList("autoAttendant", [{"name": "operator", "systemId": "operator", "specialSelected": False}]),
    )
    assert to_xml(doc) == (
        "<autoAttendants>\n  <autoAttendant>\n    <name>operator</name>\n    <systemId>operator</systemId>\n"
        "    <specialSelected>false</specialSelected>\n  </autoAttendant>\n</autoAttendants>"
    )
    assert to_json(doc) == (
        '{"autoAttendants": [\n  {\n    "name": "operator",\n    "systemId": "operator",\n'
        '    "specialSelected": false\n  }\n]}'
    )


def test_nulls_omitted_empty_objects_lists_and_strings():
    doc = Document("x", {"a": None, "b": {}, "c": XList("i"), "d": "", "e": {"f": None}})
    assert to_xml(doc) == "<x>\n  <b/>\n  <c/>\n  <d></d>\n  <e/>\n</x>"
    assert to_json(doc) == '{"x": {\n  "b": {},\n  "c": [],\n  "d": "",\n  "e": {}\n}}'


def test_escaping():
    doc = Document("x", {"s": "a&b<c>\"d\" 'e'\rf\\g/h\x01"})
    assert to_xml(doc) == "<x>\n  <s>a&amp;b&lt;c&gt;&quot;d&quot; &apos;e&apos;&#xd;f\\g/h\x01</s>\n</x>"
    assert to_json(doc) == '{"x": {\n  "s": "a&b<c>\\"d\\" \'e\'\\u000df\\\\g/h\\u0001"\n}}'


def test_numbers_strings_and_unicode():
    doc = Document("cdr", {"start-time": 1299785283000, "id": "-1", "number": "200", "name": "Zoë"})
    assert to_json(doc) == (
        '{"cdr": {\n  "start-time": 1299785283000,\n  "id": "-1",\n  "number": "200",\n  "name": "Zoë"\n}}'
    )
    assert "<name>Zoë</name>" in to_xml(doc)


def test_empty_root_list():
    doc = Document("cdrs", XList("cdr"))
    assert to_xml(doc) == "<cdrs/>"
    assert to_json(doc) == '{"cdrs": []}'
