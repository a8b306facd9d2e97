"""Browser test of the provisioning pages (Chromium via Playwright, live server): the admin adds a phone, sees its
fetch and previews its file (passwords masked), turns an unknown MAC that asked into a phone with one click, presses
Resync and sees it acknowledged.

The Resync goes through the real call-control agent (`Agent.run()`, in a thread of this process on the test
database); a scripted UDP proxy stands in for Kamailio and the phone and answers the NOTIFY 200 (the way through the
real Kamailio to a SIPp phone is tests/sip/test_provisioning_kamailio.py)."""

import asyncio
import base64
import socket
import threading
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.callcontrol.agent import Agent
from apps.callcontrol.sip import parse, response_to
from apps.provisioning.services import set_credential

pytestmark = pytest.mark.e2e

POLYCOM_AGENT = "FileTransport PolycomVVX-VVX_410-UA/5.9.0.9373"


@pytest.fixture
def users(transactional_db, admin_user, alice):
    set_credential("provisioning", "prov1234")
    return {"admin": admin_user, "alice": alice}


class ScriptedProxy:
    """A UDP socket answering every NOTIFY with 200 OK, keeping what it got."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.notifies = []
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                data, addr = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            msg = parse(data)
            if msg.is_request and msg.method == "NOTIFY":
                self.notifies.append(msg)
                self.sock.sendto(response_to(msg, 200, "OK", to_tag="e2e").encode(), addr)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()


class AgentThread:
    """The call-control agent's own loop in a thread with its event loop, its proxy the scripted one."""

    def __init__(self, proxy_port: int):
        self.proxy_port = proxy_port
        self.started = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        assert self.started.wait(20), "the agent did not start"

    def run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.agent = Agent(bind="127.0.0.1", port=0, proxy=f"127.0.0.1:{self.proxy_port}")
        self.loop.call_soon(self.started.set)
        self.loop.run_until_complete(self.agent.run())

    def stop(self):
        self.loop.call_soon_threadsafe(self.agent.stopping.set)
        self.thread.join(30)


@pytest.fixture
def agent(users):
    proxy = ScriptedProxy()
    running = AgentThread(proxy.port)
    yield proxy
    running.stop()
    proxy.stop()


def fetch_as_phone(live_server, name: str, agent: str) -> int:
    """GET /provision/<name> as a phone does: the provisioning credential (Basic) and its user agent."""
    credential = base64.b64encode(b"provisioning:prov1234").decode()
    request = urllib.request.Request(
        f"{live_server.url}/provision/{name}", headers={"Authorization": f"Basic {credential}", "User-Agent": agent}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_admin_adds_a_phone_previews_its_file_adopts_an_unknown_one_and_resyncs(agent, page, live_server, login):
    login("superadmin", "admin1234")

    # The admin adds a phone; it fetches its file; its page shows the fetch.
    page.goto(live_server.url + "/phones/add/")
    page.fill("#id_serial_number", "00:15:65:AA:BB:01")
    page.select_option("#id_model", "yealinkPhoneT46")
    page.fill("#id_lines", "alice")
    page.click("button:has-text('Save')")
    expect(page.locator(".messages")).to_contain_text("Phone 001565aabb01 saved.")
    assert fetch_as_phone(live_server, "001565aabb01.cfg", "Yealink SIP-T46S 66.86.0.15") == 200
    page.click("a:has-text('001565aabb01')")
    files = page.locator("#phone-files tbody tr")
    expect(files).to_have_count(2)
    expect(files.nth(0)).to_contain_text("001565aabb01.cfg")
    expect(files.nth(0)).to_contain_text("Yealink SIP-T46S 66.86.0.15")
    expect(files.nth(0)).to_contain_text("127.0.0.1")
    expect(files.nth(1)).to_contain_text("Never fetched.")

    # Its file, previewed: the account is there, the SIP password masked.
    files.nth(0).locator("a:has-text('Preview')").click()
    preview = page.locator("#file-preview")
    expect(preview).to_contain_text("account.1.user_name = 200")
    expect(preview).to_contain_text("account.1.password = ********")
    assert "alicesip200" not in page.content() and "prov1234" not in page.content()
    page.screenshot(path="/tmp/sipxweb-provisioning-preview.png", full_page=True)

    # An unknown phone asks; one click makes it a phone (the model guessed from its user agent).
    assert fetch_as_phone(live_server, "0004f2ccddee.cfg", POLYCOM_AGENT) == 404
    page.goto(live_server.url + "/phones/")
    page.click("text=Unknown phones")
    row = page.locator("#unknown-0004f2ccddee")
    expect(row).to_contain_text(POLYCOM_AGENT)
    expect(row.locator("select")).to_have_value("polycomVVX400")
    row.locator("input[name$='-lines']").fill("alice")
    page.screenshot(path="/tmp/sipxweb-provisioning-unknown.png", full_page=True)
    row.locator("button:has-text('Add phone')").click()
    expect(page.locator(".messages")).to_contain_text("Phone 0004f2ccddee added")
    expect(page.locator("h1")).to_contain_text("0004f2ccddee")

    # Resync from its page: queued, then the NOTIFY's answer appears by itself.
    page.click("button:has-text('Resync')")
    expect(page.locator(".messages")).to_contain_text("Resync of phone 0004f2ccddee queued.")
    expect(page.locator("#resync-status")).to_have_text("Resync sent: 200 OK", timeout=20_000)
    page.screenshot(path="/tmp/sipxweb-provisioning-resync.png", full_page=True)
    [notify] = agent.notifies
    assert notify.uri == "sip:200@example.org" and notify.get("event") == "check-sync"
