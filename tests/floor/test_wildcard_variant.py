"""The `application/*+xml` variant of B.2.1/B.2.2 and the CSV renderer's alias (negotiation.py, renderers.py)."""

import pytest

from sipxweb.rest.negotiation import choose_variant
from sipxweb.rest.renderers import AnyXMLRenderer, CSVRenderer, PreRenderedXMLRenderer

VARIANTS = [CSVRenderer(), PreRenderedXMLRenderer(), AnyXMLRenderer()]


@pytest.mark.parametrize(
    ("accept", "renderer", "media_type"),
    [
        ("", CSVRenderer, "text/comma-separated-values"),
        ("*/*", CSVRenderer, "text/comma-separated-values"),
        ("text/csv", CSVRenderer, "text/csv"),
        ("text/xml", PreRenderedXMLRenderer, "text/xml"),
        ("application/xml", PreRenderedXMLRenderer, "application/xml"),
        ("application/*+xml", AnyXMLRenderer, "application/xml"),
        ("application/atom+xml", AnyXMLRenderer, "application/xml"),
        ("application/*", AnyXMLRenderer, "application/xml"),
        ("text/*", CSVRenderer, "text/comma-separated-values"),
        ("text/xml;q=0.5, application/rss+xml", AnyXMLRenderer, "application/xml"),
    ],
)
def test_variant_choice(accept, renderer, media_type):
    chosen, answered = choose_variant(accept, VARIANTS)
    assert type(chosen) is renderer
    assert answered == media_type


@pytest.mark.parametrize("accept", ["application/json", "image/png", "application/xhtml", "application/+xml"])
def test_nothing_acceptable(accept):
    assert choose_variant(accept, VARIANTS) is None
