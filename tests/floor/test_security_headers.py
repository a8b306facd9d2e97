"""Security headers of the pages: the Content-Security-Policy (sipxweb/csp.py) on HTML pages, with a fresh
nonce that the page's inline script carries; not on REST documents, audio or CSV; the API docs page has its
looser policy. Secure cookies when SECURE_COOKIES is set."""

import re

from tests.conftest import REST, basic


def test_html_pages_carry_the_policy_and_its_nonce(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    again = client.get("/login/")["Content-Security-Policy"]
    assert re.search(r"'nonce-([^']+)'", again).group(1) != nonce  # one per response


def test_rest_documents_carry_no_policy(client, alice):
    response = client.get(REST + "/my/logindetails", **basic("alice", "1234"))
    assert response.status_code == 200 and "Content-Security-Policy" not in response
    assert "Content-Security-Policy" not in client.get(REST + "/my/logindetails")  # the 401 either
    assert "Content-Security-Policy" not in client.get("/healthz")


def test_the_api_docs_page_allows_its_inline_code(client):
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy and "object-src 'none'" in policy


def test_secure_cookies_follow_the_environment(monkeypatch):
    """SECURE_COOKIES=1 (HTTPS sites) gives the session and CSRF cookies the Secure flag; off by default. The
    settings module is run again with the variable set (a fresh namespace: the running settings stay)."""
    import runpy

    from django.conf import settings

    monkeypatch.setenv("SECURE_COOKIES", "1")
    fresh = runpy.run_path(str(settings.BASE_DIR / "sipxweb" / "settings.py"))
    assert (fresh["SESSION_COOKIE_SECURE"], fresh["CSRF_COOKIE_SECURE"]) == (True, True)
    assert settings.SESSION_COOKIE_SECURE is False and settings.CSRF_COOKIE_SECURE is False
