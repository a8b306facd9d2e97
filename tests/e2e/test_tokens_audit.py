"""Browser test of the API token page and the audit log (Chromium via Playwright, against the live server): an
administrator creates a token in the page, copies it with the page's button, a program uses it over HTTP; the
administrator revokes it in the page and the program gets 401; the audit log page shows both changes."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.users.models import ApiToken

pytestmark = pytest.mark.e2e


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def api_get(live_server, path: str, token: str) -> tuple[int, dict]:
    """GET `path` as an integration would: JSON, the token in the Bearer header, no cookies."""
    request = urllib.request.Request(
        live_server.url + path, headers={"Accept": "application/json", "Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_admin_creates_copies_uses_and_revokes_a_token(users, page, context, live_server, login):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    csp: list[str] = []  # the copy button is a script file: the pages keep the Content-Security-Policy
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/users/")
    # exactly "API tokens": the personal menu (folded away) has "My API tokens"
    page.get_by_role("navigation").get_by_role("link", name="API tokens", exact=True).click()
    page.fill("#id_name", "inventory sync")
    page.select_option("#id_scope", "read")
    page.click("button:has-text('Create token')")
    expect(page.locator("h1")).to_have_text("Token inventory sync created")
    expect(page.locator("#token-created")).to_contain_text("shown only this once")
    page.wait_for_load_state("load")  # the button's script is at the end of the page: a loaded machine ran it late
    page.click("#copy-token")
    expect(page.locator("#copy-result")).to_have_text("Copied.")
    token = page.evaluate("() => navigator.clipboard.readText()")
    assert token.startswith("sxw_") and token == page.input_value("#token-value")
    page.screenshot(path="/tmp/sipxweb-token-created.png", full_page=True)

    status, body = api_get(live_server, "/api/v1/users", token)
    assert status == 200 and [u["userName"] for u in body["results"]] == ["200", "superadmin"]

    page.click("text=Done")
    row = page.locator("#tokens tbody tr", has_text="inventory sync")
    expect(row).to_contain_text("read only")
    assert token not in page.content()
    row.locator("text=Revoke").click()
    expect(page.locator("h1")).to_have_text("Revoke token inventory sync?")
    page.click("button:has-text('Yes, revoke')")
    expect(page.locator(".messages")).to_contain_text("Token inventory sync revoked")
    assert ApiToken.objects.get(name="inventory sync").revoked is not None

    status, body = api_get(live_server, "/api/v1/users", token)
    assert status == 401, body

    page.click("nav >> text=Audit log")
    page.select_option("#id_channel", "page")
    page.fill("#id_kind", "token")
    page.click("button:has-text('Filter')")
    rows = page.locator("#audit-entries tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("changed")
    expect(rows.first).to_contain_text("revoked")
    expect(rows.nth(1)).to_contain_text("created")
    expect(rows.nth(1)).to_contain_text("inventory sync")
    assert token not in page.content()
    page.screenshot(path="/tmp/sipxweb-audit-log.png", full_page=True)
    assert csp == []
