"""The portal user's tables on a phone (390x844), in Chromium: the call-forwarding ring list, the mailbox's greetings
and messages, My phonebook and the call history stack into rows that fit the screen instead of scrolling sideways
in their box (which the walks' page-wide check lets pass), and what is in them still works there: a ring is filled
in and saved, a greeting uploaded and chosen, a message marked heard and moved, an entry called, a list sorted and
paged. Screenshots go to tests/e2e/screenshots/ (tests/e2e/watch.py) for a reviewer to open."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from apps.callcontrol import health
from apps.cdrs.models import Cdr
from apps.phonebooks import services as phonebooks
from apps.users.models import User
from apps.voicemail import services as voicemail
from apps.voicemail.models import Message
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


def sorts(w, table: str, column: str, order: str):
    """A tap on a column's sort link, shown above the stacked rows on a phone: the list comes back in that order."""
    link = w.page.locator(f"{table} a.sort", has_text=column)
    usable(link, 40)
    link.click()
    expect(w.page.locator(f"{table} th[aria-sort='{order}']")).to_contain_text(column)


def pages_to(w, number: int):
    """A tap on a page number under the list, which stays inside the screen."""
    link = w.page.locator(".pagination .page-numbers a", has_text=str(number))
    usable(link, 24)
    link.click()
    expect(w.page.locator(".page-numbers a[aria-current='page']")).to_have_text(str(number))


def test_messages_stack_on_a_phone_and_one_is_marked_heard_and_moved(demo, watched):
    w = watched(PHONE)
    w.walk = "narrow-messages"
    w.login("alice", "1234")
    w.visited.clear()  # the login's pages are not this test's
    w.open("/portal/voicemail/")
    table = "#messages"
    assert sideways(w, table) == []
    w.step("messages")
    row = w.page.locator("tr[data-message='0000000001']")
    for label in ("From", "Received", "Length"):  # each field says what it is without the hidden column headers
        assert label in row.locator(f"td[data-label='{label}']").evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
    usable(row.get_by_label("Play message 0000000001"), 200)
    usable(row.get_by_role("link", name="Download"), 40)
    usable(row.get_by_role("button", name="Delete", exact=True), 40)
    mark = row.get_by_role("button", name="Mark heard")
    usable(mark, 40)
    mark.click()
    expect(row.get_by_role("button", name="Mark unheard")).to_be_visible()
    assert Message.objects.get(message_id="0000000001").heard
    assert sideways(w, table) == []
    w.step("message marked heard")
    sorts(w, table, "From", "ascending")
    expect(w.page.locator(f"{table} tbody tr").first).to_have_attribute("data-message", "0000000002")  # "+1555..."
    assert sideways(w, table) == []
    w.step("messages sorted by sender")
    row = w.page.locator("tr[data-message='0000000001']")
    usable(row.locator("select[name=folder]"), 80)
    row.locator("select[name=folder]").select_option("saved")
    usable(row.get_by_role("button", name="Move"), 40)
    row.get_by_role("button", name="Move").click()
    expect(w.page.locator("main .messages")).to_contain_text("moved to Saved")
    assert Message.objects.get(message_id="0000000001").folder == "saved"
    assert sideways(w, table) == []
    w.step("message moved")


def test_my_phonebook_stacks_on_a_phone_and_an_entry_is_called(demo, watched):
    cache.delete(health.KEY)  # no call-control agent: the Call button says at once that calls cannot be placed now
    alice = User.objects.get(username="200")
    for i in range(10):  # two pages of ten
        phonebooks.create_private_entry(
            alice,
            {
                "first_name": f"Zoe{i}",
                "last_name": "Zimmermann-Longname",
                "number": f"+4930555000{i:02d}",
                "email_address": f"zoe{i}.zimmermann-longname@a-rather-long-company-domain.example",
            },
        )
    w = watched(PHONE)
    w.walk = "narrow-phonebook"
    w.login("alice", "1234")
    w.visited.clear()
    w.open("/portal/phonebook/?per_page=10")
    table = "#my-phonebook"
    assert sideways(w, table) == []
    w.step("my phonebook")
    row = w.page.locator(f"{table} tr", has_text="Lovelace")
    for label in ("Last name", "First name", "E-mail"):
        assert label in row.locator(f"td[data-label='{label}']").evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
    call = row.locator("button[data-call='+15551234567']")
    usable(call, 40)
    call.click()
    status = row.locator(".call-status")
    expect(status).to_have_text(str(health.NOT_RUNNING), timeout=5000)
    usable(status, 100)
    expect(call).to_be_enabled()
    assert sideways(w, table) == []
    w.step("entry called")
    usable(row.get_by_role("link", name="Edit"), 30)
    pages_to(w, 2)
    expect(w.page.locator(".pagination")).to_contain_text("Page 2 of 2")
    assert sideways(w, table) == []
    w.step("page 2")
    sorts(w, table, "Last name", "descending")  # "Last name" sorts already; a tap turns it
    expect(w.page.locator(f"{table} tbody tr").first).to_contain_text("Zimmermann-Longname")
    assert sideways(w, table) == []
    w.step("sorted by last name, descending")


def test_call_history_stacks_on_a_phone_and_is_sorted_and_paged(demo, watched):
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for i in range(12):
        Cdr.objects.create(
            call_id=f"narrow-{i:02d}",
            caller_aor='"Alice Smith" <sip:200@example.org>',
            callee_aor=f"<sip:+4930123456{i:02d}@example.org>",
            caller_user="200",
            start_time=start + timedelta(hours=i),
            connect_time=start + timedelta(hours=i, seconds=5),
            end_time=start + timedelta(hours=i, seconds=15 + i),
            termination="C",
        )
    w = watched(PHONE)
    w.walk = "narrow-history"
    w.login("alice", "1234")
    w.visited.clear()
    w.open("/cdrs/my/history/?per_page=10")
    table = "#call-history"
    assert sideways(w, table) == []
    for label in ("From", "To", "Duration", "Result"):
        assert label in w.page.locator(f"{table} tbody tr").first.locator(f"td[data-label='{label}']").evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
    w.step("call history")
    sorts(w, table, "Duration", "ascending")
    expect(w.page.locator(f"{table} tbody tr").first.locator(".duration")).to_have_text("0:10")
    assert sideways(w, table) == []
    w.step("sorted by duration")
    pages_to(w, 2)
    expect(w.page.locator(f"{table} th[aria-sort='ascending']")).to_contain_text("Duration")
    expect(w.page.locator(f"{table} tbody tr").first.locator(".duration")).to_have_text("0:20")
    assert sideways(w, table) == []
    w.step("page 2")
