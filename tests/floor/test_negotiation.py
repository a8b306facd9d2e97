"""Accept negotiation (docs/compatibility.md B.1.4 with the A.1 aliases) over a real URI with two variants."""

import json

import pytest

from sipxweb.rest.negotiation import choose_variant, parse_accept
from sipxweb.rest.renderers import XStreamJSONRenderer, XStreamXMLRenderer
from tests.conftest import REST, basic

XML, JS = XStreamXMLRenderer(), XStreamJSONRenderer()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("", "text/xml"),
        ("*/*", "text/xml"),
        ("text/xml", "text/xml"),
        ("application/json", "application/json"),
        ("application/xml", "application/xml"),  # A.1 alias, answered with the type asked for
        ("text/*", "text/xml"),
        ("application/*", "application/json"),
        ("application/json, text/xml", "text/xml"),  # tie → first declared
        ("text/xml;q=0.4, application/json;q=0.5", "application/json"),
        ("application/json;q=0.9, */*;q=0.1", "application/json"),
        ("*/*;q=0.1, text/xml;q=0", "application/json"),  # text/xml's most specific range says q=0
        ("application/xml;q=0.2, application/json;q=0.1", "application/xml"),
        ("text/html, application/json;q=0.8", "application/json"),
        ("garbage, application/json", "application/json"),
    ],
)
def test_choose_variant(accept, media_type):
    renderer, chosen = choose_variant(accept, [XML, JS])
    assert chosen == media_type


@pytest.mark.parametrize("accept", ["text/csv", "text/html", "image/*", "*/*;q=0", "application/*+xml"])
def test_nothing_acceptable(accept):
    assert choose_variant(accept, [XML, JS]) is None


def test_parse_accept_q_values():
    assert parse_accept("text/xml;q=0.5, application/json;q=abc") == [
        ("text", "xml", 0.5),
        ("application", "json", 0.0),
    ]


def test_406_body_and_alias_content_type(client, alice):
    response = client.get(REST + "/my/logindetails", HTTP_ACCEPT="text/csv", **basic("alice", "1234"))
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["type"] == "not_acceptable"
    response = client.get(REST + "/my/logindetails", HTTP_ACCEPT="application/xml", **basic("alice", "1234"))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.startswith(b"<login-details>")
