"""The real stack over real HTTP: gunicorn with gunicorn.conf.py, the WSGI wrapper that splits the
challenges, Basic and Digest on both ports, PIN redaction in gunicorn's own logs (D5), stale Digest
nonces (D8) and a clean stop on SIGTERM. One server for the whole module (starting one takes seconds)."""

import time

import pytest
from django.test import override_settings

from tests.server.live import LiveServer, digest_header, parse_challenge

pytestmark = pytest.mark.server

SECRET_KEY = "server-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
LOGIN = "/sipxconfig/rest/my/logindetails"


@pytest.fixture(scope="module")
def server():
    srv = LiveServer(secret_key=SECRET_KEY, users=[("200", "1234", ["alice"])])
    srv.start()
    yield srv
    srv.stop()


def challenges(headers) -> list[str]:
    return [value for name, value in headers if name.lower() == "www-authenticate"]


def digest_challenge(server, path=LOGIN, port=None) -> dict[str, str]:
    status, headers, _ = server.request("GET", path, port=port)
    assert status == 401
    (digest,) = [c for c in challenges(headers) if c.startswith("Digest ")]
    return parse_challenge(digest)


def test_401_carries_a_digest_and_a_basic_challenge_on_two_header_lines(server):
    status, headers, body = server.request("GET", LOGIN)
    assert status == 401
    lines = challenges(headers)
    assert len(lines) == 2, lines
    digest = next(line for line in lines if line.startswith("Digest "))
    basic = next(line for line in lines if line.startswith("Basic "))
    params = parse_challenge(digest)
    assert params["realm"] == "example.org"
    assert 'qop="auth"' in digest and params["qop"] == "auth"
    assert params["nonce"]
    assert "stale" not in params
    assert parse_challenge(basic) == {"realm": "example.org"}
    assert b'"error"' in body


@pytest.mark.parametrize("which_port", ["main", "callcontrol"])
def test_basic_and_digest_get_200_on_both_ports(server, which_port):
    port = server.port if which_port == "main" else server.callcontrol_port
    status, _, body = server.request("GET", LOGIN, basic=("alice", "1234"), port=port)
    assert status == 200
    assert b"<userName>200</userName>" in body

    for name in ("200", "alice"):
        challenge = digest_challenge(server, port=port)
        auth = digest_header(name, "1234", challenge["realm"], challenge["nonce"], "GET", LOGIN)
        status, _, body = server.request("GET", LOGIN, headers={"Authorization": auth}, port=port)
        assert status == 200, (name, body)
        assert b"<userName>200</userName>" in body


def test_wrong_digest_response_is_401(server):
    challenge = digest_challenge(server)
    auth = digest_header("200", "9999", challenge["realm"], challenge["nonce"], "GET", LOGIN)
    status, headers, _ = server.request("GET", LOGIN, headers={"Authorization": auth})
    assert status == 401
    assert len(challenges(headers)) == 2


def test_voicemail_pin_never_reaches_gunicorns_logs(server):
    status, _, _ = server.request("PUT", "/sipxconfig/rest/my/voicemail/pin/8642", basic=("alice", "1234"), body="+")
    assert status == 200
    status, _, body = server.request("PUT", "/sipxconfig/rest/my/voicemail/pin/12", basic=("alice", "1234"), body="+")
    assert status == 400, body
    time.sleep(0.3)  # the access log line is written after the response
    log = server.output()
    assert "/pin/[redacted]" in log, log[-2000:]
    assert "8642" not in log
    assert "/pin/12" not in log
    assert "/pin/[redacted]" in log


def test_expired_nonce_answers_401_with_stale_true(server):
    from apps.users import nonces

    with override_settings(SECRET_KEY=SECRET_KEY, DIGEST_NONCE_SECONDS=300):
        old_nonce = nonces.issue(now=time.time() - 1000)
        assert nonces.check(old_nonce) == "stale"
    auth = digest_header("200", "1234", "example.org", old_nonce, "GET", LOGIN)
    status, headers, _ = server.request("GET", LOGIN, headers={"Authorization": auth})
    assert status == 401
    (digest,) = [c for c in challenges(headers) if c.startswith("Digest ")]
    params = parse_challenge(digest)
    assert params.get("stale") == "true"
    assert params["nonce"] != old_nonce
    # The fresh nonce of the stale challenge works at once.
    auth = digest_header("200", "1234", params["realm"], params["nonce"], "GET", LOGIN)
    assert server.request("GET", LOGIN, headers={"Authorization": auth})[0] == 200


def test_sigterm_stops_gunicorn_within_10_seconds(server):
    """Runs last in this module: it stops the module's server."""
    assert server.request("GET", "/healthz")[0] == 200
    elapsed = server.stop(timeout=20)
    assert server.proc.returncode is not None
    assert elapsed < 10, f"gunicorn took {elapsed:.1f} s to stop"
