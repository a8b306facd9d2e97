"""Authentication of the REST URIs (docs/compatibility.md A.4, D6, D7, D8): Basic, Digest, private keys, lockout."""

import hashlib
import json
import time

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings

from apps.users import nonces, services
from apps.users.authentication import parse_digest
from apps.users.models import LoginName
from sipxweb.rest.challenges import split_challenges
from tests.conftest import REST, basic

URI = REST + "/my/logindetails"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest_header(user, pin, nonce, uri=URI, method="GET", realm="example.org", qop="auth", nc="00000001"):
    ha1 = md5(f"{user}:{realm}:{pin}")
    ha2 = md5(f"{method}:{uri}")
    if qop:
        response = md5(f"{ha1}:{nonce}:{nc}:abcdef:{qop}:{ha2}")
        extra = f', qop={qop}, nc={nc}, cnonce="abcdef"'
    else:
        response = md5(f"{ha1}:{nonce}:{ha2}")
        extra = ""
    return {
        "HTTP_AUTHORIZATION": f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'response="{response}"{extra}'
    }


def challenge(client):
    response = client.get(URI)
    assert response.status_code == 401
    digest = next(c for c in split_challenges(response["WWW-Authenticate"]) if c.startswith("Digest"))
    return parse_digest(digest[len("Digest ") :])


def test_no_credentials_gets_digest_and_basic_challenges(client, alice):
    response = client.get(URI)
    assert response.status_code == 401
    challenges = split_challenges(response["WWW-Authenticate"])
    assert len(challenges) == 2
    digest, basic_challenge = challenges
    params = parse_digest(digest[len("Digest ") :])
    assert digest.startswith("Digest ") and params["realm"] == "example.org" and params["qop"] == "auth"
    assert nonces.check(params["nonce"]) == "ok"
    assert basic_challenge == 'Basic realm="example.org"'
    assert json.loads(response.content)["type"] == "not_authenticated"


@pytest.mark.parametrize("name", ["200", "alice", "ALICE", "200@example.org", "example.org\\alice"])
def test_basic_with_every_login_name_form(client, alice, name):
    assert client.get(URI, **basic(name, "1234")).status_code == 200


def test_basic_with_im_id_only_while_im_is_enabled(client, make_user):
    user = make_user("700", im_id="zed", im_enabled=True)
    assert client.get(URI, **basic("zed", "1234")).status_code == 200
    user.im_enabled = False
    services.save_user(user)
    assert client.get(URI, **basic("zed", "1234")).status_code == 401


@pytest.mark.parametrize(
    ("name", "pin"),
    [
        ("alice", "wrong"),
        ("nobody", "1234"),
        ("alice@other.example", "1234"),
        ("alice", "2580"),
        ("alice", "alicesip200"),
    ],
)
def test_basic_wrong_credentials(client, alice, name, pin):
    response = client.get(URI, **basic(name, pin))
    assert response.status_code == 401
    assert "Basic" in response["WWW-Authenticate"]


def test_malformed_basic_header_is_401(client, alice):
    assert client.get(URI, HTTP_AUTHORIZATION="Basic !!!notbase64").status_code == 401
    assert client.get(URI, HTTP_AUTHORIZATION="Basic " + "YWxpY2U=").status_code == 401  # "alice", no colon


def test_disabled_user_cannot_log_in(client, alice):
    alice.is_active = False
    alice.save()
    assert client.get(URI, **basic("alice", "1234")).status_code == 401


@pytest.mark.parametrize("name", ["200", "alice"])
def test_digest_with_user_name_and_alias(client, alice, name):
    nonce = challenge(client)["nonce"]
    response = client.get(URI, **digest_header(name, "1234", nonce))
    assert response.status_code == 200
    assert b"<userName>200</userName>" in response.content


def test_digest_without_qop(client, alice):
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("200", "1234", nonce, qop=None)).status_code == 200


def test_digest_wrong_pin_bad_nonce_wrong_uri_wrong_realm(client, alice):
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **digest_header("200", "9999", nonce)).status_code == 401
    assert client.get(URI, **digest_header("200", "1234", "Zm9vOmJhcg==")).status_code == 401
    forged = nonces.issue().replace("=", "")[:-4] + "AAAA"
    assert client.get(URI, **digest_header("200", "1234", forged)).status_code == 401
    other = REST + "/my/forward"
    assert client.get(URI, **digest_header("200", "1234", nonce, uri=other)).status_code == 401
    assert client.get(URI, **digest_header("200", "1234", nonce, realm="evil.org")).status_code == 401


def test_digest_expired_nonce_is_stale(client, alice):
    old = nonces.issue(now=time.time() - 3600)
    assert nonces.check(old) == "stale"
    response = client.get(URI, **digest_header("200", "1234", old))
    assert response.status_code == 401
    assert "stale=true" in response["WWW-Authenticate"]
    # a wrong PIN with an old nonce is simply wrong, not stale
    response = client.get(URI, **digest_header("200", "0000", old))
    assert response.status_code == 401 and "stale" not in response["WWW-Authenticate"]


def test_digest_nonce_signed_with_another_secret_is_rejected(client, alice):
    with override_settings(SECRET_KEY="another-secret-entirely-" * 3):
        foreign = nonces.issue()
    assert nonces.check(foreign) == "bad"
    assert client.get(URI, **digest_header("200", "1234", foreign)).status_code == 401


def test_digest_for_a_new_alias_needs_the_next_pin_change(client, alice):
    services.save_user(alice, aliases=["alice", "smith"])
    nonce = challenge(client)["nonce"]
    assert client.get(URI, **basic("smith", "1234")).status_code == 200  # Basic: at once
    assert client.get(URI, **digest_header("smith", "1234", nonce)).status_code == 401
    services.set_portal_pin(alice, "4826")
    assert client.get(URI, **digest_header("smith", "4826", nonce)).status_code == 200
    assert client.get(URI, **digest_header("alice", "4826", nonce, nc="00000002")).status_code == 200


def test_d6_no_pin_is_stored_in_clear(alice):
    alice.refresh_from_db()
    identify_hasher(alice.password)  # a Django hash
    assert "1234" not in alice.password.split("$")  # (a random hex digest may contain "1234" by chance)
    stored = {row.name: row.digest_ha1 for row in LoginName.objects.filter(user=alice)}
    assert stored == {name: md5(f"{name}:example.org:1234") for name in ("200", "alice")}


# ---- private keys (B.1.1, D9) ---------------------------------------------------------------------


def test_private_key_url_authenticates_its_owner(client, alice, settings):
    settings.FEED_KEY_FULL_ACCESS = True  # sipXconfig 4.6's whole /private/{key}/... (the compatibility switch)
    response = client.get(f"{REST}/private/{alice.feed_key}/logindetails")
    assert response.status_code == 200 and b"<userName>200</userName>" in response.content


def test_regenerated_key_makes_the_old_url_404(client, alice, settings):
    settings.FEED_KEY_FULL_ACCESS = True
    old = alice.feed_key
    new = services.regenerate_feed_key(alice)
    assert client.get(f"{REST}/private/{old}/logindetails").status_code == 404
    assert client.get(f"{REST}/private/{new}/logindetails").status_code == 200


def test_private_key_of_a_disabled_user_is_404(client, alice, settings):
    settings.FEED_KEY_FULL_ACCESS = True
    alice.is_active = False
    alice.save()
    assert client.get(f"{REST}/private/{alice.feed_key}/logindetails").status_code == 404


# ---- lockout (D7) -----------------------------------------------------------------------------------


def test_lockout_after_ten_failures_for_one_name(client, alice, make_user):
    make_user("203", aliases=["dave"])
    codes = [client.get(URI, **basic("dave", "wrong")).status_code for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    locked = client.get(URI, **basic("dave", "1234"))  # even the right PIN is refused while locked
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert json.loads(locked.content)["type"] == "throttled"
    # other names from the same address and the same name from another address still work
    assert client.get(URI, **basic("alice", "1234")).status_code == 200
    assert client.get(URI, REMOTE_ADDR="10.9.9.9", **basic("dave", "1234")).status_code == 200


def test_lockout_window_passes(client, make_user, settings, clock):
    make_user("203", aliases=["dave"])
    settings.LOCKOUT_WINDOW_SECONDS = 60
    for _ in range(10):
        client.get(URI, **basic("dave", "wrong"))
    assert client.get(URI, **basic("dave", "1234")).status_code == 429
    clock.advance(50)  # still within the window: still locked, and told for about how long
    locked = client.get(URI, **basic("dave", "1234"))
    assert locked.status_code == 429 and 1 <= int(locked["Retry-After"]) <= 11
    clock.advance(11)
    assert client.get(URI, **basic("dave", "1234")).status_code == 200
    # a new window starts with the next failures, counted on the same clock
    for _ in range(10):
        client.get(URI, **basic("dave", "wrong"))
    assert client.get(URI, **basic("dave", "1234")).status_code == 429


def test_success_resets_the_name_counter(client, alice):
    for _ in range(9):
        client.get(URI, **basic("alice", "wrong"))
    assert client.get(URI, **basic("alice", "1234")).status_code == 200
    for _ in range(9):
        assert client.get(URI, **basic("alice", "wrong")).status_code == 401
    assert client.get(URI, **basic("alice", "1234")).status_code == 200


def test_fifty_failures_lock_the_whole_address(client, alice, settings):
    settings.LOCKOUT_MAX_PER_NAME = 1000
    for i in range(50):
        client.get(URI, **basic(f"guess{i}", "x"))
    assert client.get(URI, **basic("alice", "1234")).status_code == 429
    assert client.get(URI, REMOTE_ADDR="10.1.2.3", **basic("alice", "1234")).status_code == 200


def test_digest_failures_count_too(client, alice):
    nonce = challenge(client)["nonce"]
    codes = [client.get(URI, **digest_header("alice", "bad", nonce)).status_code for _ in range(11)]
    assert codes[-1] == 429


def test_html_login_shares_the_lockout(client, alice):
    for _ in range(10):
        client.post("/login/", {"username": "alice", "password": "nope"})
    response = client.post("/login/", {"username": "alice", "password": "1234"})
    assert response.status_code == 200
    assert b"Too many failed logins" in response.content


def test_private_key_wins_over_credentials(client, alice, make_user, settings):
    settings.FEED_KEY_FULL_ACCESS = True
    make_user("201", aliases=["bob"])
    old = alice.feed_key
    services.regenerate_feed_key(alice)
    response = client.get(f"{REST}/private/{old}/logindetails", **basic("bob", "1234"))
    assert response.status_code == 404


def test_lockout_uses_the_forwarded_address_behind_a_trusted_proxy(client, alice, settings):
    settings.TRUST_PROXY_HEADERS = True
    for _ in range(10):
        client.get(URI, HTTP_X_FORWARDED_FOR="203.0.113.9", **basic("alice", "wrong"))
    assert client.get(URI, HTTP_X_FORWARDED_FOR="203.0.113.9", **basic("alice", "1234")).status_code == 429
    assert client.get(URI, HTTP_X_FORWARDED_FOR="198.51.100.7", **basic("alice", "1234")).status_code == 200


def test_parse_digest_forms():
    header = (
        'username="a\\"b", Realm = "example.org",nonce="abc==",uri="/x?y=1,2", qop=auth, nc=00000001, '
        'cnonce="", response="0123abcd", algorithm=MD5'
    )
    assert parse_digest(header) == {
        "username": 'a\\"b',  # kept as sent: the response is computed over what the client sent
        "realm": "example.org",
        "nonce": "abc==",
        "uri": "/x?y=1,2",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "",
        "response": "0123abcd",
        "algorithm": "MD5",
    }
    assert parse_digest("") == {}
