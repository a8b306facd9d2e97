"""Greetings and attendant prompts recorded in the browser (issue 16), in Debian's Chromium with its fake microphone
playing a tone from a WAV made here: record about two seconds, stop, listen (the player knows the length and plays),
then keep it; the server stores it as WAV through the upload's own service, the page and the admin JSON API serve it,
and nothing breaks the Content-Security-Policy (the player plays a blob: URL). Discard leaves nothing behind."""

import io
import urllib.request
import wave
from base64 import b64encode
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from apps.attendants import services as attendants
from apps.attendants.models import AutoAttendant
from apps.voicemail.models import Greeting
from sipxweb.audio import inspect
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.watch import SCREENSHOTS
from tests.floor.browser_recording import crossings_per_second
from tests.voicemail.audio import tone_wav

pytestmark = pytest.mark.e2e

WATCH = """() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(
    e.violatedDirective + " " + (e.blockedURI || "inline")));
}"""
KNOWN = "a => a.readyState >= 1 && isFinite(a.duration) && a.duration > 0 && a.currentTime === 0"
LISTEN = """async audio => {
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error("play() did not resolve")), 10000));
  await Promise.race([audio.play(), late]);  // rejects when the recording cannot be played
  const duration = audio.duration;
  audio.pause();
  return duration;
}"""


@pytest.fixture(scope="module")
def browser(browser_type, browser_type_launch_args, tmp_path_factory):
    """This module's own Chromium: the project's flags plus a fake microphone that plays a 440 Hz tone (looped) and
    grants itself without asking."""
    microphone = tmp_path_factory.mktemp("microphone") / "tone.wav"
    microphone.write_bytes(tone_wav(4, 48000))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    launched = browser_type.launch(**{**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": args})
    yield launched
    launched.close()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(transactional_db, alice, admin_user):
    return {"alice": alice, "admin": admin_user}


def record(page, box, seconds: float = 2.2) -> float:
    """Records with the recorder `box` for `seconds`, stops, and listens: returns the length the player knows."""
    box.locator("[data-action=record]").click()
    expect(box.locator("[data-action=stop]")).to_be_visible()
    expect(box.locator("[role=status]")).to_contain_text("Recording")
    page.wait_for_timeout(seconds * 1000)
    box.locator("[data-action=stop]").click()
    expect(box.locator("[data-action=keep]")).to_be_visible()
    expect(box.locator("[role=status]")).to_contain_text("Listen to it, then keep or discard it")
    player = box.locator("audio")
    expect(player).to_be_visible()
    assert player.get_attribute("src").startswith("blob:")
    # The recorder makes the player learn the length (Chromium's WebM recordings carry none), then rewinds.
    page.wait_for_function(KNOWN, arg=player.element_handle(), timeout=10_000)
    return player.evaluate(LISTEN)


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def admin_api(base: str, path: str) -> tuple[int, str, bytes]:
    """GET over HTTP with the administrator's Basic credentials, as an integration reads the admin JSON API."""
    request = urllib.request.Request(base + "/api/v1" + path)
    request.add_header("Authorization", "Basic " + b64encode(b"superadmin:admin1234").decode())
    with urllib.request.urlopen(request) as response:
        return response.status, response.headers["Content-Type"], response.read()


def no_violations(page) -> list:
    return page.evaluate("() => window.__cspViolations")


def test_a_user_records_an_out_of_office_greeting(people, page, live_server, login):
    page.add_init_script(f"({WATCH})()")
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    row = page.locator("tr[data-greeting='outofoffice']")
    box = row.locator("[data-recorder]")
    expect(box).to_be_visible()
    expect(box.locator("[data-action=keep]")).to_be_hidden()

    heard = record(page, box)
    assert 1.5 < heard < 4, heard
    box.locator("[data-action=keep]").click()
    expect(page.locator(".message.success")).to_contain_text("Out of office greeting recorded (2 s)")

    greeting = Greeting.objects.get(mailbox__user=people["alice"], kind="outofoffice")
    assert (greeting.format, greeting.duration) == ("wav", 2)
    assert greeting.audio.name.endswith(".wav")
    with greeting.audio.open("rb") as f:
        stored = f.read()
    assert inspect(stored).format == "wav" and 1.5 < wav_seconds(stored) < 3
    assert 850 < crossings_per_second(stored) < 910  # the fake microphone's 440 Hz tone, not silence

    # The page plays the stored greeting from the server.
    player = page.locator("tr[data-greeting='outofoffice'] audio[src]").first
    served = page.request.get(live_server.url + player.get_attribute("src"))
    assert served.status == 200 and served.headers["content-type"] == "audio/wav"
    assert served.body() == stored
    assert 1.5 < player.evaluate(LISTEN) < 3

    # The admin JSON API serves the same recording and lists it.
    status, content_type, body = admin_api(live_server.url, "/mailboxes/200/greetings/outofoffice")
    assert (status, content_type, body) == (200, "audio/wav", stored)
    status, _, mailbox = admin_api(live_server.url, "/mailboxes/200")
    assert b'"type":"outofoffice","format":"wav","durationSecs":2' in mailbox.replace(b" ", b"")
    assert no_violations(page) == []


def test_a_discarded_recording_is_not_sent(people, page, live_server, login):
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/")
    box = page.locator("tr[data-greeting='standard'] [data-recorder]")
    record(page, box, 1.2)
    box.locator("[data-action=discard]").click()
    expect(box.locator("[role=status]")).to_have_text("Recording discarded.")
    expect(box.locator("audio")).to_be_hidden()
    assert page.locator("tr[data-greeting='standard'] input[type=file]").evaluate("i => i.files.length") == 0
    assert not Greeting.objects.filter(mailbox__user=people["alice"]).exists()


def test_an_admin_records_an_attendant_prompt(people, page, live_server, login):
    sales = attendants.save_attendant(AutoAttendant(name="Sales"), [("0", "operator", "")])
    page.add_init_script(f"({WATCH})()")
    login("superadmin", "admin1234")
    page.goto(f"{live_server.url}/attendants/{sales.pk}/")
    box = page.locator("section.prompt [data-recorder]")
    heard = record(page, box)
    assert 1.5 < heard < 4, heard
    box.locator("[data-action=keep]").click()
    expect(box.locator("[role=status]")).to_contain_text("it is stored when you save this page")
    assert page.locator("#id_prompt").evaluate("i => i.files[0].name") == "prompt-recording.webm"
    page.click("button:has-text('Save')")
    expect(page.locator(".message.success")).to_contain_text("Attendant Sales saved")

    sales.refresh_from_db()
    assert sales.prompt.name.startswith("prompts/prompt-recording") and sales.prompt.name.endswith(".wav")
    with sales.prompt.open("rb") as f:
        stored = f.read()
    assert inspect(stored).format == "wav" and 1.5 < wav_seconds(stored) < 3
    assert 850 < crossings_per_second(stored) < 910

    page.goto(f"{live_server.url}/attendants/{sales.pk}/")
    player = page.locator("section.prompt audio[src]").first
    served = page.request.get(live_server.url + player.get_attribute("src"))
    assert served.status == 200 and "wav" in served.headers["content-type"] and served.body() == stored
    assert 1.5 < player.evaluate(LISTEN) < 3
    status, content_type, body = admin_api(live_server.url, "/attendants/Sales/prompt")
    assert status == 200 and "wav" in content_type and body == stored
    assert no_violations(page) == []


def test_the_home_shows_dnd_an_away_period_and_the_recorded_greeting_as_rest_does(people, page, live_server, login):
    """Issue 16: a user records a greeting, sets do not disturb and an away period, and sees each on the portal home;
    the admin JSON API's /my/availability and the sipXconfig active-greeting URI answer the same state."""
    login("alice", "1234")
    page.goto(live_server.url + "/portal/")
    expect(page.locator("#greeting-now")).to_contain_text("hear the system greeting")

    page.goto(live_server.url + "/portal/voicemail/")
    box = page.locator("tr[data-greeting='outofoffice'] [data-recorder]")
    record(page, box)
    box.locator("[data-action=keep]").click()
    expect(page.locator(".message.success")).to_contain_text("Out of office greeting recorded")

    page.goto(live_server.url + "/portal/")
    page.click("#dnd-on")
    expect(page.locator("#availability-now")).to_contain_text("Do not disturb is on")

    # An away period from an hour ago to two hours ahead (the user's zone is the server's, UTC here) whose greeting
    # is the one just recorded.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    page.click("#availability >> text=My away periods")
    page.fill("#id_start", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_end", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_greeting", "outofoffice")
    page.click("button:has-text('Add away period')")
    expect(page.locator(".messages")).to_contain_text("The away period was added.")

    page.goto(live_server.url + "/portal/")
    expect(page.locator("#availability-now")).to_contain_text("Do not disturb is on")
    expect(page.locator("#availability-now")).to_contain_text("out of office")
    expect(page.locator("#greeting-now")).to_contain_text("your recorded Out of office greeting")
    page.screenshot(path=str(SCREENSHOTS / "home-dnd-away-greeting.png"), full_page=True)

    alice = b64encode(b"alice:1234").decode()
    answer = page.request.get(live_server.url + "/api/v1/my/availability", headers={"Authorization": f"Basic {alice}"})
    assert answer.status == 200
    body = answer.json()
    assert body["dnd"] is True and body["now"]["reason"] == "dnd"
    assert body["now"]["greeting"] == "outofoffice" and body["activeAwayPeriod"] is not None
    greeting = page.request.get(
        live_server.url + "/sipxconfig/rest/my/mailbox/200/preferences/activegreeting",
        headers={"Authorization": f"Basic {alice}"},
    )
    assert (greeting.status, greeting.text()) == (200, "outofoffice")
