"""A streamed phonebook meets a database outage in its first query: the answer is sipxweb's 503 (JSON error,
Retry-After), not the bare 500 the server gave when the body's first query ran after the view had returned."""

import pytest
from django.db import OperationalError

from apps.phonebooks import readmodel
from tests.conftest import REST, basic


def broken(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")
    yield  # a generator, like the read model's


@pytest.mark.parametrize("accept", ["text/xml", "application/json", "text/csv"])
def test_an_outage_in_the_first_query_is_a_503(client, alice, monkeypatch, accept):
    monkeypatch.setattr(readmodel, "iter_merged", broken)
    response = client.get(REST + "/my/phonebook", HTTP_ACCEPT=accept, **basic("alice", "1234"))
    assert response.status_code == 503
    assert response.has_header("Retry-After")
