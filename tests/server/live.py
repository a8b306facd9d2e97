"""The real stack for tests and benchmarks: `gunicorn -c gunicorn.conf.py` in a subprocess, on free ports,
with a throw-away SQLite database, media and static folders. Stdlib only on the client side (http.client).

    with LiveServer(secret_key=..., users=[("200", "1234", ["alice"])]) as srv:
        status, headers, body = srv.request("GET", "/sipxconfig/rest/my/logindetails", basic=("alice", "1234"))

Used by tests/server (wire behaviour of the real server), tests/floor/test_openapi.py (schemathesis) and
bench/auth.py."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def basic_header(name: str, pin: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def parse_challenge(value: str) -> dict[str, str]:
    """Parameters of one `WWW-Authenticate` challenge (`Digest realm="x", qop="auth", ...`)."""
    return {m[0].lower(): (m[1] if m[1] else m[2]) for m in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', value)}


def digest_header(
    name: str, pin: str, realm: str, nonce: str, method: str, uri: str, nc: int = 1, cnonce: str = "0a4f113b"
) -> str:
    """An RFC 2617 Digest `Authorization` value with qop=auth, computed from the clear PIN."""
    ha1 = _md5(f"{name}:{realm}:{pin}")
    ha2 = _md5(f"{method}:{uri}")
    nc_text = f"{nc:08x}"
    response = _md5(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{name}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
        f'qop=auth, nc={nc_text}, cnonce="{cnonce}", response="{response}"'
    )


class LiveServer:
    """gunicorn serving sipxweb on two free ports (PORT and CALLCONTROL_PORT), output captured in a file."""

    def __init__(
        self,
        secret_key: str,
        users: list[tuple[str, str, list[str]]] = (("200", "1234", ["alice"]),),
        workers: int = 1,
        extra_env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.callcontrol_port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="sipxweb-live-"))
        self.log_path = self.tmp / "gunicorn.log"
        self.users = [(name, pin, list(aliases)) for name, pin, aliases in users]
        self.env = dict(os.environ)
        # Nothing from the developer's shell may point the server at a real database or cache.
        for name in ("REDIS_URL", "DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT"):
            self.env.pop(name, None)
        self.env.update(
            {
                "DATABASE_URL": f"sqlite:///{self.tmp / 'db.sqlite3'}",
                "PORT": str(self.port),
                "CALLCONTROL_PORT": str(self.callcontrol_port),
                "BIND_HOST": "127.0.0.1",
                "MEDIA_ROOT": str(self.tmp / "media"),
                "STATIC_ROOT": str(self.tmp / "static"),
                "SECRET_KEY": secret_key,
                "DEBUG": "0",
                "WEB_CONCURRENCY": str(workers),
                "DJANGO_SETTINGS_MODULE": "sipxweb.settings",
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.env.update(extra_env or {})
        self.proc: subprocess.Popen | None = None
        self._log = None

    # ---- lifecycle ------------------------------------------------------------------------------
    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result.stdout

    def start(self, timeout: float = 60) -> LiveServer:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("createcachetable")
        script = (
            "import json\n"
            "from apps.users.services import create_user\n"
            f"for name, pin, aliases in json.loads({json.dumps(json.dumps(self.users))}):\n"
            "    create_user(name, pin=pin, aliases=aliases)\n"
        )
        self.manage("shell", "-c", script)
        return self.serve(timeout)

    def serve(self, timeout: float = 60) -> LiveServer:
        """Starts gunicorn on the prepared database (again, after stop()) and waits until both ports answer."""
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        pending = {self.port, self.callcontrol_port}
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}: {self.output()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not answer within {timeout} s: {self.output()[-2000:]}")
            for port in list(pending):
                try:
                    if self.request("GET", "/healthz", port=port, timeout=2)[0] == 200:
                        pending.discard(port)
                except OSError:
                    pass
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 20) -> float:
        """SIGTERM to the gunicorn master; returns the seconds it took to exit (SIGKILL after `timeout`)."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        elapsed = time.monotonic() - started
        if self._log:
            self._log.close()
        return elapsed

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def output(self) -> str:
        """Everything gunicorn wrote so far (access log on stdout, error log on stderr)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- HTTP -----------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        basic: tuple[str, str] | None = None,
        port: int | None = None,
        timeout: float = 30,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request on a fresh connection: (status, header list as sent, body)."""
        headers = dict(headers or {})
        if basic:
            headers["Authorization"] = basic_header(*basic)
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()
