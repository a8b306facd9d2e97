"""The main tasks of an administrator and of a user, walked in Chromium through the menus and forms of the demo PBX
(`seed_demo`), each at 1366x900 and at 390x844 (a phone; issue 15): the administrator adds a user and a phone with a
line for that user, builds an attendant menu, and imports a phonebook file after its preview; alice changes her call
forwarding, her portal PIN and her greeting, and calls from My phonebook with no call-control agent running (the page
says at once that calls cannot be placed now). Every step checks the page as it is then (tests/e2e/watch.py): no
console error, uncaught exception or request answered 4xx/5xx, nothing wider than the screen outside a scroll box;
and writes a screenshot to tests/e2e/screenshots/ (git-ignored), walk-<task>-<width>-<nn>-<step>.png, for a reviewer
to open."""

import time

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from apps.attendants.models import AutoAttendant
from apps.callcontrol import health, store
from apps.callcontrol.models import CallAttempt
from apps.phonebooks.models import Phonebook
from apps.phones.models import Phone
from apps.users.models import User
from apps.voicemail import services as voicemail
from tests.e2e.watch import DESKTOP, PHONE, SCREENSHOTS, Watched
from tests.voicemail.audio import tone_wav

pytestmark = pytest.mark.e2e

SIZES = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])


@pytest.fixture
def walk(demo, watched):
    """walk("admin-user-phone", viewport) -> a Watched page whose screenshots are named for the walk."""

    def start(name: str, viewport: dict) -> Watched:
        w = watched(viewport)
        w.walk = f"walk-{name}"
        for old in SCREENSHOTS.glob(f"{w.walk}-{viewport['width']}-*.png"):  # a reviewer sees this run's steps only
            old.unlink()
        return w

    return start


def log_in(w: Watched, name: str, pin: str):
    w.page.goto(w.base + "/login/")
    w.step("login page")
    w.page.fill("#id_username", name)
    w.page.fill("#id_password", pin)
    w.page.click("button:has-text('Log in')")
    w.page.wait_for_load_state()
    assert "/login/" not in w.page.url, w.page.locator("main").inner_text()
    w.step("logged in")


def messages(w: Watched):
    return w.page.locator("main .messages")


# ---- the administrator ---------------------------------------------------------------------------------------------


@SIZES
def test_admin_adds_a_user_and_a_phone_for_them(walk, viewport):
    w = walk("admin-user-phone", viewport)
    page = w.page
    log_in(w, "superadmin", "admin1234")
    expect(page.locator("h1")).to_have_text("The PBX at a glance")

    w.menu("Users")
    expect(page.locator("h1")).to_have_text("Users")
    w.step("users")
    page.locator("main").get_by_role("link", name="Add user").click()
    w.step("add user form")
    page.fill("#id_username", "205")
    page.fill("#id_first_name", "Erin")
    page.fill("#id_last_name", "Walker")
    page.fill("#id_aliases", "erin")
    page.fill("#id_pin", "1")  # too short: the form says why and keeps what was typed
    page.fill("#id_sip_password", "erinsip205")
    page.locator("label.choice", has_text="sales").locator("input").check()
    page.click("button:has-text('Save')")
    expect(page.locator("#id_pin_error")).to_be_visible()
    expect(page.locator("#id_first_name")).to_have_value("Erin")
    assert not User.objects.filter(username="205").exists()
    w.step("pin refused")
    page.fill("#id_pin", "river-stone-58")
    page.fill("#id_sip_password", "erinsip205")
    page.click("button:has-text('Save')")
    expect(messages(w)).to_contain_text("User 205 saved.")
    row = page.locator("table.list tbody tr", has_text="Walker")
    expect(row).to_contain_text("205")
    expect(row).to_contain_text("erin")
    w.step("user saved")
    erin = User.objects.get(username="205")
    assert erin.check_password("river-stone-58") and list(erin.groups.values_list("name", flat=True)) == ["sales"]

    w.menu("Phones")
    w.step("phones")
    page.locator("main").get_by_role("link", name="Add phone").click()
    w.step("add phone form")
    page.fill("#id_serial_number", "00:15:65:0E:41:05")
    page.select_option("#id_model", "yealinkPhoneT46")
    page.fill("#id_description", "Erin's desk")
    page.fill("#id_lines", "erin")
    page.click("button:has-text('Save')")
    expect(messages(w)).to_contain_text("Phone 0015650e4105 saved.")
    row = page.locator("table.list tbody tr", has_text="0015650e4105")
    expect(row).to_contain_text("205")
    expect(row).to_contain_text("Erin's desk")
    w.step("phone saved")
    phone = Phone.objects.get(serial_number="0015650e4105")
    assert [line.user.username for line in phone.lines.all()] == ["205"]


@SIZES
def test_admin_builds_an_attendant_menu(walk, viewport):
    w = walk("admin-attendant", viewport)
    page = w.page
    log_in(w, "superadmin", "admin1234")
    w.menu("Attendants")
    expect(page.locator("h1")).to_have_text("Auto-attendants")
    w.step("attendants")
    page.locator("main").get_by_role("link", name="Add attendant").click()
    w.step("add attendant form")
    page.fill("#id_name", "Support line")
    page.fill("#id_description", "Callers to the support desk")
    rows = page.locator("#menu-rows tr[data-menu-row]:visible")
    expect(rows).to_have_count(1)
    rows.nth(0).locator("select[name$='-key']").select_option("1")
    rows.nth(0).locator("select[name$='-action']").select_option("transfer_out")
    page.click("#add-menu-row")
    rows.nth(1).locator("select[name$='-key']").select_option("2")
    rows.nth(1).locator("select[name$='-action']").select_option("voicemail_deposit")
    rows.nth(1).locator("input[name$='-parameter']").fill("201")
    page.click("#add-menu-row")
    rows.nth(2).locator("select[name$='-key']").select_option("0")
    rows.nth(2).locator("select[name$='-action']").select_option("operator")
    page.click("button:has-text('Save')")  # key 1 has no extension yet: the page says so on its row
    expect(rows.nth(0).locator(".client-error")).to_contain_text("needs an extension or SIP URI")
    w.step("menu needs an extension")
    rows.nth(0).locator("input[name$='-parameter']").fill("202")
    w.step("menu filled in")
    page.click("button:has-text('Save')")
    expect(messages(w)).to_contain_text("Attendant Support line saved.")
    expect(page.locator("table.list tbody tr", has_text="Support line")).to_contain_text("3")
    w.step("attendant saved")

    page.locator("table.list").get_by_role("link", name="Support line", exact=True).click()
    expect(rows).to_have_count(3)
    got = [
        (
            row.locator("select[name$='-key']").input_value(),
            row.locator("select[name$='-action']").input_value(),
            row.locator("input[name$='-parameter']").input_value(),
        )
        for row in rows.all()
    ]
    assert got == [("0", "operator", ""), ("1", "transfer_out", "202"), ("2", "voicemail_deposit", "201")]  # by key
    w.step("attendant reopened")
    saved = AutoAttendant.objects.get(name="Support line")
    assert sorted(saved.menu.values_list("key", "action", "parameter")) == got


BAD_CSV = b"""First Name,Last Name,Number,Company Name
Nora,Quinn,+1 617 555 0199,Harbor Labs
Omar,Reyes,,Harbor Labs
Pia,Sato,5550142,
"""
GOOD_CSV = BAD_CSV.replace(b"Omar,Reyes,,", b"Omar,Reyes,+39 02 5550 1234,")


@SIZES
def test_admin_imports_a_phonebook_file_after_its_preview(walk, viewport):
    w = walk("admin-phonebook-import", viewport)
    page = w.page
    support = Phonebook.objects.get(name="support")
    before = support.entries.count()
    log_in(w, "superadmin", "admin1234")
    w.menu("Phonebooks")
    w.step("phonebooks")
    page.locator("#phonebooks").get_by_role("link", name="support", exact=True).click()
    w.step("support phonebook")
    page.locator("main").get_by_role("link", name="Import a file").click()
    w.step("import form")
    page.set_input_files("#id_file", files=[{"name": "harbor.csv", "mimeType": "text/csv", "buffer": BAD_CSV}])
    page.click("button:has-text('Check the file')")
    expect(page.locator("#problems-title")).to_have_text("1 bad row: nothing can be imported")
    problem = page.locator("#problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("3")  # the file's line
    expect(problem.locator("td").nth(1)).to_have_text("Omar Reyes")
    expect(problem.locator("td").nth(2)).to_have_text("It has no phone number.")
    assert support.entries.count() == before
    w.step("preview names the bad row")

    page.set_input_files("#id_file", files=[{"name": "harbor.csv", "mimeType": "text/csv", "buffer": GOOD_CSV}])
    page.click("button:has-text('Check the file')")
    expect(page.locator("#ready-title")).to_have_text("3 entries ready to import")
    expect(page.locator("#preview tbody tr")).to_have_count(3)
    expect(page.locator("#preview")).to_contain_text("Harbor Labs")
    assert support.entries.count() == before
    w.step("preview ready")
    page.click("button:has-text('Import 3 entries')")
    expect(messages(w)).to_contain_text("3 entries imported into support from harbor.csv.")
    entries = page.locator("#entries")
    for name in ("Quinn", "Reyes", "Sato"):
        expect(entries).to_contain_text(name)
    w.step("entries imported")
    assert support.entries.count() == before + 3


# ---- the user ------------------------------------------------------------------------------------------------------


@SIZES
def test_user_changes_call_forwarding(walk, viewport):
    w = walk("user-forwarding", viewport)
    page = w.page
    log_in(w, "alice", "1234")
    expect(page.locator("h1")).to_have_text("Welcome, Alice Smith")
    w.menu("My call forwarding")
    rows = page.locator("#ring-rows tr[data-ring]:visible")
    before = rows.count()
    w.step("forwarding")
    page.click("#add-ring")
    expect(rows).to_have_count(before + 1)
    new = rows.nth(before)
    new.locator("input[name$='-number']").fill("my cell phone")  # not a number: the row says so
    new.locator("input[name$='-expiration']").fill("25")
    new.locator("select[name$='-type']").select_option("At the same time")
    page.click("button:has-text('Save')")
    expect(page.locator("main [role=alert]")).to_have_text(  # the sentence of every path (tests/users)
        'ring 3: "my cell phone" is not a phone number, an extension or a SIP URI (sip:user@host).'
    )
    w.step("ring refused")
    rows.nth(before).locator("input[name$='-number']").fill("+16175550100")
    page.click("button:has-text('Save')")
    expect(messages(w)).to_contain_text("call forwarding was saved")
    expect(rows).to_have_count(before + 1)
    expect(rows.nth(before).locator("input[name$='-number']")).to_have_value("+16175550100")
    w.step("forwarding saved")
    page.reload()
    expect(rows.nth(before).locator("input[name$='-number']")).to_have_value("+16175550100")
    expect(rows.nth(before).locator("select[name$='-type']")).to_have_value("At the same time")
    w.step("forwarding reloaded")


@SIZES
def test_user_changes_portal_pin(walk, viewport):
    w = walk("user-pin", viewport)
    page = w.page
    log_in(w, "alice", "1234")
    page.locator("main").get_by_role("link", name="Change PIN").click()
    expect(page.locator("h1")).to_have_text("Change PIN")
    w.step("change pin form")
    page.fill("#id_current_pin", "0000")  # the wrong current PIN
    page.fill("#id_pin", "harbor-light-42")
    page.fill("#id_confirm_pin", "harbor-light-42")
    page.click("button:has-text('Change PIN')")
    expect(page.locator("#id_current_pin_error")).to_be_visible()
    w.step("wrong current pin")
    page.fill("#id_current_pin", "1234")
    page.fill("#id_pin", "harbor-light-42")
    page.fill("#id_confirm_pin", "harbor-light-42")
    page.click("button:has-text('Change PIN')")
    expect(messages(w)).to_contain_text("Your portal PIN was changed")
    w.step("pin changed")
    page.click("header button:has-text('Log out')")
    expect(messages(w)).to_contain_text("logged out")
    w.step("logged out")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "harbor-light-42")
    page.click("button:has-text('Log in')")
    expect(page.locator("h1")).to_have_text("Welcome, Alice Smith")
    w.step("logged in with the new pin")


@SIZES
def test_user_uploads_and_chooses_a_greeting(walk, viewport):
    w = walk("user-greeting", viewport)
    page = w.page
    alice = User.objects.get(username="200")
    log_in(w, "alice", "1234")
    w.menu("My voicemail")
    w.step("voicemail")
    away = page.locator("tr[data-greeting='outofoffice']")
    away.locator("input[type=file]").set_input_files(
        files=[{"name": "away.wav", "mimeType": "audio/wav", "buffer": tone_wav(1)}]
    )
    away.locator("button:has-text('Upload')").click()
    expect(messages(w)).to_contain_text("Out of office greeting recorded")
    expect(away.get_by_label("Play the Out of office greeting")).to_have_count(1)
    w.step("greeting uploaded")
    page.check("input[name=active_greeting][value=outofoffice]")
    page.click("button:has-text('Save greeting choice')")
    expect(messages(w)).to_contain_text("Callers now hear: Out of office")
    expect(page.locator("input[name=active_greeting][value=outofoffice]")).to_be_checked()
    w.step("greeting chosen")
    assert voicemail.active_greeting(alice) == "outofoffice"


@SIZES
def test_user_calls_from_the_phonebook_and_sees_the_outcome(walk, viewport):
    """No call-control agent runs here (no heartbeat, apps/callcontrol/health.py): the page says at once, in a
    sentence, that calls cannot be placed now, and the button can be used again; the call is never placed later."""
    cache.delete(health.KEY)  # an agent of an earlier test may have left its heartbeat: the cache table outlives it
    w = walk("user-call", viewport)
    page = w.page
    log_in(w, "alice", "1234")
    w.menu("My phonebook")
    w.step("my phonebook")
    button = page.locator("#my-phonebook button[data-call='+15551234567']")
    status = page.locator("#my-phonebook tr", has_text="Lovelace").locator(".call-status")
    clicked = time.monotonic()
    button.click()
    expect(status).to_have_text(str(health.NOT_RUNNING), timeout=5000)
    assert time.monotonic() - clicked < 5, "the page kept the caller waiting"
    expect(status).to_have_attribute("data-phase", "failed")
    expect(button).to_be_enabled()
    expect(button).to_have_text("Call")
    attempt = CallAttempt.objects.get()
    assert attempt.called_uri.startswith("sip:+15551234567@")
    assert (attempt.state, attempt.outcome) == ("failed", store.NOT_PLACED)
    w.step("call refused: no agent")


def test_a_step_fails_on_what_the_walks_look_for(transactional_db, watched):
    """The checks of every step can fail: an element wider than the phone's screen outside a scroll box, a console
    error, a failed asset, and a page shown without a step."""
    w = watched(PHONE)
    w.walk = "walk-self-check"
    w.page.goto(w.base + "/login/")
    w.step("login page fits")
    checks = {
        "too wide": "() => { const d = document.createElement('div'); d.style.width = '600px'; "
        "d.textContent = 'wide'; document.querySelector('main').append(d); }",
        "console error": "() => console.error('broken')",
        "missing asset": "() => { const s = document.createElement('script'); s.src = '/static/js/nothing.js'; "
        "document.head.append(s); }",
    }
    for what, script in checks.items():
        w.page.reload()
        w.step(f"before {what}")
        w.page.evaluate(script)
        with pytest.raises(AssertionError):
            w.step(what)
        w.problems.clear()
    w.page.reload()
    w.step("reloaded")
    w.page.goto(w.base + "/login/?next=/")
    w.page.goto(w.base + "/login/")
    with pytest.raises(AssertionError, match="pages shown without a step"):
        w.step("two pages")
