"""Issue 15's defects 2 and 4 as a user met them in Chromium, found by what the page says (a row's text, a button's
name) rather than by the markup of their fix, so that they fail on the code the issue was filed against for the
defect itself: the Call button of My phonebook on a number written with spaces, what the page says while the call
is placed and when the server refuses a number; the site's icon. (Defects 1 and 3: tests/floor/test_layout_names.py,
tests/e2e/test_layout.py, tests/users/test_portal_pin.py, tests/e2e/test_pin_and_greeting_pages.py.)"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.callcontrol.models import CallAttempt
from apps.phonebooks import services as phonebooks
from tests.e2e.test_call_pages import FakeAgent, agent_heartbeat  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

SPACED = "+1 (617) 555-0142"
REFUSED = "123*we@sip"


@pytest.fixture
def alice_phonebook(transactional_db, alice, agent_heartbeat):  # noqa: F811  (the fixture imported above)
    for first, last, number in (("Jane", "Doe", SPACED), ("Bad", "Number", REFUSED)):
        phonebooks.create_private_entry(alice, {"first_name": first, "last_name": last, "number": number})
    return alice


def row_of(page, number):
    return page.locator("tr", has_text=number)


def rest_refusal(live_server, number) -> str:
    """The sentence PUT /my/call/{number} answers with when it refuses the number."""
    request = urllib.request.Request(
        live_server.url + "/sipxconfig/rest/my/call/" + urllib.parse.quote(number, safe=""),
        method="PUT",
        headers={"Authorization": "Basic " + base64.b64encode(b"alice:1234").decode()},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    return json.loads(refused.value.read())["error"]


def test_call_on_a_number_written_with_spaces_is_placed_and_followed(alice_phonebook, page, live_server, login):
    """Defect 2: "Call" on +1 (617) 555-0142 became a disabled "Call failed"; after "Calling…" nothing reported."""
    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    row = row_of(page, SPACED)
    row.locator("button", has_text="Call").click()
    expect(row).to_contain_text("Waiting for the call agent…")
    expect(row).not_to_contain_text("failed")
    assert CallAttempt.objects.get().called_uri == "sip:+16175550142@example.org"
    agent = FakeAgent()
    expect(row).to_contain_text("Ringing your phone…")
    agent.line("INVITE", "SIP/2.0 200 OK")
    expect(row).to_contain_text("Connecting to Jane Doe…")
    agent.line("NOTIFY", "SIP/2.0 200 OK")
    agent.finish(True)
    expect(row).to_contain_text("Jane Doe answered.")
    expect(row.locator("button", has_text="Call")).to_be_enabled()


def test_a_refused_number_says_the_servers_reason(alice_phonebook, page, live_server, login):
    """Defect 2: the server explains why it refuses a number; the page said only "Call failed"."""
    reason = rest_refusal(live_server, REFUSED)
    login("alice", "1234")
    page.goto(live_server.url + "/portal/phonebook/")
    row = row_of(page, REFUSED)
    row.locator("button", has_text="Call").click()
    expect(row).to_contain_text(reason)
    expect(row.locator("button", has_text="Call")).to_be_enabled()
    assert not CallAttempt.objects.exists()


def test_every_page_names_an_icon_that_loads(transactional_db, alice, page, live_server, login):
    """Defect 4: no favicon (the browser asked for /favicon.ico on every page and got a 404)."""
    login("alice", "1234")
    for path in ("/portal/", "/portal/phonebook/", "/users/"):  # the last one is refused: the 403 page
        page.goto(live_server.url + path)
        icon = page.locator("link[rel=icon]")
        expect(icon).to_have_count(1)
        href = icon.get_attribute("href")
        answer = page.evaluate("href => fetch(href).then(r => [r.status, r.headers.get('content-type')])", href)
        assert answer[0] == 200 and answer[1].startswith("image/"), (path, href, answer)
