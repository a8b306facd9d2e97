"""The call-forwarding ring list and the mailbox's greetings on a phone (390x844), in Chromium: they stack into rows
that fit the screen instead of scrolling sideways in their box (which the walks' page-wide check lets pass), and
their fields still work there: a ring is filled in and saved, a greeting uploaded and chosen. Screenshots go to
tests/e2e/screenshots/ (tests/e2e/watch.py) for a reviewer to open."""

import pytest
from playwright.sync_api import expect

from apps.users.models import User
from apps.voicemail import services as voicemail
from tests.e2e.watch import PHONE, SCREENSHOTS
from tests.voicemail.audio import tone_wav

pytestmark = pytest.mark.e2e

# Every shown element of the table (and the table itself) that reaches past the screen's edges, and every element
# from the table up to <body> or inside it that scrolls sideways: what a person on a phone would have to swipe for.
SIDEWAYS = """(selector) => {
  const table = document.querySelector(selector);
  if (!table) return ["no " + selector];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const out = [];
  for (const el of [table, ...table.querySelectorAll("*")]) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.right > window.innerWidth + 0.5 || box.left < -0.5) {
      out.push(name(el) + " spans " + Math.round(box.left) + "-" + Math.round(box.right) + "px");
    }
  }
  const around = [];
  for (let p = table; p && p !== document.body; p = p.parentElement) around.push(p);
  for (const el of [...around, ...table.querySelectorAll("*")]) {
    if (el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(el).overflowX)) {
      out.push(name(el) + " scrolls sideways (" + el.scrollWidth + "px in " + el.clientWidth + "px)");
    }
  }
  return out;
}"""


def sideways(w, selector: str) -> list[str]:
    return w.page.evaluate(SIDEWAYS, selector)


def usable(locator, min_width: int = 120):
    """A field a thumb can use: shown, inside the screen and wide enough to read what is in it."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["width"] >= min_width, box


def test_ring_list_stacks_on_a_phone_and_a_ring_is_saved(demo, watched):
    w = watched(PHONE)
    w.walk = "narrow-rings"
    w.login("alice", "1234")
    w.visited.clear()  # the login's pages are not this test's
    w.open("/portal/forward/")
    rows = w.page.locator("#ring-rows tr[data-ring]:visible")
    before = rows.count()
    assert before >= 1
    assert sideways(w, "#rings") == []
    w.step("ring list")
    w.page.click("#add-ring")
    expect(rows).to_have_count(before + 1)
    new = rows.nth(before)
    number, seconds, kind = (
        new.locator("input[name$='-number']"),
        new.locator("input[name$='-expiration']"),
        new.locator("select[name$='-type']"),
    )
    usable(number, 200)
    usable(seconds, 60)
    usable(kind)
    for label in ("Number", "Seconds", "Type"):  # each field says what it is without the hidden column headers
        expect(new.locator("label", has_text=label)).to_be_visible()
    usable(new.get_by_role("button", name="Remove"), 40)
    number.fill("+16175550111")
    seconds.fill("25")
    kind.select_option("At the same time")
    assert sideways(w, "#rings") == []
    w.step("ring filled in")
    w.page.click("button:has-text('Save')")
    expect(w.page.locator("main .messages")).to_contain_text("call forwarding was saved")
    saved = rows.nth(before)
    expect(saved.locator("input[name$='-number']")).to_have_value("+16175550111")
    expect(saved.locator("input[name$='-expiration']")).to_have_value("25")
    expect(saved.locator("select[name$='-type']")).to_have_value("At the same time")
    assert sideways(w, "#rings") == []
    w.step("ring saved")
    ring = User.objects.get(username="200").rings.order_by("position").last()
    assert (ring.number, ring.expiration) == ("+16175550111", 25)


def test_greetings_stack_on_a_phone_and_one_is_chosen(demo, watched):
    w = watched(PHONE)
    w.walk = "narrow-greetings"
    w.login("alice", "1234")
    w.visited.clear()  # the login's pages are not this test's
    w.open("/portal/voicemail/")
    table = "#greetings table"
    assert sideways(w, table) == []
    w.step("greetings")
    away = w.page.locator("tr[data-greeting='outofoffice']")
    usable(away.locator("input[type=file]"), 150)
    away.locator("input[type=file]").set_input_files(
        files=[{"name": "away.wav", "mimeType": "audio/wav", "buffer": tone_wav(1)}]
    )
    away.locator("button:has-text('Upload')").click()
    expect(w.page.locator("main .messages")).to_contain_text("Out of office greeting recorded")
    player = away.get_by_label("Play the Out of office greeting")
    usable(player, 150)
    assert sideways(w, table) == []
    w.step("greeting uploaded")
    choice = w.page.locator("input[name=active_greeting][value=outofoffice]")
    expect(choice).to_be_visible()
    choice.check()
    w.page.click("button:has-text('Save greeting choice')")
    expect(w.page.locator("main .messages")).to_contain_text("Callers now hear: Out of office")
    expect(choice).to_be_checked()
    assert sideways(w, table) == []
    w.step("greeting chosen")
    assert voicemail.active_greeting(User.objects.get(username="200")) == "outofoffice"


def test_ring_list_stacks_without_javascript_too(demo, browser, live_server):
    """Without the script the rows have a position box and the spare row to fill in: they fit the phone as well."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", "1234")
        page.click("button:has-text('Log in')")
        page.goto(live_server.url + "/portal/forward/")
        assert page.evaluate(SIDEWAYS, "#rings") == []
        spare = page.locator("#ring-rows tr[data-spare]").first
        usable(spare.locator("input[name$='-ORDER']"), 60)
        usable(spare.locator("input[name$='-number']"), 200)
        spare.locator("input[name$='-number']").fill("+16175550122")
        spare.locator("input[name$='-expiration']").fill("15")
        page.click("button:has-text('Save')")
        expect(page.locator("main .messages")).to_contain_text("call forwarding was saved")
        assert page.evaluate(SIDEWAYS, "#rings") == []
        page.screenshot(path=str(SCREENSHOTS / "narrow-rings-390-nojs.png"), full_page=True)
    finally:
        context.close()
    assert User.objects.get(username="200").rings.filter(number="+16175550122", expiration=15).exists()
