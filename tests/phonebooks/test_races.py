"""Concurrent identical writes through the real stack (gunicorn, several workers and threads) store exactly
one row: the private-phonebook duplicate check and the insert are one atomic step on PostgreSQL and SQLite.

The server uses the database engine of this test run: PostgreSQL when DATABASE_URL names one (a throw-away
database on that server, dropped afterwards), else a throw-away SQLite file."""

import json
import os
import re
import threading
import uuid
from urllib.parse import urlencode, urlsplit

import pytest

from tests.server.live import LiveServer

pytestmark = pytest.mark.server

REST = "/sipxconfig/rest"
ALICE = ("alice", "1234")
CLIENTS = 20


def _postgres_server() -> str | None:
    given = urlsplit(os.environ.get("DATABASE_URL", ""))
    return f"postgres://{given.netloc}" if given.scheme.startswith("postgres") else None


@pytest.fixture(scope="module")
def database_url():
    server = _postgres_server()
    if server is None:
        yield None  # LiveServer's own SQLite file
        return
    import psycopg

    name = f"sipxweb_races_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(database_url):
    env = {"GUNICORN_THREADS": "4"}
    if database_url:
        env["DATABASE_URL"] = database_url
    srv = LiveServer(
        secret_key="races-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("200", "1234", ["alice"])],
        workers=3,
        extra_env=env,
    )
    # The admin page needs the static manifest (DEBUG=0), which LiveServer does not build.
    srv.manage("collectstatic", "--noinput", "-v", "0")
    srv.start()
    yield srv
    srv.stop()


def _together(server, requests):
    """Sends every (method, path, body) at the same moment, each on its own connection; the answers in order."""
    gate = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def send(i, method, path, body):
        gate.wait()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        status, _, text = server.request(method, path, headers=headers, body=body, basic=ALICE, timeout=60)
        answers[i] = (status, text)

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return answers


def _entry(first, last, number):
    return json.dumps({"entry": {"first-name": first, "last-name": last, "number": number}})


def _private_rows(server, first):
    """The caller's private entries named `first`, read back over REST (the paged view gives their ids)."""
    status, _, text = server.request(
        "GET", f"{REST}/my/pagedphonebook?start=0&end=1000&filter={first}", {"Accept": "application/json"}, basic=ALICE
    )
    assert status == 200, text
    entries = json.loads(text)["phonebook"]["entries"]
    return [e for e in entries if e.get("first-name") == first]


def _assert_one_winner(answers, created=200, refused=409):
    statuses = [status for status, _ in answers]
    assert None not in answers, "a request did not finish"
    assert statuses.count(created) == 1, statuses
    assert statuses.count(refused) == len(statuses) - 1, statuses
    for status, text in answers:
        if status == refused:
            assert json.loads(text)["type"] == "conflict", text


def test_concurrent_identical_creates_store_one_entry(server):
    # Alice has no private phonebook yet: the requests also race to create it.
    body = _entry("Race", "Condition", "+1 617 555 0100")
    answers = _together(server, [("POST", f"{REST}/my/phonebook/entry/0", body)] * CLIENTS)
    _assert_one_winner(answers)
    assert len(_private_rows(server, "Race")) == 1
    # And once more with the phonebook in place.
    body = _entry("Again", "Condition", "+1 617 555 0101")
    _assert_one_winner(_together(server, [("POST", f"{REST}/my/phonebook/entry/0", body)] * CLIENTS))
    assert len(_private_rows(server, "Again")) == 1


def test_concurrent_edits_to_the_same_values_leave_no_duplicate(server):
    ids = []
    for i in range(CLIENTS):
        status, headers, text = server.request(
            "POST",
            f"{REST}/my/phonebook/entry/0",
            {"Content-Type": "application/json"},
            _entry("Edit", f"Source{i:02d}", "5550200"),
            basic=ALICE,
        )
        assert status == 200, text
        ids.append(dict((k.lower(), v) for k, v in headers)["location"].rstrip("/").rsplit("/", 1)[1])
    same = _entry("Edit", "Target", "5550200")
    answers = _together(server, [("PUT", f"{REST}/my/phonebook/entry/{pk}", same) for pk in ids])
    _assert_one_winner(answers)
    lasts = sorted(e["last-name"] for e in _private_rows(server, "Edit"))
    assert lasts.count("Target") == 1 and len(lasts) == CLIENTS


def _cookies(headers) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


def _form_token(html: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


def test_concurrent_admins_creating_the_same_phonebook_get_one_and_a_form_error(server):
    """The admin page: the form's unique-name check passes for every request, then all insert; the unique index
    keeps one and the others get the form back with the name error (not a 500)."""
    server.manage(
        "shell",
        "-c",
        "from apps.users.services import create_user; create_user('300', pin='4321', is_admin=True)",
    )
    status, headers, html = server.request("GET", "/login/")
    jar = _cookies(headers)
    form = urlencode({"username": "300", "password": "4321", "csrfmiddlewaretoken": _form_token(html)})
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    status, headers, _ = server.request("POST", "/login/", {**form_headers, **cookie}, form)
    assert status == 302
    jar.update(_cookies(headers))
    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    status, _, html = server.request("GET", "/phonebooks/add/", cookie)
    assert status == 200
    body = urlencode({"name": "raced", "description": "", "csrfmiddlewaretoken": _form_token(html)})
    gate = threading.Barrier(CLIENTS)
    answers = [None] * CLIENTS

    def send(i):
        gate.wait()
        answers[i] = server.request("POST", "/phonebooks/add/", {**form_headers, **cookie}, body, timeout=60)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    statuses = [a[0] for a in answers]
    assert statuses.count(302) == 1 and statuses.count(200) == CLIENTS - 1, statuses
    assert all(b"already exists" in a[2] for a in answers if a[0] == 200)
    status, _, xml = server.request("GET", f"{REST}/phonebook", basic=("300", "4321"))
    assert status == 200 and xml.count(b'name="raced"') == 1, xml


def test_no_server_error_was_logged(server):
    assert "Traceback" not in server.output()
