"""Fixtures of the provisioning tests: the demo PBX's users, phonebooks, phones and provisioning credential
(docs/pbx-data.md), loaded from the project's own demo file; fixed installation settings so that the files (and the
golden copies in golden/) do not depend on the machine; and a phone's HTTP client with real Basic and Digest
headers."""

import base64
import hashlib
import json
from pathlib import Path

import pytest

from apps.pbxdata.document import import_document
from apps.users.authentication import parse_digest
from sipxweb.rest.challenges import split_challenges

DEMO = Path(__file__).resolve().parents[2] / "apps" / "pbxdata" / "demo" / "demo-pbx.json"
KEEP = ("format", "version", "domain", "settings", "groups", "users", "phonebooks", "phones", "provisioning")
CREDENTIAL = ("provisioning", "prov1234")

# The demo's phones: MAC -> model family.
POLYCOM, YEALINK, SNOM, GRANDSTREAM, CISCO, AASTRA = (
    "0004f2a1b2c3",
    "001565a1b2c3",
    "000413a1b2c3",
    "000b82a1b2c3",
    "e05fb9a1b2c3",
    "00085da1b2c3",
)


@pytest.fixture(autouse=True)
def installation(settings):
    """The installation every file is built for in these tests (a time zone with summer time, so the rules show)."""
    settings.PROVISIONING_URL = "http://pbx.example.org/provision/"
    settings.PROVISIONING_SIP_PROXY = "pbx.example.org:5060"
    settings.PHONE_TIME_ZONE = "Europe/Berlin"
    settings.PHONE_NTP_SERVER = "ntp.example.org"
    settings.PHONE_LANGUAGE = "en"
    return settings


@pytest.fixture
def demo(db):
    doc = json.loads(DEMO.read_text())
    import_document({k: v for k, v in doc.items() if k in KEEP})


def basic_auth(user: str = CREDENTIAL[0], password: str = CREDENTIAL[1]) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_auth(client, path: str, user: str = CREDENTIAL[0], password: str = CREDENTIAL[1], nc: int = 1) -> dict:
    """Digest headers for GET `path`, answering the nonce of a real 401 challenge of the server."""
    challenge = client.get(path)
    assert challenge.status_code == 401
    digest = next(c for c in split_challenges(challenge["WWW-Authenticate"]) if c.startswith("Digest "))
    params = parse_digest(digest[len("Digest ") :])
    realm, nonce, count = params["realm"], params["nonce"], f"{nc:08x}"
    ha1, ha2 = _md5(f"{user}:{realm}:{password}"), _md5(f"GET:{path}")
    response = _md5(f"{ha1}:{nonce}:{count}:0a4f113b:auth:{ha2}")
    return {
        "HTTP_AUTHORIZATION": f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{path}", '
        f'qop=auth, nc={count}, cnonce="0a4f113b", response="{response}"'
    }


def fetch(client, name: str, **headers):
    """GET /provision/<name> as a phone with the demo's credential (Basic)."""
    return client.get(f"/provision/{name}", **basic_auth(), **headers)
