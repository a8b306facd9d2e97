"""The API token pages: an administrator's (/users/tokens/: every token, new ones for themselves, revoke) and each
user's own (/portal/tokens/). A new token is shown once, on the answer to the POST that made it; it then works over
HTTP as its scope allows, and once revoked it gets 401."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.users import tokens
from apps.users.models import ApiToken
from tests.conftest import REST

ADMIN_LIST, ADMIN_ADD = "/users/tokens/", "/users/tokens/add/"
MY_LIST, MY_ADD = "/portal/tokens/", "/portal/tokens/add/"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def shown_token(response) -> str:
    """The token on the creation page: the one place it appears."""
    assert response.status_code == 200, response.content[:500]
    found = re.findall(r'id="token-value" value="([^"]+)"', response.content.decode())
    assert len(found) == 1
    return found[0]


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_admin_creates_sees_once_uses_and_revokes(admin_client, admin_user, client, alice):
    response = admin_client.post(ADMIN_ADD, {"name": "backup script", "scope": "write"})
    secret = shown_token(response)
    assert "shown only this once" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(name="backup script")
    assert (token.user, token.scope, token.expires, token.revoked) == (admin_user, "write", None, None)

    api = client.__class__()  # a program of its own, without the admin's session
    assert api.get("/api/v1/users", **bearer(secret)).status_code == 200
    assert api.get(REST + "/my/logindetails", **bearer(secret)).status_code == 200

    listing = admin_client.get(ADMIN_LIST)
    html = listing.content.decode()
    assert "backup script" in html and token.prefix in html and secret not in html
    # Never again: not on the list, not in the log, not on the JSON API's listing.
    for url in (ADMIN_LIST, "/audit/", reverse("users:user_list")):
        assert secret not in admin_client.get(url).content.decode()
    assert secret not in api.get("/api/v1/tokens", **bearer(secret)).content.decode()
    assert not any(secret in str(e.changes) for e in AuditEntry.objects.all())

    confirm = admin_client.get(reverse("users:token_revoke", args=[token.pk]))
    assert confirm.status_code == 200 and "Revoke token backup script?" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked is None  # asking is not revoking
    response = admin_client.post(reverse("users:token_revoke", args=[token.pk]), follow=True)
    assert "revoked: it no longer works" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked is not None
    assert api.get("/api/v1/users", **bearer(secret)).status_code == 401
    assert api.get(REST + "/my/logindetails", **bearer(secret)).status_code == 401
    entry = AuditEntry.objects.filter(kind="token", key=str(token.pk)).order_by("-id").first()
    assert (entry.actor, entry.channel, entry.action) == ("superadmin", "page", "update")


def test_admin_list_shows_every_users_tokens(admin_client, admin_user, alice):
    tokens.create_token(alice, "alice's phone app", "read")
    mine, _ = tokens.create_token(admin_user, "monitoring", "read", timezone.now() + timedelta(days=3))
    old, _ = tokens.create_token(admin_user, "old one", "write")
    tokens.revoke_token(old)
    response = admin_client.get(ADMIN_LIST)
    rows = {t.name: t for t in response.context["object_list"]}
    assert set(rows) == {"alice's phone app", "monitoring", "old one"}
    html = response.content.decode()
    assert "alice&#x27;s phone app" in html and "read only" in html and "read and write" in html
    assert f"{mine.expires:%Y-%m-%d}" in html
    # A revoked token has no Revoke link; the others have theirs.
    assert reverse("users:token_revoke", args=[old.pk]) not in html
    assert reverse("users:token_revoke", args=[mine.pk]) in html


def test_the_expiry_date_is_the_last_day_the_token_works(admin_client):
    day = date.today() + timedelta(days=10)
    shown_token(admin_client.post(ADMIN_ADD, {"name": "ten days", "scope": "read", "expires": day.isoformat()}))
    expires = timezone.localtime(ApiToken.objects.get(name="ten days").expires)
    assert (expires.date(), expires.hour, expires.minute) == (day + timedelta(days=1), 0, 0)


@pytest.mark.parametrize(
    "data, sentence",
    [
        ({"name": "", "scope": "read"}, "This field is required."),
        ({"name": "   ", "scope": "read"}, "This field is required."),
        ({"name": "x" * 101, "scope": "read"}, "at most 100 characters"),
        ({"name": "ok", "scope": "admin"}, "Select a valid choice."),
        ({"name": "ok", "scope": "read", "expires": "2001-01-01"}, "The expiry must be in the future."),
        ({"name": "ok", "scope": "read", "expires": "next week"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_400_with_the_reason_and_creates_nothing(admin_client, data, sentence):
    response = admin_client.post(ADMIN_ADD, data)
    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert 'id="token-value"' not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_manages_their_own_tokens_only(alice_client, alice, admin_user, client):
    admins, admin_secret = tokens.create_token(admin_user, "admin's", "write")
    secret = shown_token(alice_client.post(MY_ADD, {"name": "my script", "scope": "write"}))
    token = ApiToken.objects.get(name="my script")
    assert token.user == alice
    listing = alice_client.get(MY_LIST)
    assert [t.name for t in listing.context["object_list"]] == ["my script"]
    html = listing.content.decode()
    assert "admin&#x27;s" not in html and admins.prefix not in html and secret not in html
    # Another user's token is not there to see or revoke; the admin's page is not theirs.
    assert alice_client.get(reverse("portal:token_revoke", args=[admins.pk])).status_code == 404
    assert alice_client.post(reverse("portal:token_revoke", args=[admins.pk])).status_code == 404
    admins.refresh_from_db()
    assert admins.revoked is None
    assert alice_client.get(ADMIN_LIST).status_code == 403
    assert alice_client.post(ADMIN_ADD, {"name": "sneaky", "scope": "write"}).status_code == 403
    assert alice_client.get(reverse("users:token_revoke", args=[admins.pk])).status_code == 403

    program = client.__class__()
    assert program.get(REST + "/my/logindetails", **bearer(secret)).status_code == 200
    assert program.get("/api/v1/users", **bearer(secret)).status_code == 403  # not an administrator
    assert alice_client.post(reverse("portal:token_revoke", args=[token.pk])).status_code == 302
    assert program.get(REST + "/my/logindetails", **bearer(secret)).status_code == 401
    assert program.get(REST + "/my/logindetails", **bearer(admin_secret)).status_code == 200


def test_an_administrators_portal_page_lists_only_their_own(admin_client, admin_user, alice):
    tokens.create_token(alice, "alice's", "read")
    tokens.create_token(admin_user, "admin's", "read")
    assert [t.name for t in admin_client.get(MY_LIST).context["object_list"]] == ["admin's"]


def test_a_read_only_token_reads_my_data_but_may_not_write(alice_client, client):
    secret = shown_token(alice_client.post(MY_ADD, {"name": "reader", "scope": "read"}))
    program = client.__class__()
    response = program.get(REST + "/my/logindetails", HTTP_ACCEPT="application/json", **bearer(secret))
    assert response.status_code == 200 and b'"userName":"200"' in response.content.replace(b" ", b"")
    body = "<call-sequence><rings/><expiration>33</expiration></call-sequence>"
    response = program.put(REST + "/my/forward", body, content_type="text/xml", **bearer(secret))
    assert response.status_code == 403 and b"read-only" in response.content
    assert program.put(REST + "/my/voicemail/pin/4826", **bearer(secret)).status_code == 403


def test_the_pages_are_for_logged_in_users(client, db):
    for url in (ADMIN_LIST, ADMIN_ADD, MY_LIST, MY_ADD):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_menus_link_the_token_pages(admin_client, client, alice):
    html = admin_client.get(reverse("users:user_list")).content.decode()
    assert f'href="{ADMIN_LIST}"' in html and f'href="{MY_LIST}"' in html
    client.force_login(alice)
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{MY_LIST}"' in html and f'href="{ADMIN_LIST}"' not in html
