"""Browser tests of the two lists that joined the others (sipxweb.pages): a user's voicemail folder and the call
history, sorted by a click on a column header, paged by number and shown 10 or 50 to a page (Chromium via
Playwright, live server)."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from apps.cdrs.models import Cdr
from apps.voicemail.models import Message

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def users(transactional_db, admin_user, alice):
    return {"admin": admin_user, "alice": alice}


def test_user_sorts_and_resizes_a_voicemail_folder(users, page, live_server, login):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    Message.objects.bulk_create(
        [
            Message(
                user=users["alice"],
                message_id=f"{i + 1:010d}",
                received=start + timedelta(minutes=i),
                duration=60 - i,  # the later, the shorter
                sender_brief=f"Caller {(i * 7) % 30:02d}",
                folder="saved",
            )
            for i in range(30)
        ]
    )
    login("alice", "1234")
    page.goto(live_server.url + "/portal/voicemail/?folder=saved")
    rows = page.locator("#messages tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_have_attribute("data-message", "0000000030")  # the latest first
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 2 (30 in all)")

    page.click("#messages th >> text=From")
    expect(page.locator("#messages th[aria-sort='ascending']")).to_contain_text("From")
    expect(rows.first).to_contain_text("Caller 00")
    page.click("#messages th >> text=From")
    expect(page.locator("#messages th[aria-sort='descending']")).to_contain_text("From")
    expect(rows.first).to_contain_text("Caller 29")
    page.click(".page-numbers >> text=2")
    expect(page.locator(".pagination")).to_contain_text("Page 2 of 2")
    expect(rows).to_have_count(5)
    expect(rows.last).to_contain_text("Caller 00")  # the order is kept from page to page
    expect(page.locator("#folders a[aria-current='page']")).to_contain_text("Saved")  # and the folder

    page.click("#messages th >> text=Length")
    expect(page.locator("#messages th[aria-sort='ascending']")).to_contain_text("Length")
    expect(rows.first).to_contain_text("31 s")
    page.click(".page-sizes >> text=10")
    expect(rows).to_have_count(10)
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 3")
    expect(rows.last).to_contain_text("40 s")
    page.click(".page-sizes >> text=50")
    expect(rows).to_have_count(30)
    expect(page.locator("#folders a[aria-current='page']")).to_contain_text("Saved")
    page.screenshot(path="/tmp/sipxweb-voicemail-sorted.png", full_page=True)


def test_admin_and_user_sort_and_resize_the_call_history(users, page, live_server, login):
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    for i in range(30):
        Cdr.objects.create(
            call_id=f"call-{i:02d}",
            caller_aor="<sip:200@example.org>",
            callee_aor=f"<sip:3{(i * 7) % 30:02d}@example.org>",
            caller_user="200",
            callee_user=f"3{(i * 7) % 30:02d}",
            start_time=start + timedelta(hours=i),
            connect_time=start + timedelta(hours=i, seconds=5),
            end_time=start + timedelta(hours=i, seconds=15 + i),
            termination="C",
        )
    login("superadmin", "admin1234")
    page.goto(live_server.url + "/cdrs/history/")
    rows = page.locator("#call-history tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator("#call-history th[aria-sort='descending']")).to_contain_text("Start")
    expect(page.locator("svg.chart")).to_have_count(2)

    page.click("#call-history th >> text=To")
    expect(page.locator("#call-history th[aria-sort='ascending']")).to_contain_text("To")
    expect(rows.first.locator(".callee")).to_have_text("300")
    page.click(".page-sizes >> text=10")
    expect(rows).to_have_count(10)
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 3 (30 in all)")
    page.click(".page-numbers >> text=3")
    expect(rows.last.locator(".callee")).to_have_text("329")
    page.click("#call-history th >> text=Duration")
    expect(page.locator("#call-history th[aria-sort='ascending']")).to_contain_text("Duration")
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 3")  # a new order starts at its first page
    expect(rows.first.locator(".duration")).to_have_text("0:10")
    page.click("#call-history th >> text=Duration")
    expect(rows.first.locator(".duration")).to_have_text("0:39")

    # The filter keeps the order and the size; the export follows them.
    page.fill("#id_user", "200")
    page.click("button:has-text('Filter')")
    expect(page.locator("#call-history th[aria-sort='descending']")).to_contain_text("Duration")
    expect(rows).to_have_count(10)
    with page.expect_download() as info:
        page.click("text=Export CSV")
    lines = open(info.value.path(), encoding="utf-8-sig").read().splitlines()
    assert len(lines) == 31 and "call-29" in lines[1]
    page.screenshot(path="/tmp/sipxweb-call-history-sorted.png", full_page=True)

    # Alice's own history: the same list.
    page.context.clear_cookies()
    login("alice", "1234")
    page.goto(live_server.url + "/cdrs/my/history/")
    page.click("#call-history th >> text=To")
    expect(page.locator("#call-history th[aria-sort='ascending']")).to_contain_text("To")
    page.click("#call-history th >> text=To")
    expect(page.locator("#call-history th[aria-sort='descending']")).to_contain_text("To")
    expect(rows.first.locator(".callee")).to_have_text("329")
    page.click(".page-sizes >> text=50")
    expect(rows).to_have_count(30)
