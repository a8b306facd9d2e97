"""Browser tests of the voicemail page (Chromium via Playwright): a user plays a message (the audio element
reports its duration), the message becomes heard, is moved to saved, the active greeting is switched, and the
REST URIs show each change."""

import base64
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.voicemail.models import Message
from tests.voicemail.audio import tone_wav
from tests.voicemail.conftest import put_demo_mail

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mailbox(transactional_db, alice, make_user):
    make_user("201", aliases=["bob"], first_name="Bob", last_name="Jones")
    put_demo_mail(alice, "0000000001", "0000000003")
    return alice


def rest(live_server, path: str, accept: str = "*/*") -> bytes:
    request = urllib.request.Request(
        live_server.url + "/sipxconfig/rest" + path,
        headers={"Accept": accept, "Authorization": "Basic " + base64.b64encode(b"alice:1234").decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def test_play_move_and_switch_greeting(mailbox, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    expect(page.locator("#folders")).to_contain_text("Inbox (1, 1 new)")
    row = page.locator("tr[data-message='0000000001']")
    expect(row).to_have_class("unheard")
    audio = row.locator("audio")
    audio.evaluate("a => a.play()")
    page.wait_for_function(
        "() => { const a = document.querySelector(\"tr[data-message='0000000001'] audio\");"
        " return a && isFinite(a.duration) && a.duration > 0 && a.currentTime > 0; }",
        timeout=15000,
    )
    duration = audio.evaluate("a => a.duration")
    assert abs(duration - 12) < 0.1
    audio.evaluate("a => a.currentTime = 10")  # seeking needs byte ranges
    page.wait_for_function(
        "() => document.querySelector(\"tr[data-message='0000000001'] audio\").currentTime >= 10", timeout=10000
    )
    audio.evaluate("a => a.pause()")
    expect(row).to_have_class("heard")  # playing marked it heard (fetch POST with the CSRF token)
    assert Message.objects.get(message_id="0000000001").heard
    page.screenshot(path="/tmp/sipxweb-voicemail.png", full_page=True)

    row.locator("select[name=folder]").select_option("saved")
    row.locator("button:has-text('Move')").click()
    expect(page.locator(".messages")).to_contain_text("moved to Saved")
    expect(page.locator("#folders")).to_contain_text("Saved (2)")
    assert rest(live_server, "/my/feed/voicemail/inbox").count(b"<item>") == 0
    assert rest(live_server, "/my/feed/voicemail/saved").count(b"<item>") == 2

    # A greeting is chosen once it is recorded: upload one, then make it the active one.
    away = page.locator("tr[data-greeting='outofoffice']")
    away.locator("input[type=file]").set_input_files(
        files=[{"name": "away.wav", "mimeType": "audio/wav", "buffer": tone_wav(1)}]
    )
    away.locator("button:has-text('Upload')").click()
    expect(page.locator(".messages")).to_contain_text("Out of office greeting recorded")
    page.check("input[name=active_greeting][value=outofoffice]")
    page.click("button:has-text('Save greeting choice')")
    expect(page.locator(".messages")).to_contain_text("Callers now hear: Out of office")
    assert rest(live_server, "/my/mailbox/200/preferences/activegreeting") == b"outofoffice"
    xml = rest(live_server, "/my/mailbox/200/preferences/activegreeting", "text/xml")
    assert xml == b'<?xml version="1.0" encoding="UTF-8"?><activegreeting>outofoffice</activegreeting>'


def test_feed_url_copy_and_new_key(mailbox, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    old_url = page.locator("#feed-url").inner_text()
    assert f"/private/{mailbox.feed_key}/feed/voicemail/inbox" in old_url
    page.wait_for_load_state("load")  # the button's script is at the end of the page: a loaded machine ran it late
    page.click("#copy-feed")
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('New feed key')")
    expect(page.locator(".messages")).to_contain_text("new feed key")
    new_url = page.locator("#feed-url").inner_text()
    assert new_url != old_url
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(old_url, timeout=10)
    assert exc.value.code == 404
    with urllib.request.urlopen(new_url, timeout=10) as response:
        assert response.status == 200
