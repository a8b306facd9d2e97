"""`POST /cse` parses XML with defusedxml, as every other XML body does: a DTD is refused whatever the body's
encoding (a byte search for `<!DOCTYPE` missed UTF-16), and nothing is stored."""

import pytest

from apps.cdrs.models import CallStateEvent, Cdr
from tests.conftest import REST, basic

DTD = '<?xml version="1.0" encoding="{enc}"?><!DOCTYPE a [<!ENTITY b "c">]><call-state-events/>'


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
def test_a_dtd_is_refused_in_any_encoding(client, admin_user, encoding):
    body = DTD.format(enc=encoding).encode(encoding.lower())
    response = client.post(REST + "/cse", data=body, content_type="text/xml", **basic("superadmin", "admin1234"))
    assert response.status_code == 400
    assert b"Document type declarations" in response.content
    assert not CallStateEvent.objects.exists() and not Cdr.objects.exists()


def test_a_deeply_nested_event_is_refused(client, admin_user):
    body = (
        "<call-state-events><call-state-event>" + "<x>" * 200 + "</x>" * 200 + "</call-state-event></call-state-events>"
    )
    response = client.post(REST + "/cse", data=body, content_type="text/xml", **basic("superadmin", "admin1234"))
    assert response.status_code == 400
    assert b"nested" in response.content
