"""SIP end-to-end tests: real gunicorn + the real call-control agent (`manage.py run_callcontrol`) on a
throw-away SQLite database, SIPp (Debian package `sip-tester`) as the user's phone and as the callee, all
on 127.0.0.1. Skipped only when /usr/bin/sipp is absent (CI installs it: .ci/run).

Every SIPp runs with `-m 1 -timeout`, is waited for by pid and killed by pid only if it outlives its
timeout, so a hung SIPp never outlives its test."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.server.live import ROOT, LiveServer, digest_header, free_port, parse_challenge

SIPP = "/usr/bin/sipp"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SECRET_KEY = "sip-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

needs_sipp = pytest.mark.skipif(not Path(SIPP).exists(), reason="SIPp is not installed (apt-get install sip-tester)")


def free_udp_port() -> int:
    """A port free for both TCP and UDP (SIPp and the agent bind UDP; the agent TCP too)."""
    import socket

    while True:
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


class Sipp:
    """One SIPp process: `Sipp(tmp, "refer_phone.xml", port, "-key", "callee_port", "5072")`."""

    def __init__(self, tmp: Path, scenario: str, port: int, *args: str, name: str = "sipp", timeout: int = 40):
        self.name = name
        self.out = tmp / f"{name}.out"
        self.messages = tmp / f"{name}_msgs.log"
        cmd = [SIPP, "-i", "127.0.0.1", "-p", str(port), "-m", "1", "-timeout", f"{timeout}s", "-nostdin"]
        cmd += [
            "-trace_msg",
            "-message_file",
            str(self.messages),
            "-trace_err",
            "-error_file",
            str(tmp / f"{name}.err"),
        ]
        if scenario.endswith(".xml"):
            cmd += ["-sf", scenario if os.path.isabs(scenario) else str(SCENARIOS / scenario)]
        else:
            cmd += ["-sn", scenario]
        cmd += list(args)
        self.timeout = timeout
        self.proc = subprocess.Popen(cmd, stdout=open(self.out, "wb"), stderr=subprocess.STDOUT, cwd=tmp)

    def wait(self, timeout: float | None = None) -> int:
        try:
            return self.proc.wait(timeout or self.timeout + 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"{self.name} did not finish: {self.output()[-1500:]}") from None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def output(self) -> str:
        text = self.out.read_text(errors="replace") if self.out.exists() else ""
        if self.messages.exists():
            text += "\n--- messages ---\n" + self.messages.read_text(errors="replace")[-4000:]
        return text

    def message_log(self) -> str:
        return self.messages.read_text(errors="replace") if self.messages.exists() else ""


class CallPbx:
    """gunicorn + the agent. SIPX_PROXY points at `phone_port` (the test's SIPp phone stands in for the
    proxy and the phone); the referred calls go to a SIPp callee on `callee_port`."""

    def __init__(self, tmp: Path, transport: str = "udp"):
        self.tmp = tmp
        self.phone_port = free_udp_port()
        self.callee_port = free_udp_port()
        self.agent_port = free_udp_port()
        self.server = LiveServer(
            secret_key=SECRET_KEY,
            users=[("201", "1234", ["bob"]), ("200", "1234", ["alice"]), ("5001", "1234", [])],
            extra_env={
                "SIPX_PROXY": f"127.0.0.1:{self.phone_port}" + (";transport=tcp" if transport == "tcp" else ""),
                "CALLCONTROL_SIP_PORT": str(self.agent_port),
                "CALLCONTROL_SIP_BIND": "127.0.0.1",
                "CALLCONTROL_POLL_MS": "20",
            },
        )
        self.agent: subprocess.Popen | None = None

    def start(self) -> CallPbx:
        self.server.start()
        self.set_sip_password("201", "s3cret")
        self.set_sip_password("5001", "s3cret")
        self.agent_log = open(self.tmp / "agent.log", "wb")
        self.agent = subprocess.Popen(
            [sys.executable, "manage.py", "run_callcontrol"],
            cwd=ROOT,
            env=self.server.env,
            stdout=self.agent_log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while b"call-control agent: SIP on" not in (self.tmp / "agent.log").read_bytes():
            assert self.agent.poll() is None, self.agent_output()
            assert time.monotonic() < deadline, self.agent_output()
            time.sleep(0.1)
        return self

    def stop_agent(self) -> int | None:
        if self.agent is None or self.agent.poll() is not None:
            return self.agent.returncode if self.agent else None
        self.agent.send_signal(signal.SIGTERM)
        try:
            return self.agent.wait(20)
        except subprocess.TimeoutExpired:
            self.agent.kill()
            self.agent.wait(5)
            return None

    def stop(self) -> None:
        self.stop_agent()
        self.server.stop()

    def agent_output(self) -> str:
        return (self.tmp / "agent.log").read_text(errors="replace")

    def set_sip_password(self, username: str, password: str) -> None:
        self.server.manage(
            "shell",
            "-c",
            f"from apps.users.models import User; User.objects.filter(username={username!r})"
            f".update(sip_password={password!r})",
        )

    # ---- HTTP ------------------------------------------------------------------------------------
    def rest(self, method: str, path: str, user=("bob", "1234"), accept: str | None = None, body: bytes = b""):
        headers = {"Accept": accept} if accept else {}
        return self.server.request(method, path, headers=headers, body=body, basic=user)

    def digest(self, method: str, path: str, user: str = "201", pin: str = "1234", port: int | None = None):
        port = port or self.server.callcontrol_port
        status, headers, body = self.server.request(method, path, port=port)
        assert status == 401, (status, body)
        challenge = next(v for k, v in headers if k.lower() == "www-authenticate" and v.startswith("Digest"))
        c = parse_challenge(challenge)
        auth = digest_header(user, pin, c["realm"], c["nonce"], method, path)
        return self.server.request(method, path, headers={"Authorization": auth}, port=port)

    def active(self, user=("bob", "1234")) -> list:
        status, _, body = self.rest("GET", "/sipxconfig/rest/my/activecdrs", user=user, accept="application/json")
        assert status == 200, body
        return json.loads(body)["cdrs"]

    def statuses(self, path: str) -> str:
        status, _, body = self.digest("GET", path)
        assert status == 200
        return body.decode()

    def wait_for_status(self, path: str, text: str, timeout: float = 20) -> str:
        """The status-lines document of `path` once it contains `text`."""
        found = {}

        def check():
            found["doc"] = self.statuses(path)
            return text in found["doc"]

        self.wait_for(check, timeout, what=f"{text!r} in the status lines")
        return found["doc"]

    def wait_for(self, predicate, timeout: float = 20, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; agent log:\n{self.agent_output()[-3000:]}")


@pytest.fixture(scope="module")
def pbx(tmp_path_factory):
    if not Path(SIPP).exists():
        pytest.skip("SIPp is not installed (apt-get install sip-tester)")
    tmp = tmp_path_factory.mktemp("sip")
    pbx = CallPbx(tmp).start()
    yield pbx
    pbx.stop()


@pytest.fixture
def sipp_dir(tmp_path):
    return tmp_path


# ---- the bundled Kamailio (test_kamailio_*.py, bench/sipproxy.py) --------------------------------------

KAMAILIO = shutil.which("kamailio")
# The marks of every test that runs the bundled Kamailio with SIPp phones (skipped where either is missing).
WITH_KAMAILIO = [
    pytest.mark.sip,
    pytest.mark.skipif(not KAMAILIO, reason="Kamailio is not installed (apt-get install kamailio ...)"),
    pytest.mark.skipif(not Path("/usr/bin/sipp").exists(), reason="SIPp is not installed (apt-get install sip-tester)"),
]

USERS = [("200", "1234", ["alice"]), ("201", "1234", ["bob"]), ("202", "1234", [])]
SIP_PASSWORDS = {"200": "alicesip200", "201": "bobsip201"}  # 202 has none


# ---- the database each run uses ------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlparse(url).scheme in ("postgres", "postgresql", "pgsql") else None


@pytest.fixture(scope="module")
def database_url():
    """None (LiveServer's own SQLite file), or a fresh PostgreSQL database on the suite's server."""
    url = _postgres_url()
    if url is None:
        yield None
        return
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/')}_sip_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- processes -----------------------------------------------------------------------------------------


def udp_port_bound(port: int) -> bool:
    """Whether something listens on UDP 127.0.0.1:`port` (binding it fails)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class LoggedProcess:
    """A server the tests start (Kamailio, the agent, the media server), its output appended to `log_path`: waited
    for until `ready()`, stopped with SIGTERM and, after `stop_timeout` seconds, SIGKILL to its process group."""

    stop_timeout = 10

    def __init__(self, args: list[str], log_path: Path, env: dict, what: str, ready, timeout: float = 30):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while not ready():
            assert self.proc.poll() is None, f"{what} exited: {self.output()[-3000:]}"
            assert time.monotonic() < deadline, f"{what} is not ready after {timeout} s: {self.output()[-3000:]}"
            time.sleep(0.1)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()


class Kamailio(LoggedProcess):
    """Kamailio started from the file `manage.py kamailio_config` writes, with extra -A defines. `port`: a
    stopped Kamailio's port, to start it again (same run directory, its log appended)."""

    def __init__(
        self, server: LiveServer, tmp: Path, web_url: str | None = None, port: int | None = None, **defines: int
    ):
        self.port = port or free_udp_port()
        self.run_dir = tmp / f"kamailio-{self.port}"
        self.env = {**server.env, "PBX_SIP_PORT": str(self.port), "SIPPROXY_RUN_DIR": str(self.run_dir)}
        if web_url:
            self.env["SIPPROXY_WEB_URL"] = web_url
        server_env = server.env
        server.env = self.env
        try:
            self.config = server.manage("kamailio_config").strip().splitlines()[-1]
        finally:
            server.env = server_env
        # -M: as bin/run, private memory for a write-back Kamailio loading many registrations at its start.
        args = [KAMAILIO, "-DD", "-E", "-M", "64", "-f", self.config, "-Y", str(self.run_dir), "-A", "CHILDREN=2"]
        for name, value in defines.items():
            args += ["-A", f"{name}={value}"]
        super().__init__(
            args, self.run_dir / "kamailio.log", os.environ.copy(), "Kamailio", lambda: udp_port_bound(self.port), 20
        )
        time.sleep(0.5)  # its children finish their start after the socket is bound


def set_sip_passwords(server: LiveServer, passwords: dict[str, str]) -> None:
    """Gives the users `passwords` (user name -> SIP password) on the server's database."""
    server.manage(
        "shell",
        "-c",
        "from apps.users.models import User\n"
        + "".join(f"User.objects.filter(username={n!r}).update(sip_password={p!r})\n" for n, p in passwords.items()),
    )


class KamailioPbx:
    """gunicorn (USERS, SIP_PASSWORDS) and a Kamailio on it; SIPps stand in for the voicemail and media servers."""

    def __init__(self, tmp: Path, database_url: str | None):
        # A SIPp stands in for the voicemail server (the test that needs it answers there).
        self.voicemail_port = free_udp_port()
        self.media_port = free_udp_port()
        extra = {
            "SIPX_VOICEMAIL_URI": f"sip:{{user}}@127.0.0.1:{self.voicemail_port}",
            "SIPX_MEDIA_URI": (
                f"sip:{{number}}@127.0.0.1:{self.media_port};app={{app}};service={{service}};target={{target}}"
            ),
        }
        extra.update({"DATABASE_URL": database_url} if database_url else {})
        self.tmp = tmp
        self.server = LiveServer(secret_key=SECRET_KEY, users=USERS, workers=2, extra_env=extra)
        self.server.start()
        set_sip_passwords(self.server, SIP_PASSWORDS)
        self.kamailio = Kamailio(self.server, tmp)

    def shell(self, code: str) -> str:
        return self.server.manage("shell", "-c", code)

    def stop(self) -> None:
        self.kamailio.stop()
        self.server.stop()

    def sipp(self, scenario: str, service: str, user: str, password: str, *args: str, port: int | None = None,
             proxy_port: int | None = None, timeout: int = 10, name: str | None = None) -> Sipp:  # fmt: skip
        """SIPp as a phone of `user` (its SIP password `password`) sending to `service` through Kamailio."""
        return Sipp(
            self.tmp,
            scenario,
            port or free_udp_port(),
            *("-s", service, "-au", user, "-ap", password, "-key", "caller", user, "-timeout_error", *args),
            f"127.0.0.1:{proxy_port or self.kamailio.port}",
            name=name or f"sipp-{uuid.uuid4().hex[:6]}",
            timeout=timeout,
        )

    def register(self, login: str, password: str, **kw) -> int:
        return self.sipp("kamailio_register.xml", login, login, password, **kw).wait()

    def refused(self, login: str, password: str, **kw) -> int:
        return self.sipp("kamailio_register_refused.xml", login, login, password, **kw).wait()

    def active(self, user: str) -> list:
        status, _, body = self.server.request(
            "GET", "/sipxconfig/rest/my/activecdrs", headers={"Accept": "application/json"}, basic=(user, "1234")
        )
        assert status == 200, body
        return json.loads(body)["cdrs"]


@pytest.fixture
def routed_bob(db, settings):
    """201 (alias bob) with a ring list of every kind the route knows: carol (202) after 15 s, a gateway number
    at the same time as carol, a disabled ring, a SIP URI; 202 (alias carol) has no ring list."""
    from apps.users.models import Ring
    from apps.users.services import create_user

    settings.SIPX_GATEWAY = "gw.example.org"
    settings.SIPX_VOICEMAIL_URI = "sip:{user}@media.example.org"
    settings.SIPX_MEDIA_URI = "sip:{number}@media.example.org;app={app}"
    bob = create_user("201", pin="1234", aliases=["bob"], sip_password="bobsip201")
    create_user("202", pin="1234", aliases=["carol"])
    bob.call_forward_timer = 15
    bob.save()
    rings = [
        ("carol", 30, Ring.Type.DELAYED, True),
        ("+15551234", 40, Ring.Type.PARALLEL, True),
        ("9999", 10, Ring.Type.DELAYED, False),  # disabled: not rung, not shown
        ("sip:desk@other.example.net", 10, Ring.Type.DELAYED, True),
    ]
    for position, (number, seconds, kind, enabled) in enumerate(rings):
        Ring.objects.create(user=bob, position=position, number=number, expiration=seconds, type=kind, enabled=enabled)
    return bob
