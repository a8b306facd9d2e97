"""The provisioning credential: its rules, the admin's page and the PBX data file's `provisioning` section."""

import pytest

from apps.audit.models import AuditEntry
from apps.audit.services import MASK
from apps.pbxdata.document import export_document, import_document
from apps.pbxdata.schema import PbxDataError
from apps.provisioning import services
from apps.provisioning.models import ProvisioningSettings
from apps.users.models import User
from tests.provisioning.conftest import POLYCOM, basic_auth

URL = "/provisioning/"
MASTER = f"/provision/{POLYCOM}.cfg"


@pytest.mark.parametrize(
    ("user", "password", "field"),
    [
        ("", "long-enough", "user"),
        ("with:colon", "long-enough", "user"),
        ("with space", "long-enough", "user"),
        ("x" * 65, "long-enough", "user"),
        ("phones", "short", "password"),
        ("phones", "x" * 256, "password"),
        ("phones", "new\nline-in-it", "password"),
    ],
)
def test_refused_credentials(db, user, password, field):
    with pytest.raises(services.ProvisioningError) as refused:
        services.set_credential(user, password)
    assert refused.value.field == field
    assert not ProvisioningSettings.objects.exists()


def test_a_new_installation_gets_a_random_password(db):
    first = ProvisioningSettings.load()
    assert first.user == "provisioning" and len(first.password) >= 12 and first.password != "prov1234"


@pytest.fixture
def admin_client(client, demo):
    """The demo's administrator, logged in (after the demo is loaded: it replaces the user)."""
    client.force_login(User.objects.get(username="superadmin"))
    return client


def test_the_admin_changes_the_credential_and_phones_use_it_at_once(admin_client):
    page = admin_client.get(URL)
    assert page.status_code == 200 and b"prov1234" in page.content and b"/provision/" in page.content
    response = admin_client.post(URL, {"user": "phones", "password": "s3cret-phones"})
    assert response.status_code == 302
    assert admin_client.get(MASTER, **basic_auth()).status_code == 401
    assert admin_client.get(MASTER, **basic_auth("phones", "s3cret-phones")).status_code == 200


def test_the_admin_page_shows_the_rule(admin_client):
    response = admin_client.post(URL, {"user": "phones", "password": "short"})
    assert response.status_code == 200
    assert "8 to 255 characters" in response.content.decode()
    assert ProvisioningSettings.load().password == "prov1234"


def test_only_admins(client, demo, make_user):
    make_user("300", pin="1234")
    client.login(username="300", password="1234")
    assert client.get(URL).status_code == 403


def test_the_data_file_always_carries_the_credential(db):
    assert export_document()["provisioning"]["user"] == "provisioning"  # a random password, but written
    import_document({"format": "sipxweb-pbx", "version": 1, "provisioning": {"user": "p", "password": "12345678"}})
    assert export_document()["provisioning"] == {"user": "p", "password": "12345678"}


def test_the_demo_credential(demo):
    assert export_document()["provisioning"] == {"user": "provisioning", "password": "prov1234"}


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"user": "p"}, "provisioning.password"),
        ({"user": "a:b", "password": "12345678"}, "provisioning.user"),
        ({"user": "p", "password": "1234"}, "provisioning.password"),
        ({"user": "p", "password": "12345678", "ha1": "x"}, "provisioning.ha1"),
    ],
)
def test_a_bad_section_is_refused_with_its_path(db, section, path):
    with pytest.raises(PbxDataError) as refused:
        import_document({"format": "sipxweb-pbx", "version": 1, "provisioning": section})
    assert refused.value.path == path
    assert not ProvisioningSettings.objects.exists()


# ---- the audit log ---------------------------------------------------------------------------------------------


def credential_entries() -> list[tuple]:
    rows = AuditEntry.objects.filter(kind="provisioning", key="credential").order_by("id")
    return [(e.actor, e.channel, e.address, e.action, e.changes) for e in rows]


def test_a_change_on_the_page_is_in_the_audit_log_with_the_password_masked(admin_client):
    AuditEntry.objects.all().delete()  # the demo's own load
    admin_client.post(URL, {"user": "phones", "password": "s3cret-phones"})
    admin_client.post(URL, {"user": "phones", "password": "s3cret-phones"})  # saved as it was: nothing to tell
    admin_client.post(URL, {"user": "phones", "password": "other-secret"})
    admin_client.post(URL, {"user": "a:b", "password": "refused-one"})  # refused: nothing changed, nothing told
    changed = {"user": ["provisioning", "phones"], "password": [MASK, MASK]}
    assert credential_entries() == [
        ("superadmin", "page", "127.0.0.1", "update", changed),
        ("superadmin", "page", "127.0.0.1", "update", {"password": [MASK, MASK]}),
    ]
    log = admin_client.get("/audit/?kind=provisioning")
    text = log.content.decode()
    assert log.status_code == 200 and "provisioning credential" in text
    assert "(secret changed, not shown)" in text
    for secret in ("prov1234", "s3cret-phones", "other-secret"):
        assert secret not in text and secret not in str(credential_entries())
