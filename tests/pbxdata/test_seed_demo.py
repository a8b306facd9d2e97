"""seed_demo loads exactly the demo PBX of docs/pbx-data.md; it is idempotent and --if-empty leaves a used
database alone."""

import hashlib
import io
import json

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.management import call_command

from apps.pbxdata.document import validate_document
from apps.pbxdata.management.commands.seed_demo import DEMO_FILE
from apps.users.models import LoginName, User, UserGroup
from tests.conftest import REST, basic
from tests.pbxdata.helpers import export

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def without_hashes(document: dict) -> dict:
    """The export minus the salted hashes (a clear PIN gets a new salt each time it is hashed)."""
    for user in document["users"]:
        user.pop("pinHash", None)
        user.pop("voicemailPinHash", None)
    return document


def test_demo_file_is_valid():
    document = json.loads(DEMO_FILE.read_text())
    cleaned = validate_document(document)  # raises PbxDataError naming the first bad path
    sections = {key: len(value) for key, value in document.items() if isinstance(value, list)}
    assert {key: len(cleaned[key]) for key in sections} == sections  # every item of every section kept
    assert sections.keys() >= {"groups", "users", "phonebooks", "phones", "autoAttendants", "conferences", "voicemail"}
    assert sorted(user["userName"] for user in cleaned["users"]) == ["200", "201", "202", "203", "superadmin"]


def test_demo_values():
    seed()
    rows = {u.username: u for u in User.objects.prefetch_related("groups")}
    assert sorted(rows) == ["200", "201", "202", "203", "superadmin"]
    expected = {
        "200": ("Alice", "Smith", ["alice"], "alicesip200", ["sales"], ["voicemail"], "2580"),
        "201": ("Bob", "Jones", ["bob"], "bobsip201", ["sales"], ["voicemail"], "3690"),
        "202": ("Carol", "White", ["carol"], "carolsip202", ["support"], ["voicemail", "attendant-admin"], "1470"),
        "203": ("Dave", "Brown", ["dave"], "davesip203", ["support"], [], "9630"),
    }
    for name, (first, last, aliases, sip, groups, perms, vm_pin) in expected.items():
        user = rows[name]
        got = (user.first_name, user.last_name, user.aliases, user.sip_password)
        assert got == (first, last, aliases, sip), name
        assert [g.name for g in user.groups.all()] == groups and user.permission_names == perms, name
        assert user.check_password("1234") and not user.is_admin, name
        # Stored as a salted hash that checks (a substring test would fail by chance on a hash containing the digits).
        assert identify_hasher(user.voicemail_pin_hash) and check_password(vm_pin, user.voicemail_pin_hash), name
    admin = rows["superadmin"]
    assert admin.is_admin and admin.check_password("admin1234") and admin.aliases == []
    assert (admin.first_name, admin.last_name) == ("", "")
    alice = rows["200"]
    assert (alice.im_id, alice.im_enabled) == ("alice", True)
    assert alice.call_forward_timer == 20
    rings = [(r.number, r.expiration, r.type, r.enabled) for r in alice.rings.all()]
    assert rings == [
        ("5551234", 30, "If no response", True),
        ("sip:alice@mobile.example.net", 20, "At the same time", False),
    ]
    profile = alice.profile
    assert (profile.job_title, profile.company_name, profile.email_address) == (
        "Sales Lead",
        "Example Inc",
        "alice@example.org",
    )
    assert profile.office_address == {"city": "Boston"}
    assert sorted(UserGroup.objects.values_list("name", flat=True)) == ["sales", "support"]


def test_alice_logs_in_with_basic(client):
    seed()
    response = client.get(f"{REST}/my/logindetails", **basic("alice", "1234"))
    assert response.status_code == 200
    assert b"<userName>200</userName>" in response.content
    assert b"<sipPassword>alicesip200</sipPassword>" in response.content


def test_digest_ha1_of_the_demo_names():
    seed()
    digest = dict(LoginName.objects.exclude(kind=LoginName.Kind.IM).values_list("name", "digest_ha1"))
    assert digest["200"] == hashlib.md5(b"200:example.org:1234").hexdigest()
    assert digest["alice"] == hashlib.md5(b"alice:example.org:1234").hexdigest()
    assert digest["superadmin"] == hashlib.md5(b"superadmin:example.org:admin1234").hexdigest()


def test_seed_is_idempotent():
    seed()
    first = without_hashes(export())
    seed()
    assert without_hashes(export()) == first
    assert User.objects.count() == 5 and UserGroup.objects.count() == 2


def test_if_empty_leaves_a_used_database_alone(make_user):
    make_user("500")
    assert "not loaded" in seed("--if-empty")
    assert list(User.objects.values_list("username", flat=True)) == ["500"]


def test_if_empty_seeds_an_empty_database():
    seed("--if-empty")
    assert User.objects.count() == 5
