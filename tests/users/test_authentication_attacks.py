"""Bad-input corpus of authentication (issue 9): each request an attacker or a careless client sends, with
the answer it must get. Account-wide lockout, Digest strictness and replays, nonce lifetime, the feed key's
reach, NUL in names and keys, the 429 sentence, logindetails not cached, one log line per HTML 403."""

import base64
import io
import json
import logging
import statistics
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import override_settings

from apps.users import nonces
from apps.users.models import Ring, User
from tests.conftest import REST, basic
from tests.users.test_authentication import challenge, digest_header
from tests.voicemail.conftest import alice_mail, bob, media_root  # noqa: F401 (fixtures: alice's demo voicemail)

URI = REST + "/my/logindetails"


@pytest.fixture
def dave(make_user):
    return make_user("203", aliases=["dave"])


# ---- account-wide lockout ---------------------------------------------------------------------------


def test_every_spelling_of_one_account_shares_its_ten_tries(client, dave, alice):
    spellings = ["dave", "dave@example.org", "example.org\\dave", "203", "DAVE"]
    codes = [client.get(URI, **basic(spellings[i % len(spellings)], "wrong")).status_code for i in range(10)]
    assert codes == [401] * 10
    for name in spellings:
        response = client.get(URI, **basic(name, "1234"))  # even the right PIN: the account is locked
        assert response.status_code == 429, name
    # the HTML login counts against the same account
    page = client.post("/login/", {"username": "example.org\\dave", "password": "1234"})
    assert b"Too many failed logins" in page.content
    assert client.get(URI, **basic("alice", "1234")).status_code == 200  # another account
    assert client.get(URI, REMOTE_ADDR="10.7.7.7", **basic("203", "1234")).status_code == 200  # another address


def test_unknown_names_count_under_their_normalised_spelling(client, alice):
    for i in range(10):
        name = ["ghost", "GHOST@example.org", "example.org\\Ghost"][i % 3]
        assert client.get(URI, **basic(name, "x")).status_code == 401
    assert client.get(URI, **basic("ghost", "x")).status_code == 429
    assert client.get(URI, **basic("ghost2", "x")).status_code == 401


def test_digest_failures_count_against_the_account(client, dave):
    nonce = challenge(client)["nonce"]
    for _ in range(5):
        assert client.get(URI, **digest_header("dave", "bad", nonce)).status_code == 401
    for _ in range(5):
        assert client.get(URI, **basic("203", "bad")).status_code == 401
    assert client.get(URI, **digest_header("203", "1234", nonce)).status_code == 429


def test_the_429_says_its_time_once(client, dave):
    for _ in range(10):
        client.get(URI, **basic("dave", "wrong"))
    response = client.get(URI, **basic("dave", "wrong"))
    assert response.status_code == 429
    error = json.loads(response.content)["error"]
    seconds = response["Retry-After"]
    assert error == f"Too many failed logins for this account from this address; try again in {seconds} seconds."


# ---- an unknown name costs the time of a wrong PIN ------------------------------------------------------


class SlowHasher(PBKDF2PasswordHasher):
    """A real PBKDF2 cost (~tens of ms) so that skipping the hash would show; the suite's MD5 would not."""

    algorithm = "pbkdf2_sha256_test_timing"
    iterations = 60_000


def _median_seconds(send, tries=5):
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        send()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@pytest.mark.parametrize("form", ["basic", "html"])
def test_unknown_user_costs_as_much_as_a_wrong_pin(client, make_user, settings, form):
    settings.PASSWORD_HASHERS = ["tests.users.test_authentication_attacks.SlowHasher"]
    settings.LOCKOUT_MAX_PER_NAME = settings.LOCKOUT_MAX_PER_ADDRESS = 1000
    make_user("203", aliases=["dave"])  # hashed with SlowHasher

    def attempt(name):
        if form == "basic":
            return lambda: client.get(URI, **basic(name, "9999"))
        return lambda: client.post("/login/", {"username": name, "password": "9999"})

    attempt("dave")()  # warm-up (the dummy hash is made once per hasher)
    attempt("nobody")()
    known = _median_seconds(attempt("dave"))
    unknown = _median_seconds(attempt("nobody"))
    foreign = _median_seconds(attempt("dave@other.example"))
    assert known > 0.01, known  # the hash really costs something here
    assert 0.5 < unknown / known < 2, (unknown, known)
    assert 0.5 < foreign / known < 2, (foreign, known)


# ---- Digest ------------------------------------------------------------------------------------------


def _digest(params: dict) -> dict:
    return {"HTTP_AUTHORIZATION": "Digest " + ", ".join(f'{k}="{v}"' for k, v in params.items())}


def test_non_hex_response_is_401_not_500(client, alice):
    nonce = challenge(client)["nonce"]
    header = _digest({"username": "200", "realm": "example.org", "nonce": nonce, "uri": URI, "response": "éé"})
    header["HTTP_AUTHORIZATION"] = header["HTTP_AUTHORIZATION"].encode().decode("latin-1")
    response = client.get(URI, **header)
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "The Digest response must be 32 hexadecimal digits."


def test_uri_must_equal_the_request_uri(client, alice):
    nonce = challenge(client)["nonce"]
    for uri in ("http://evil.example" + URI, "/evil" + URI, URI + "?x=1", REST + "/my/forward"):
        assert client.get(URI, **digest_header("200", "1234", nonce, uri=uri)).status_code == 401, uri
    assert client.get(URI, **digest_header("200", "1234", nonce)).status_code == 200
    query = URI + "?a=1"
    assert client.get(query, **digest_header("200", "1234", nonce, uri=query, nc="00000002")).status_code == 200


def test_a_replayed_header_is_401_with_stale_false(client, alice):
    nonce = challenge(client)["nonce"]
    header = digest_header("200", "1234", nonce, nc="00000005")
    assert client.get(URI, **header).status_code == 200
    replay = client.get(URI, **header)
    assert replay.status_code == 401
    assert "stale=false" in replay["WWW-Authenticate"]
    # nc may not go backwards either; a larger one works
    assert client.get(URI, **digest_header("200", "1234", nonce, nc="00000003")).status_code == 401
    assert client.get(URI, **digest_header("200", "1234", nonce, nc="00000006")).status_code == 200
    # without qop there is no counter: the nonce serves one request
    fresh = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("200", "1234", fresh, qop=None)).status_code == 200
    assert client.get(URI, **digest_header("200", "1234", fresh, qop=None)).status_code == 401


def test_a_replay_does_not_reset_the_failure_counter(client, alice):
    nonce = challenge(client)["nonce"]
    header = digest_header("200", "1234", nonce)
    assert client.get(URI, **header).status_code == 200
    for _ in range(9):
        assert client.get(URI, **basic("alice", "wrong")).status_code == 401
    assert client.get(URI, **header).status_code == 401  # the replay
    assert client.get(URI, **basic("alice", "wrong")).status_code == 401
    assert client.get(URI, **basic("alice", "1234")).status_code == 429


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5-sess", "SHA-512-256", "md4"])
def test_only_the_offered_algorithm_passes(client, alice, algorithm):
    nonce = challenge(client)["nonce"]
    header = digest_header("200", "1234", nonce)  # an MD5 response
    header["HTTP_AUTHORIZATION"] += f", algorithm={algorithm}"
    response = client.get(URI, **header)
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "Only the Digest algorithm MD5 is offered."
    header = digest_header("200", "1234", nonce)
    header["HTTP_AUTHORIZATION"] += ", algorithm=MD5"
    assert client.get(URI, **header).status_code == 200


@pytest.mark.parametrize("qop", ["auth-int", "bogus"])
def test_only_the_offered_qop_passes(client, alice, qop):
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("200", "1234", nonce, qop=qop)).status_code == 401


@pytest.mark.parametrize("nc", ["", "xyz", "123456789", "-1"])
def test_malformed_nc_is_401(client, alice, nc):
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("200", "1234", nonce, nc=nc)).status_code == 401


def test_nonce_lifetime_comes_from_its_signed_issue_time(client, alice, settings):
    assert nonces.check(nonces.issue(now=time.time() - 301)) == "stale"
    assert nonces.check(nonces.issue(now=time.time() - 10)) == "ok"
    future = nonces.issue(now=time.time() + 10 * 365 * 86400)  # "valid for 10 years"
    assert nonces.check(future) == "bad"
    assert client.get(URI, **digest_header("200", "1234", future)).status_code == 401
    settings.DIGEST_NONCE_SECONDS = 5  # a shorter setting applies to nonces already issued
    assert nonces.check(nonces.issue(now=time.time() - 10)) == "stale"


def test_a_nonce_forged_with_the_development_key_is_refused(client, alice, settings):
    settings.SECRET_KEY = "an-installation-key-" * 3
    with override_settings(SECRET_KEY="dev-only-insecure-secret-key-change-me-in-production-0123456789"):
        forged = nonces.issue()
    response = client.get(URI, **digest_header("200", "1234", forged))
    assert response.status_code == 401 and "stale" not in response["WWW-Authenticate"]


@pytest.mark.parametrize("nonce", ["", "%%%", base64.b64encode(b"\xff\xfe:abc").decode(), "MTIzOmFiYw=="])
def test_garbage_nonces_are_401(client, alice, nonce):
    assert client.get(URI, **digest_header("200", "1234", nonce or "x")).status_code == 401


# ---- NUL and other odd names -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["al\0ice", "\0", "200\0@example.org", "é" * 300, "a" * 5000])
def test_odd_basic_names_are_401(client, alice, name):
    response = client.get(URI, **basic(name, "1234"))
    assert response.status_code == 401
    assert json.loads(response.content)["type"] == "authentication_failed"


def test_nul_in_a_digest_user_name_is_401(client, alice):
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("2\x000", "1234", nonce)).status_code == 401


# ---- the feed key -----------------------------------------------------------------------------------------


def test_feed_key_reads_the_feed_and_its_audio_only(client, alice, alice_mail):  # noqa: F811
    key = alice.feed_key
    assert client.get(f"{REST}/private/{key}/feed/voicemail/inbox").status_code == 200
    assert client.get(f"{REST}/private/{key}/voicemail/inbox/0000000001").status_code == 200
    for path in ("logindetails", "forward", "contact-information", "mailbox/200/preferences/activegreeting"):
        response = client.get(f"{REST}/private/{key}/{path}")
        assert response.status_code == 403, path
        assert json.loads(response.content)["type"] == "permission_denied"
        assert b"sipPassword" not in response.content
    before = list(Ring.objects.filter(user=alice).values_list("number", flat=True))
    body = '{"call-sequence": {"rings": [], "expiration": 5}}'
    response = client.put(f"{REST}/private/{key}/forward", body, content_type="application/json")
    assert response.status_code == 403
    assert list(Ring.objects.filter(user=alice).values_list("number", flat=True)) == before
    response = client.put(f"{REST}/private/{key}/voicemail/pin/8642", "")
    assert response.status_code == 403


def test_feed_key_full_access_is_the_compatibility_switch(client, alice, settings):
    settings.FEED_KEY_FULL_ACCESS = True
    response = client.get(f"{REST}/private/{alice.feed_key}/logindetails")
    assert response.status_code == 200 and b"<userName>200</userName>" in response.content


@pytest.mark.parametrize("key", ["abc%00def", "%00", "x" * 200, "..", "a b"])
def test_odd_feed_keys_are_404(client, alice, key):
    response = client.get(f"{REST}/private/{key}/feed/voicemail/inbox")
    assert response.status_code == 404
    assert json.loads(response.content)["type"] == "not_found"


def test_logindetails_is_not_stored_by_caches(client, alice):
    response = client.get(URI, **basic("alice", "1234"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


# ---- logs -------------------------------------------------------------------------------------------------


def test_an_html_403_is_one_log_line(client, alice):
    handler = next(h for h in logging.getLogger("django").handlers if getattr(h, "filters", None))
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        client.force_login(alice)  # not an admin
        response = client.get("/users/")
    finally:
        handler.setStream(old)
    assert response.status_code == 403
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and "Forbidden" in lines[0], stream.getvalue()
    assert "Traceback" not in stream.getvalue()


def test_pins_never_reach_the_log(client, dave, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get(URI, **basic("dave", "s3cr3t-pin"))
        client.post("/login/", {"username": "dave", "password": "s3cr3t-pin"})
    assert "s3cr3t-pin" not in caplog.text


def test_stored_counters_are_exact_after_failures(client, dave):
    from django.core.cache import cache

    from apps.users.lockout import _keys, account_of

    for _ in range(7):
        client.get(URI, **basic(["dave", "203"][_ % 2], "wrong"))
    account_key, address_key = _keys("127.0.0.1", account_of(User.objects.get(username="203").pk, "203"))
    assert cache.get(account_key) == 7 and cache.get(address_key) == 7
    assert client.get(URI, **basic("dave", "1234")).status_code == 200
    assert cache.get(account_key) is None and cache.get(address_key) == 7


# ---- the cost of a success: one read of the counters, and for Digest one write of the nonce count ----------


def _cache_statements(client, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(URI, **headers).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries if "sipxweb_cache" in q["sql"]]
    return [s.split()[0].upper() for s in statements]


def test_a_success_reads_the_counters_once_and_writes_nothing(client, dave):
    assert _cache_statements(client, **basic("dave", "1234")) == ["SELECT"]  # the PIN hash checked
    assert _cache_statements(client, **basic("dave", "1234")) == ["SELECT"]  # remembered by this process
    nonce = challenge(client)["nonce"]
    # Digest: the counters and the nonce's highest nc in one read, then the new nc in one write
    assert _cache_statements(client, **digest_header("dave", "1234", nonce, nc="00000001")) == ["SELECT", "INSERT"]
    assert _cache_statements(client, **digest_header("dave", "1234", nonce, nc="00000002")) == ["SELECT", "UPDATE"]
    replay = client.get(URI, **digest_header("dave", "1234", nonce, nc="00000002"))
    assert replay.status_code == 401 and "stale=false" in replay["WWW-Authenticate"]


def test_a_right_pin_after_failures_still_clears_them_and_is_locked_past_the_limit(client, dave):
    from django.core.cache import cache

    from apps.users import lockout

    for _ in range(3):
        assert client.get(URI, **basic("dave", "wrong")).status_code == 401
    lockout._SUSPECT.clear()  # another worker, which has seen none of these failures: check first, then count
    assert client.get(URI, **basic("203", "1234")).status_code == 200
    account_key, _ = lockout._keys("127.0.0.1", lockout.account_of(User.objects.get(username="203").pk, "203"))
    assert cache.get(account_key) is None
    for _ in range(10):
        lockout._SUSPECT.clear()
        assert client.get(URI, **basic("dave", "wrong")).status_code == 401
    lockout._SUSPECT.clear()
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("dave", "1234", nonce)).status_code == 429  # right, but locked


def test_advance_keeps_the_highest_count_only(db):
    from django.core.cache import cache

    assert cache.advance("t:nc", 5, 60)
    assert not cache.advance("t:nc", 5, 60) and not cache.advance("t:nc", 3, 60)
    assert cache.advance("t:nc", 6, 60, seen=4)  # a stale `seen`: read again, then applied
    assert cache.get("t:nc") == 6
    assert not cache.advance("t:nc", 6, 60, seen=None)
    cache.set("t:old", 9, timeout=-1)  # a row left behind expired counts as absent
    assert cache.advance("t:old", 1, 60) and cache.get("t:old") == 1
