"""sipxweb/dbdown.py in-process, on whichever database the pass uses: the connection is pointed at a database
that cannot be opened (a closed port on PostgreSQL, a file in a missing folder on SQLite), so the driver
really fails to connect. REST answers 503 with the D1 JSON body and Retry-After, the pages a 503 HTML
sentence, and once the database is reachable again the same process answers 200: nothing restarts."""

import json

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test import Client

from sipxweb import dbdown
from tests.conftest import REST, basic
from tests.server.live import free_port

pytestmark = pytest.mark.reliability


@pytest.fixture
def unreachable_database(transactional_db):
    """While active, every new connection fails; the kept one is closed first. Restored afterwards."""
    saved = dict(connection.settings_dict)

    def cut():
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", free_port()
        else:
            connection.settings_dict["NAME"] = "/nonexistent-sipxweb-dir/db.sqlite3"

    def restore():
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    yield cut, restore
    restore()


def test_rest_and_pages_answer_503_while_the_database_is_unreachable_and_recover(alice, unreachable_database):
    cut, restore = unreachable_database
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    assert client.get(f"{REST}/my/logindetails", **basic("alice", "1234")).status_code == 200
    assert client.get("/portal/").status_code == 200

    cut()
    response = client.get(f"{REST}/my/logindetails", **basic("alice", "1234"))
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"error": dbdown.SENTENCE, "type": "database_unavailable"}
    assert response["Retry-After"] == dbdown.RETRY_AFTER
    # A write is refused the same way (and cannot have been stored: nothing could connect).
    response = client.put(
        f"{REST}/my/contact-information",
        data=json.dumps({"contact-information": {"jobTitle": "Never stored"}}),
        content_type="application/json",
        **basic("alice", "1234"),
    )
    assert response.status_code == 503

    page = client.get("/portal/")  # the session is read from the database
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert b"The database is unavailable at the moment" in page.content
    assert page["Retry-After"] == dbdown.RETRY_AFTER

    restore()
    response = client.get(f"{REST}/my/contact-information", **basic("alice", "1234"))
    assert response.status_code == 200
    assert b"Never stored" not in response.content
    assert client.get("/portal/").status_code == 200


def test_only_connection_errors_count_as_an_outage():
    assert dbdown.is_outage(OperationalError("server closed the connection unexpectedly"))
    assert not dbdown.is_outage(IntegrityError("duplicate key"))
    assert not dbdown.is_outage(ValueError("x"))
