"""docs/adminapi_client.py, the integrators' example, run as they run it: a separate Python process with plain
`requests` against gunicorn, with an administrator's real token. It creates a group, 50 users with aliases in one
bulk request, a phonebook filled from its CSV file, a phone per user with a line, and pages through the call records;
what it created is then read back through the API."""

import json
import subprocess
import sys

import pytest

from tests.server.live import ROOT, LiveServer, basic_header

pytestmark = pytest.mark.server

CALLS = 130
# An administrator, and CALLS call records to page through (the call records come from the proxy, not the API).
SEED = f"""
from datetime import timedelta
from django.utils import timezone
from apps.cdrs.models import Cdr
from apps.users.models import User
User.objects.filter(username="superadmin").update(is_admin=True)
now = timezone.now()
Cdr.objects.bulk_create(
    Cdr(call_id=f"call-{{i}}", caller_aor=f"sip:{{200 + i % 7}}@example.org", callee_aor="sip:300@example.org",
        start_time=now - timedelta(minutes=i), end_time=now - timedelta(minutes=i) + timedelta(seconds=30),
        caller_user=str(200 + i % 7), callee_user="300")
    for i in range({CALLS})
)
"""


@pytest.fixture(scope="module")
def server():
    srv = LiveServer(
        secret_key="client-script-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        users=[("superadmin", "admin1234", [])],
    )
    srv.start()
    srv.manage("shell", "-c", SEED)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def token(server) -> str:
    status, _, body = server.request(
        "POST",
        "/api/v1/tokens",
        {"Authorization": basic_header("superadmin", "admin1234"), "Content-Type": "application/json"},
        json.dumps({"name": "client script", "scope": "write"}),
    )
    assert status == 201, body
    return json.loads(body)["token"]


def read(server, token, path):
    status, _, body = server.request("GET", path, {"Authorization": f"Bearer {token}"})
    assert status == 200, (path, status, body)
    return json.loads(body)


def script(server, token, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "docs" / "adminapi_client.py"), "--url", server.url, "--token", token, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_client_script_sets_up_a_team_and_pages_through_the_calls(server, token):
    run = script(server, token, "--json", "--page-size", "50")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert token not in run.stdout + run.stderr

    names = [str(3000 + i) for i in range(50)]
    assert summary["users"] == names
    users = read(server, token, "/api/v1/users?limit=1000")["results"]
    created = {u["userName"]: u for u in users if u["userName"] in names}
    assert len(created) == 50
    assert created["3000"]["aliases"] == ["ada.lovelace.3000"] and created["3000"]["groups"] == ["integration"]
    assert all(len(u["aliases"]) == 1 for u in created.values())

    assert read(server, token, "/api/v1/groups/integration")["name"] == "integration"
    book = read(server, token, "/api/v1/phonebooks/integration%20directory")
    assert book["members"] == ["integration"]
    assert summary["phonebook"] == {
        "name": "integration directory",
        "rows": 51,
        "imported": 51,
        "layout": "sipXconfig CSV",
    }
    entries = read(server, token, "/api/v1/phonebooks/integration%20directory/entries?limit=1000")
    assert entries["count"] == 51
    numbers = {e["number"] for e in entries["results"]}
    assert set(names) <= numbers and "+15550100" in numbers

    phones = read(server, token, "/api/v1/phones?limit=1000")
    assert phones["count"] == 50
    assert {p["serialNumber"]: p["lines"] for p in phones["results"]} == summary["phones"]
    mine = read(server, token, "/api/v1/phones?user=3007")["results"]
    assert [p["lines"] for p in mine] == [["3007"]] and mine[0]["model"] == "polycom335"

    assert summary["cdrs"] == {"records": CALLS, "pages": 3}


def test_a_refusal_stops_the_script_with_the_api_sentence(server, token):
    """The group exists (409), so the script stops before it creates anything, saying why. The test makes the group
    itself rather than relying on the test above: xdist may run the two on different workers, each its own server."""
    status, _, body = server.request(
        "POST",
        "/api/v1/groups",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        json.dumps({"name": "integration"}),
    )
    assert status in (201, 409), body
    before = read(server, token, "/api/v1/users?limit=1")["count"]
    run = script(server, token, "--first", "4000")
    assert run.returncode == 1
    assert "409" in run.stderr and 'group "integration" exists already' in run.stderr, run.stderr
    assert read(server, token, "/api/v1/users?limit=1")["count"] == before
