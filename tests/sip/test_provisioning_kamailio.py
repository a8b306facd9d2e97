"""Phone provisioning end to end with the bundled Kamailio: real gunicorn, the real call-control agent (`manage.py
run_callcontrol`, its proxy Kamailio as bin/run sets it) and SIPp phones.

* A phone fetches its configuration file over HTTP as a phone does (the provisioning credential, Basic), the test
  reads the SIP account out of the file (user name, authentication name, password, registrar) and a SIPp phone
  registers with exactly that at Kamailio. (The file's outbound proxy is PROVISIONING_SIP_PROXY; the test's Kamailio
  listens on a port of its own, so the SIPp phone is pointed at it directly.)
* The admin presses Resync (the page's POST, logged in through the login form): the agent's NOTIFY with
  `Event: check-sync` goes through Kamailio, which finds the line user's registration, to the SIPp phone, which
  answers 200; the phone page then says "Resync sent: 200 OK". A line user with no registered phone: Kamailio's
  answer, "Phone not registered (480 ...)".

On SQLite, and on PostgreSQL when the suite runs with a PostgreSQL DATABASE_URL. Skipped when kamailio or SIPp is
absent."""

from __future__ import annotations

import json
import re
import time
import urllib.parse

import pytest

from tests.sip.conftest import WITH_KAMAILIO, KamailioPbx, Sipp, free_udp_port
from tests.sip.test_kamailio_click_to_call import Agent

pytestmark = WITH_KAMAILIO

CREDENTIAL = ("provisioning", "prov1234")
YEALINK, SNOM = "001565a1b2c3", "000413a1b2c3"


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    tmp = tmp_path_factory.mktemp("kamailio-provisioning")
    pbx = KamailioPbx(tmp, database_url)
    agent = None
    try:
        pbx.server.manage("collectstatic", "--noinput", "-v", "0")  # the pages name their static files by hash
        pbx.shell(
            "from apps.phones.services import PhoneData, create_phone\n"
            "from apps.provisioning.services import set_credential\n"
            "from apps.users.models import User\n"
            f"set_credential({CREDENTIAL[0]!r}, {CREDENTIAL[1]!r})\n"
            f"create_phone(PhoneData({YEALINK!r}, 'yealinkPhoneT46', lines=['alice']))\n"
            f"create_phone(PhoneData({SNOM!r}, 'snom720', lines=['201']))\n"
            "User.objects.filter(username='202').update(is_admin=True)\n"
        )
        agent = Agent(pbx, tmp)
        pbx.agent = agent
        yield pbx
    finally:
        if agent is not None:
            agent.stop()
        pbx.stop()


def account_of(config: str) -> dict[str, str]:
    """Line 1's account in a Yealink file (`account.1.<key> = <value>` lines)."""
    return dict(re.findall(r"^account\.1\.([\w.]+) = (.*)$", config, re.M))


class Browser:
    """An admin's session over plain HTTP: the login form, then the pages with the session and CSRF cookies."""

    def __init__(self, server, name: str, pin: str):
        self.server, self.cookies = server, {}
        status, headers, body = self.get("/login/")
        assert status == 200
        self.post("/login/", {"username": name, "password": pin}, form=body)
        assert "sessionid" in self.cookies, "the login did not take"

    def _remember(self, headers):
        for key, value in headers:
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, path: str):
        status, headers, body = self.server.request("GET", path, headers=self._headers())
        self._remember(headers)
        return status, headers, body

    def post(self, path: str, data: dict, form: bytes | None = None):
        token = self.cookies.get("csrftoken")
        if form is not None:
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1).decode()
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token})
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        status, answer, content = self.server.request("POST", path, headers=headers, body=body)
        self._remember(answer)
        return status, answer, content


def phone_page(pbx: KamailioPbx, browser: Browser, mac: str) -> tuple[str, str]:
    """(the phone page's path, its HTML), the page found through the phone list's search."""
    status, _, body = browser.get(f"/phones/?q={mac}")
    assert status == 200
    path = re.search(rf'href="(/phones/\d+/)"><code>{mac}</code>', body.decode()).group(1)
    status, _, body = browser.get(path)
    assert status == 200
    return path, body.decode()


def resync_answer(pbx: KamailioPbx, browser: Browser, mac: str, timeout: float = 40) -> str:
    """Presses Resync on the phone's page, then asks for the answer as the page's script does, until it is final."""
    path, html = phone_page(pbx, browser, mac)
    action = re.search(r'<form method="post" action="(/provisioning/phones/\d+/resync/)"', html).group(1)
    status, headers, _ = browser.post(action, {})
    assert status == 302, browser
    _, html = phone_page(pbx, browser, mac)
    status_url = re.search(r'id="resync-status"[^>]*data-url="([^"]+)"', html).group(1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, body = browser.get(status_url)
        answer = json.loads(body)
        if answer["state"] != "pending":
            return answer["text"]
        time.sleep(0.2)
    raise AssertionError(f"no answer to the resync; agent log:\n{pbx.agent.output()[-3000:]}")


def test_a_phone_registers_with_the_account_of_its_file_and_resync_reaches_it(pbx):
    path = f"/provision/{YEALINK}.cfg"
    status, _, _ = pbx.server.request("GET", path)
    assert status == 401
    status, _, body = pbx.server.request("GET", path, basic=CREDENTIAL, headers={"User-Agent": "Yealink SIP-T46S"})
    assert status == 200, body
    account = account_of(body.decode())
    assert account["enable"] == "1"
    user, login, password, domain = (
        account["user_name"],
        account["auth_name"],
        account["password"],
        account["sip_server.1.address"],
    )
    port = free_udp_port()
    registered = pbx.sipp(
        "provisioned_register.xml", user, login, password, "-key", "domain", domain, port=port, name="register"
    )
    assert registered.wait() == 0, f"{registered.output()[-3000:]}\n{pbx.kamailio.output()[-2000:]}"

    phone = Sipp(pbx.tmp, "check_sync_phone.xml", port, f"127.0.0.1:{pbx.kamailio.port}", name="phone", timeout=40)
    try:
        time.sleep(0.3)  # SIPp binds its port
        browser = Browser(pbx.server, "202", "1234")
        answer = resync_answer(pbx, browser, YEALINK)
        assert phone.wait() == 0, f"{phone.output()[-4000:]}\n{pbx.agent.output()[-2000:]}"
    finally:
        phone.stop()
    assert answer == "Resync sent: 200 OK", pbx.agent.output()[-2000:]
    log = phone.message_log()
    assert f"NOTIFY sip:{user}@127.0.0.1:{port}" in log  # Kamailio's lookup: the contact the phone registered
    assert re.search(r"^Event: check-sync", log, re.M)
    assert password not in log  # the NOTIFY carries the agent's Digest answer, never the password
    # The page shows the fetch the phone made, from where and as what.
    _, html = phone_page(pbx, browser, YEALINK)
    assert "Yealink SIP-T46S" in html and "127.0.0.1" in html and "Resync sent: 200 OK" in html


def test_resync_of_a_phone_whose_line_is_registered_nowhere_says_so(pbx):
    browser = Browser(pbx.server, "202", "1234")
    answer = resync_answer(pbx, browser, SNOM)
    assert answer == "Phone not registered (480 Temporarily Unavailable)", pbx.agent.output()[-2000:]
