"""The reliability suite's machinery, shared by tests/reliability and bench/reliability.py:

* `PrivatePostgres` — a throw-away PostgreSQL cluster (initdb in a temp dir, its own port and socket), so a
  test may stop and start *its* server; the machine's shared PostgreSQL is never touched.
* `start_stack()` — real gunicorn (tests/server/live.py) on that cluster (or on SQLite), the demo PBX seeded,
  plus load users; the access log names the worker pid of every request (to see a respawned worker serve).
* `Load` — N client threads mixing reads and writes over HTTP with Basic credentials, each request on its own
  connection (gunicorn's sync workers close after every answer anyway). Every write carries a unique marker
  and is recorded with its outcome: acknowledged (2xx), refused (4xx), failed (5xx) or unknown (the
  connection broke: the worker died or the request timed out).
* `verify()` — reads the stored data back (manage.py shell, ORM) and judges every recorded write: an
  acknowledged entry is stored exactly once, a refused or failed one not at all, an unknown one at most
  once; the final forwarding list / contact information of each user is an acknowledged (or unknown) write
  that no later acknowledged write superseded (a lost update otherwise), never a refused one.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from urllib.parse import urlsplit

from tests.server.live import LiveServer, basic_header, free_port

REST = "/sipxconfig/rest"
SECRET_KEY = "reliability-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
# The demo's users (login alias, user name, PIN) read and write; several clients share each one, as a user with
# a phone app and a portal tab does. Few users on purpose: every (worker, user) pair pays one full PBKDF2 check
# before the PIN memo (apps/users/credentials.py) takes over.
DEMO_USERS = [("alice", "200", "1234"), ("bob", "201", "1234"), ("carol", "202", "1234"), ("dave", "203", "1234")]
PG_ROLE = "postgres"


# ---- a private PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed server's bin dir (Debian: /usr/lib/postgresql/<version>/bin), or None."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


class PrivatePostgres:
    """initdb + pg_ctl in a temp dir on a free port, socket in that dir, trust authentication, superuser
    `postgres`. initdb refuses to run as root, so as root the cluster belongs to the `postgres` OS user."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sipxweb-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> str:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result.stdout

    def init(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-U", PG_ROLE, "-A", "trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self, timeout: int = 60) -> float:
        """Starts the server and waits until it accepts connections; returns the seconds it took."""
        started = time.monotonic()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", str(timeout), "start")
        return time.monotonic() - started

    def stop(self, mode: str = "fast", timeout: int = 60) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(timeout), "stop")

    def createdb(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_ROLE, name)
        return f"postgres://{PG_ROLE}@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        try:
            self.stop("immediate", timeout=30)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # not running
        shutil.rmtree(self.root, ignore_errors=True)


# ---- the server -------------------------------------------------------------------------------------------

# The worker's pid first on every access-log line (gunicorn's %(p)s atom): shows when a respawned worker serves.
ACCESS_FORMAT = '%(p)s %(s)s "%(r)s" %(M)sms'


def start_stack(database_url: str | None, workers: int = 2, timeout: float = 180) -> LiveServer:
    """gunicorn on `database_url` (None: the LiveServer's own SQLite file) with the demo PBX."""
    extra = {"LOG_LEVEL": "WARNING", "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'"}
    if database_url:
        extra["DATABASE_URL"] = database_url
    server = LiveServer(secret_key=SECRET_KEY, users=[], workers=workers, extra_env=extra)
    server.manage("migrate", "--noinput", "-v", "0")
    server.manage("seed_demo")
    # DEBUG=0 serves pages through the manifest storage, as production does: it needs collectstatic.
    server.manage("collectstatic", "--noinput", "-v", "0")
    server.start(timeout=timeout)
    return server


def worker_pids(server: LiveServer) -> set[int]:
    """The gunicorn master's children (Linux /proc)."""
    pid = server.proc.pid
    try:
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def pids_serving(server: LiveServer, since: int = 0) -> dict[int, float]:
    """Worker pid -> the longest duration in seconds of its requests logged after byte offset `since` (an
    access-log line is written when the answer is done: now minus that duration is about when it began)."""
    text = server.log_path.read_bytes()[since:].decode(errors="replace")
    served: dict[int, float] = {}
    for pid, ms in re.findall(r"^<(\d+)> \d{3} .* (\d+)ms$", text, flags=re.M):
        served[int(pid)] = max(served.get(int(pid), 0.0), int(ms) / 1000)
    return served


def log_offset(server: LiveServer) -> int:
    return server.log_path.stat().st_size


# ---- the load ---------------------------------------------------------------------------------------------


@dataclass
class Answer:
    op: str
    status: int | str  # HTTP status, "conn" (connection broke, no answer) or "timeout"
    started: float
    ended: float
    json_error: bool = True  # for 5xx: the body was the {"error", "type"} JSON with Retry-After on 503


@dataclass
class Write:
    kind: str  # entry | entry-again | forward | contact
    user: str
    marker: str
    outcome: str  # ack | refused | failed | unknown
    status: int | str
    started: float
    ended: float
    expect_refusal: bool = False


@dataclass
class Results:
    answers: list[Answer] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    stale_reads: list[str] = field(default_factory=list)  # read-your-write failures
    seen_markers: dict[str, set[str]] = field(default_factory=dict)  # kind -> markers read back by GETs
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def statuses(self) -> Counter:
        return Counter(a.status for a in self.answers)

    def server_errors(self, exclude_503: bool = False) -> list[Answer]:
        return [
            a
            for a in self.answers
            if isinstance(a.status, int) and a.status >= 500 and not (exclude_503 and a.status == 503)
        ]

    def latency_ms(self, q: float) -> float:
        times = sorted((a.ended - a.started) * 1000 for a in self.answers if isinstance(a.status, int))
        if not times:
            return 0.0
        return times[min(len(times) - 1, int(q * len(times)))]

    def figures(self) -> str:
        n = len(self.answers)
        codes = self.statuses()
        fivexx = sum(c for s, c in codes.items() if isinstance(s, int) and s >= 500)
        acked = sum(1 for w in self.writes if w.outcome == "ack")
        return (
            f"{n} requests in {self.seconds:.1f} s = {n / self.seconds if self.seconds else 0:.0f} req/s; "
            f"latency p50 {self.latency_ms(0.50):.0f} ms, p99 {self.latency_ms(0.99):.0f} ms; 5xx {fivexx}; "
            f"writes {len(self.writes)} ({acked} acknowledged); answers {dict(sorted(codes.items(), key=str))}"
        )


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


class Client:
    """One simulated client: its own random sequence of operations, its own markers."""

    def __init__(self, load: Load, index: int):
        self.load = load
        self.index = index
        self.rng = random.Random(index * 7919 + load.seed)
        self.login, self.user, self.pin = DEMO_USERS[index % len(DEMO_USERS)]
        self.seq = 0
        self.acked_entries: list[tuple[str, str]] = []  # (number, path of the entry)

    def marker(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.load.run_id}{self.index:02d}{self.seq:06d}"

    def request(self, op: str, method: str, path: str, body=None, user=None) -> tuple[int | str, dict, bytes, Answer]:
        name, pin = user or (self.login, self.pin)
        headers = {"Authorization": basic_header(name, pin), "Accept": "application/json", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.load.port, timeout=self.load.request_timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status, hdrs = response.status, {k.lower(): v for k, v in response.getheaders()}
        except TimeoutError:
            status, hdrs, data = "timeout", {}, b""
        except (OSError, http.client.HTTPException):
            status, hdrs, data = "conn", {}, b""
        finally:
            conn.close()
        answer = Answer(op, status, started, time.monotonic())
        if isinstance(status, int) and status >= 500:
            doc = _json(data)
            answer.json_error = (
                isinstance(doc, dict)
                and set(doc) == {"error", "type"}
                and (status != 503 or hdrs.get("retry-after", "").isdigit())
            )
        self.load.record(answer)
        return status, hdrs, data, answer

    def write(self, kind: str, marker: str, status, answer: Answer, expect_refusal=False) -> str:
        if isinstance(status, int) and 200 <= status < 300:
            outcome = "ack"
        elif isinstance(status, int) and 400 <= status < 500:
            outcome = "refused"
        elif isinstance(status, int):
            outcome = "failed"
        else:
            outcome = "unknown"
        self.load.record_write(
            Write(kind, self.user, marker, outcome, status, answer.started, answer.ended, expect_refusal)
        )
        return outcome

    # -- operations --
    def post_entry(self):
        number = self.marker("77")
        body = {"entry": {"first-name": "Load", "last-name": f"Client{self.index:02d}", "number": number}}
        status, hdrs, _, answer = self.request("entry", "POST", f"{REST}/my/phonebook/entry/0", body)
        if self.write("entry", number, status, answer) == "ack":
            path = urlsplit(hdrs.get("location", "")).path
            self.acked_entries.append((number, path))
            if self.rng.random() < 0.3:  # read your write, through another connection and maybe another worker
                got, _, data, _ = self.request("entry-read", "GET", path)
                doc = _json(data) if got == 200 else None
                if got in (200, 404) and not (doc and doc.get("entry", {}).get("number") == number):
                    self.load.stale_reads.append(f"{self.user} {path}: {got} {data[:120]!r}")

    def post_refused_entry(self):
        number = self.marker("77")
        body = {"entry": {"first-name": "Load", "last-name": "Refused", "number": number,
                          "contact-information": {"emailAddress": "not an address"}}}  # fmt: skip
        status, _, _, answer = self.request("entry-bad", "POST", f"{REST}/my/phonebook/entry/0", body)
        self.write("entry", number, status, answer, expect_refusal=True)

    def post_entry_again(self):
        # The same entry twice is a 409 (D2); stored once whatever the answer says.
        if not self.acked_entries:
            return self.post_entry()
        number, _ = self.rng.choice(self.acked_entries)
        body = {"entry": {"first-name": "Load", "last-name": f"Client{self.index:02d}", "number": number}}
        status, _, _, answer = self.request("entry-again", "POST", f"{REST}/my/phonebook/entry/0", body)
        self.write("entry-again", number, status, answer, expect_refusal=True)

    def put_forward(self, refused=False):
        number = self.marker("66")
        ring = {"expiration": 0 if refused else 25, "type": "If no response", "enabled": True, "number": number}
        body = {"call-sequence": {"rings": [ring], "expiration": 20}}
        status, _, _, answer = self.request("forward-put", "PUT", f"{REST}/my/forward", body)
        self.write("forward", number, status, answer, expect_refusal=refused)

    def put_contact(self, refused=False):
        title = self.marker("job")
        body = {"contact-information": {"jobTitle": title, "companyName": "Load Inc"}}
        if refused:
            body["contact-information"]["noSuchField"] = "x"
        status, _, _, answer = self.request("contact-put", "PUT", f"{REST}/my/contact-information", body)
        self.write("contact", title, status, answer, expect_refusal=refused)

    def read_forward(self):
        status, _, data, _ = self.request("forward-get", "GET", f"{REST}/my/forward")
        doc = _json(data) if status == 200 else None
        if doc:
            for ring in doc["call-sequence"].get("rings", []):
                self.load.seen("forward", ring["number"])

    def read_contact(self):
        status, _, data, _ = self.request("contact-get", "GET", f"{REST}/my/contact-information")
        doc = _json(data) if status == 200 else None
        if doc and doc["contact-information"].get("jobTitle"):
            self.load.seen("contact", doc["contact-information"]["jobTitle"])

    def read_demo(self):
        login, _, pin = self.rng.choice(DEMO_USERS)
        path = self.rng.choice(
            [
                f"{REST}/my/phonebook",
                f"{REST}/my/logindetails",
                f"{REST}/my/contact-information",
                f"{REST}/my/forward",
                f"{REST}/my/search/phonebook?query=s",
                f"{REST}/my/pagedphonebook?start=0&end=5",
            ]
        )
        self.request("demo-" + path.split("/")[-1].split("?")[0], "GET", path, user=(login, pin))

    def read_own_phonebook(self):
        self.request("paged-get", "GET", f"{REST}/my/pagedphonebook?start=0&end=20")

    def read_logindetails(self):
        self.request("logindetails", "GET", f"{REST}/my/logindetails")

    def step(self):
        # About two reads for each write; a few writes are meant to be refused.
        choice = self.rng.random()
        ops = [
            (0.20, self.read_demo),
            (0.30, self.read_logindetails),
            (0.40, self.read_forward),
            (0.50, self.read_contact),
            (0.60, self.read_own_phonebook),
            (0.78, self.post_entry),
            (0.80, self.post_refused_entry),
            (0.82, self.post_entry_again),
            (0.90, self.put_forward),
            (0.91, lambda: self.put_forward(refused=True)),
            (0.99, self.put_contact),
            (1.01, lambda: self.put_contact(refused=True)),
        ]
        for limit, op in ops:
            if choice < limit:
                return op()


class Load:
    """`clients` threads running Client.step() until `stop()` or `seconds` have passed."""

    def __init__(self, port: int, clients: int = 50, request_timeout: float = 30, seed: int = 1, run_id: str = "0"):
        self.port = port
        self.clients = clients
        self.request_timeout = request_timeout
        self.seed = seed
        self.run_id = run_id  # a digit in every marker: several loads on one database never share markers
        self.results = Results()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def record(self, answer: Answer) -> None:
        with self._lock:
            self.results.answers.append(answer)

    def record_write(self, write: Write) -> None:
        with self._lock:
            self.results.writes.append(write)

    def seen(self, kind: str, marker: str) -> None:
        with self._lock:
            self.results.seen_markers.setdefault(kind, set()).add(marker)

    @property
    def stale_reads(self):
        return self.results.stale_reads

    def _run(self, index: int) -> None:
        client = Client(self, index)
        while not self._stop.is_set():
            client.step()

    def start(self) -> Load:
        self.results.started = time.monotonic()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.clients)]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> Results:
        self._stop.set()
        for t in self._threads:
            t.join(self.request_timeout + 10)
        self.results.ended = time.monotonic()
        return self.results

    def run(self, seconds: float) -> Results:
        self.start()
        time.sleep(seconds)
        return self.stop()


def warm_up(server: LiveServer, rounds: int = 6) -> None:
    """Every user logs in a few times on fresh connections, so each worker has paid its PBKDF2 check per user
    (the PIN memo, apps/users/credentials.py) before the clock starts."""
    users = [(login, pin) for login, _, pin in DEMO_USERS]

    def one(name, pin):
        for _ in range(rounds):
            server.request("GET", f"{REST}/my/logindetails", basic=(name, pin), timeout=120)

    threads = [threading.Thread(target=one, args=u) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# ---- checking what was stored -----------------------------------------------------------------------------

DUMP = """
import json
from django.db.models import Count
from apps.phonebooks.models import PhonebookEntry
from apps.users.models import User, UserProfile
entries = dict(PhonebookEntry.objects.filter(number__startswith="77").values_list("number").annotate(n=Count("id")))
rings, jobs = {}, {}
for user in User.objects.filter(username__in=USERS).prefetch_related("rings"):
    rings[user.username] = [r.number for r in user.rings.all()]
for profile in UserProfile.objects.filter(user__username__in=USERS).select_related("user"):
    jobs[profile.user.username] = profile.job_title
print(json.dumps({"entries": entries, "rings": rings, "jobs": jobs}))
"""


def stored(server: LiveServer) -> dict:
    script = DUMP.replace("USERS", repr([name for _, name, _ in DEMO_USERS]))
    return json.loads(server.manage("shell", "-c", script).strip().splitlines()[-1])


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    refused_but_stored: list[str] = field(default_factory=list)
    unexpected_refusals: list[str] = field(default_factory=list)
    phantom: list[str] = field(default_factory=list)
    unknown_stored: int = 0
    unknown_absent: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.refused_but_stored or self.unexpected_refusals or self.phantom)

    def summary(self) -> str:
        return (
            f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, refused but stored "
            f"{len(self.refused_but_stored)}, refused unexpectedly {len(self.unexpected_refusals)}, phantom "
            f"{len(self.phantom)}; connection-level failures: {self.unknown_stored} stored, "
            f"{self.unknown_absent} not stored"
        )

    def details(self) -> str:
        parts = []
        for name in ("lost", "duplicated", "refused_but_stored", "unexpected_refusals", "phantom"):
            items = getattr(self, name)
            if items:
                parts.append(f"{name}: {items[:10]}")
        return "; ".join(parts)


def verify(writes: list[Write], state: dict, seen: dict[str, set[str]] | None = None) -> Verdict:
    verdict = Verdict()
    counts: dict[str, int] = state["entries"]
    known = set()
    for w in writes:
        if w.expect_refusal and w.outcome == "ack":
            verdict.unexpected_refusals.append(f"accepted: {w.kind} {w.marker} ({w.status})")
        if not w.expect_refusal and w.outcome == "refused":
            verdict.unexpected_refusals.append(f"refused: {w.kind} {w.marker} ({w.status})")
        if w.kind not in ("entry", "entry-again"):
            continue
        known.add(w.marker)
        n = counts.get(w.marker, 0)
        if n > 1:
            verdict.duplicated.append(f"entry {w.marker} stored {n} times")
        if w.kind == "entry-again":
            continue  # its marker is an earlier entry's: judged there (stored exactly once)
        if w.outcome == "ack" and n == 0:
            verdict.lost.append(f"entry {w.marker} ({w.user}) acknowledged, not stored")
        elif w.outcome in ("refused", "failed") and n:
            verdict.refused_but_stored.append(f"entry {w.marker} answered {w.status}, stored")
        elif w.outcome == "unknown":
            verdict.unknown_stored += n > 0
            verdict.unknown_absent += n == 0
    verdict.phantom += [f"entry {m} stored, never sent" for m in counts if m not in known]
    verdict.duplicated = sorted(set(verdict.duplicated))

    # Forwarding and contact information: each PUT replaces the whole value, several clients write the same user.
    finals = {"forward": state["rings"], "contact": {u: [j] if j else [] for u, j in state["jobs"].items()}}
    for kind in ("forward", "contact"):
        by_user: dict[str, list[Write]] = {}
        for w in writes:
            if w.kind == kind:
                by_user.setdefault(w.user, []).append(w)
        refused = {w.marker for ws in by_user.values() for w in ws if w.outcome in ("refused", "failed")}
        for marker in (seen or {}).get(kind, set()) & refused:
            verdict.refused_but_stored.append(f"{kind} {marker} was refused but read back")
        for user, ws in by_user.items():
            final = finals[kind].get(user, [])
            acked = [w for w in ws if w.outcome == "ack"]
            if not acked:
                continue
            if len(final) != 1:
                verdict.lost.append(f"{kind} of {user}: stored {final}, expected exactly one write's value")
                continue
            # Linearizable outcome: the stored value is a write that no other acknowledged write started after
            # (that one would have replaced it). Unknown writes may have been applied too.
            latest_start = max(w.started for w in acked)
            allowed = {w.marker for w in ws if w.outcome in ("ack", "unknown") and w.ended >= latest_start}
            by_marker = {w.marker: w for w in ws}
            if final[0] in refused:
                verdict.refused_but_stored.append(f"{kind} of {user}: {final[0]} ({by_marker[final[0]].status})")
            elif final[0] not in allowed:
                verdict.lost.append(f"{kind} of {user}: stored {final[0]}, a later acknowledged write is lost")
    return verdict
