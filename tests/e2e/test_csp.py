"""The Content-Security-Policy of the pages (sipxweb/csp.py) in real Chromium: every page of the demo PBX,
admin and portal, loads its scripts and styles without a single policy violation, and the nonce'd inline
script runs. A page that gained an inline script, style or handler without the nonce fails here."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.attendants.models import AutoAttendant

pytestmark = pytest.mark.e2e

WATCH = """() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " line " + e.lineNumber));
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


def visit_all(page, base: str, paths: list[str]) -> dict[str, list[str]]:
    """Opens each path; returns {path: violations} for the pages that had any (console or event)."""
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(f"({WATCH})()")
    problems = {}
    for path in paths:
        console.clear()
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        found = page.evaluate("() => window.__cspViolations") + console
        if path != "/api/docs/":  # base.html's nonce'd inline script switched the page to "js"
            assert page.evaluate("() => document.documentElement.classList.contains('js')"), path
        if found:
            problems[path] = found
    return problems


def test_admin_pages_keep_the_policy(demo, page, live_server, login):
    login("superadmin", "admin1234")
    attendant = AutoAttendant.objects.order_by("-id").first()  # the demo's own menu, not a system one
    paths = [
        "/",
        "/users/",
        "/phonebooks/",
        "/phones/",
        "/attendants/",
        reverse("attendants:attendant_edit", args=[attendant.pk]),
        "/voicemail/",
        "/conferences/",
        "/cdrs/active/",
        "/cdrs/history/",  # the charts are inline SVG
        "/users/tokens/",  # the copy button's script
        "/audit/",
        "/api/docs/",
    ]
    assert visit_all(page, live_server.url, paths) == {}


def test_portal_pages_keep_the_policy(demo, page, live_server, login):
    login("alice", "1234")
    paths = [
        "/",
        "/portal/",
        "/portal/contact/",
        "/portal/forward/",  # the ring-list editor's script
        "/portal/login-details/",
        "/portal/phonebook/",
        "/portal/voicemail/",
        "/portal/conferences/",
        "/cdrs/my/active/",
        "/cdrs/my/history/",
        "/cdrs/my/call/",
        "/portal/tokens/",
    ]
    assert visit_all(page, live_server.url, paths) == {}
    page.goto(live_server.url + "/portal/voicemail/")
    # the inline <style> with the nonce applies: an unheard message's subject is bold
    weight = page.evaluate("() => getComputedStyle(document.querySelector('tr.unheard td.subject')).fontWeight")
    assert weight == "700"
