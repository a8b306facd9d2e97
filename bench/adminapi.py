#!/usr/bin/env python3
"""The admin JSON API at scale on PostgreSQL, through the real gunicorn (the admin API issue's targets):

* 10,000 users created as ten bulk `POST /api/v1/users` of 1,000 users without PINs (target: one such request
  < 5 s);
* `GET /api/v1/users?limit=100` over those 10,000 users (target: median < 30 ms), next to a comparable reference on
  the sipXconfig URIs, `GET /sipxconfig/rest/my/pagedphonebook?start=0&end=100` (100 of the same 10,000 users, as
  a member's phonebook, JSON), and the same list deep in the table (`offset=9900`), searched (`?q=`) and sorted;
* the PIN hasher's cost per user, apart: a bulk POST of --pin-users users with PINs against as many without,
  the difference divided by their number.

Creates (and drops at the end) a database `sipxweb_bench_adminapi` on DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432), starts gunicorn with one worker and one thread, and measures with one
keep-alive http.client connection and an administrator's Bearer token.

    .venv/bin/python bench/adminapi.py [--users 10000] [--runs 50] [--pin-users 20] [--keep]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.live import LiveServer, basic_header  # noqa: E402

DATABASE = "sipxweb_bench_adminapi"
BATCH = 1000
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Dennis", "Frances"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Ritchie", "Allen"]
# The reference's reader (alice) and the bench group, whose phonebook lists every bench user to its members.
SETUP = """
from apps.phonebooks.models import Phonebook
from apps.users.models import User, UserGroup
User.objects.filter(username="superadmin").update(is_admin=True)
group = UserGroup.objects.create(name="bench")
User.objects.get(username="200").groups.add(group)
book = Phonebook.objects.create(name="everyone", description="bench")
book.members.add(group)
book.consumers.add(group)
"""


def admin_psql(server: str, sql: str) -> None:
    parts = urlsplit(server)
    args = ["psql", "-X", "-q", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres", "-d", "postgres", "-c", sql]
    env = dict(os.environ, **({"PGPASSWORD": parts.password} if parts.password else {}))
    subprocess.run(args, env=env, check=True, capture_output=True)


def users(first: int, count: int, pin: bool = False) -> list[dict]:
    out = []
    for i in range(first, first + count):
        user = {
            "userName": str(100000 + i),
            "firstName": FIRST[i % len(FIRST)],
            "lastName": f"{LAST[i // len(FIRST) % len(LAST)]}{i}",
            "aliases": [f"u{i}"],
            "groups": ["bench"],
        }
        if pin:
            user["pin"] = f"{i % 9000 + 1000}"
        out.append(user)
    return out


def worker_pid(master: int) -> int:
    return int(Path(f"/proc/{master}/task/{master}/children").read_text().split()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (the machine's load does not inflate it as it does wall time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client:
    def __init__(self, port: int, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = headers

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[float, int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {**self.headers, **(headers or {}), **({"Content-Type": "application/json"} if data else {})}
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=all_headers)
        response = self.conn.getresponse()
        content = response.read()
        return time.perf_counter() - started, response.status, content

    def timed(self, path: str, runs: int, headers=None) -> tuple[list[float], float]:
        """`runs` GETs of `path`: their wall times, and the gunicorn worker's CPU time per request."""
        for _ in range(3):  # warm up: this path's code and the database's plans and pages
            self.call("GET", path, headers=headers)
        times = []
        cpu = cpu_seconds(self.worker)
        for _ in range(runs):
            seconds, status, body = self.call("GET", path, headers=headers)
            assert status == 200, (path, status, body[:300])
            times.append(seconds)
        return times, (cpu_seconds(self.worker) - cpu) / runs


def ms(measured: tuple[list[float], float]) -> str:
    times, cpu = measured
    ordered = sorted(times)
    return (
        f"median {statistics.median(times) * 1000:6.1f} ms, p90 {ordered[int(len(ordered) * 0.9)] * 1000:6.1f} ms, "
        f"worker CPU {cpu * 1000:5.1f} ms/request"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pin-users", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    given = urlsplit(os.environ.get("DATABASE_URL", ""))
    server = (
        f"postgres://{given.netloc}" if given.scheme.startswith("postgres") else "postgres://postgres@127.0.0.1:5432"
    )
    admin_psql(server, f"DROP DATABASE IF EXISTS {DATABASE}")
    admin_psql(server, f"CREATE DATABASE {DATABASE}")
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    live = LiveServer(
        secret_key="bench-" + os.urandom(8).hex(),
        users=[("superadmin", "admin1234", []), ("200", "1234", ["alice"])],
        workers=1,
        extra_env={
            "DATABASE_URL": f"{server}/{DATABASE}",
            "GUNICORN_THREADS": "1",
            "CONN_MAX_AGE": "60",
            # counted as always (one cache write per request), never reached
            "API_THROTTLE_RATE": "1000000/min",
        },
    )
    try:
        with live:
            live.manage("shell", "-c", SETUP)
            pin_auth = {"Authorization": basic_header("superadmin", "admin1234")}
            _, status, body = Client(live.port, pin_auth).call(
                "POST", "/api/v1/tokens", {"name": "bench", "scope": "write"}
            )
            assert status == 201, body
            api = Client(live.port, {"Authorization": f"Bearer {json.loads(body)['token']}"})
            api.worker = worker_pid(live.proc.pid)

            print(f"creating {args.users} users in bulk requests of {BATCH} (no PINs) ...", flush=True)
            bulk_times = []
            for first in range(0, args.users, BATCH):
                seconds, status, body = api.call("POST", "/api/v1/users", users(first, min(BATCH, args.users - first)))
                assert status == 201, body[:500]
                bulk_times.append(seconds)
            live.manage("shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")

            n = args.pin_users
            base = args.users + 10
            without, status, body = api.call("POST", "/api/v1/users", users(base, n))
            assert status == 201, body[:500]
            with_pins, status, body = api.call("POST", "/api/v1/users", users(base + n, n, pin=True))
            assert status == 201, body[:500]

            page = api.timed("/api/v1/users?limit=100", args.runs)
            deep = api.timed(f"/api/v1/users?limit=100&offset={args.users - 100}", args.runs)
            search = api.timed("/api/v1/users?limit=100&q=grace", args.runs)
            by_name = api.timed("/api/v1/users?limit=100&ordering=-lastName", args.runs)
            one = api.timed("/api/v1/users/100500", args.runs)
            alice = {"Authorization": basic_header("alice", "1234"), "Accept": "application/json"}
            reference = api.timed("/sipxconfig/rest/my/pagedphonebook?start=0&end=100", args.runs, headers=alice)
            _, _, sample = api.call("GET", "/api/v1/users?limit=100")
            _, _, ref_sample = api.call("GET", "/sipxconfig/rest/my/pagedphonebook?start=0&end=100", headers=alice)

        median = statistics.median
        print()
        print(f"database: PostgreSQL; gunicorn: 1 worker, 1 thread; {os.cpu_count()} CPUs; {args.users} users")
        print(f"load average before: {load_before}")
        print(
            f"bulk POST /api/v1/users, {BATCH} users without PINs: first {bulk_times[0]:.2f} s, "
            f"median {median(bulk_times):.2f} s, last {bulk_times[-1]:.2f} s (target < 5 s)"
        )
        pin_cost = (with_pins - without) / n
        print(
            f"bulk POST of {n} users: without PINs {without:.2f} s, with PINs {with_pins:.2f} s "
            f"-> the PIN hasher costs {pin_cost * 1000:.0f} ms per user "
            f"({pin_cost * BATCH:.0f} s for {BATCH} users with PINs)"
        )
        print(f"GET /api/v1/users?limit=100 ({len(sample) / 1000:.0f} kB):            {ms(page)} (target < 30 ms)")
        print(f"GET /sipxconfig/rest/my/pagedphonebook 0..100 ({len(ref_sample) / 1000:.0f} kB): {ms(reference)}")
        print(
            f"  ratio API / reference: {median(page[0]) / median(reference[0]):.2f}x wall, "
            f"{page[1] / max(reference[1], 1e-9):.2f}x worker CPU"
        )
        print(f"GET /api/v1/users?limit=100&offset={args.users - 100}:    {ms(deep)}")
        print(f"GET /api/v1/users?limit=100&q=grace:          {ms(search)}")
        print(f"GET /api/v1/users?limit=100&ordering=-lastName: {ms(by_name)}")
        print(f"GET /api/v1/users/100500:                     {ms(one)}")
        print(f"  per user on a page: {median(page[0]) * 10:.2f} ms; one user alone: {median(one[0]) * 1000:.2f} ms")
        print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    finally:
        if not args.keep:
            admin_psql(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
