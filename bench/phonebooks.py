#!/usr/bin/env python3
"""Phonebooks at scale on PostgreSQL, through the real gunicorn (issue 3's targets):

* `GET /phonebook/big` (CSV, 100,000 entries) against `psql -c "\\copy (SELECT first, last, number ...) TO STDOUT
  CSV"` over the same rows (target: within 3x), and the gunicorn worker's peak memory growth (target: < 50 MB,
  read from /proc/<worker>/status VmHWM before and after);
* `GET /my/search/phonebook?query=...` for a user who sees those entries (target: median < 20 ms);
* `GET /my/pagedphonebook?start=50000&end=50100` (target: median < 50 ms).

Creates (and drops at the end) a database `sipxweb_bench` on DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432), loads 100,000 entries with apps.phonebooks.services.add_entries, starts
gunicorn with one worker and measures with keep-alive http.client connections.

    .venv/bin/python bench/phonebooks.py [--entries 100000] [--runs 5] [--keep]
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.live import LiveServer, basic_header  # noqa: E402

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Dennis", "Frances"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Ritchie", "Allen"]


def psql_env(url: str) -> tuple[list[str], dict]:
    parts = urlsplit(url)
    args = ["psql", "-X", "-q", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres", "-d", parts.path.lstrip("/")]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return args, env


def admin_psql(server: str, sql: str) -> None:
    args, env = psql_env(server + "/postgres")
    subprocess.run([*args, "-c", sql], env=env, check=True, capture_output=True)


def populate(db_url: str, entries: int) -> float:
    """Users, groups and the big phonebook, through the services; returns the import seconds."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sipxweb.settings")
    import django

    django.setup()
    from apps.phonebooks import services
    from apps.phonebooks.models import Phonebook
    from apps.users.models import User, UserGroup

    User.objects.filter(username="superadmin").update(is_admin=True)
    group = UserGroup.objects.create(name="bench")
    reader = User.objects.get(username="200")
    reader.groups.add(group)
    book = Phonebook.objects.create(name="big", description="bench")
    book.members.add(group)
    book.consumers.add(group)
    rng = random.Random(7)

    def rows():
        for i in range(entries):
            first = f"{rng.choice(FIRST)}{i % 97}"
            last = f"{LAST[i % len(LAST)]}{i:06d}"
            yield {"first_name": first, "last_name": last, "number": f"+1555{i:07d}", "email_address": f"u{i}@x.org"}

    started = time.perf_counter()
    services.add_entries(rows(), phonebook=book, batch=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def timed_get(conn, path: str, headers: dict) -> tuple[float, int, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    size = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
    return time.perf_counter() - started, response.status, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    given = urlsplit(os.environ.get("DATABASE_URL", ""))
    server = (
        f"postgres://{given.netloc}" if given.scheme.startswith("postgres") else "postgres://postgres@127.0.0.1:5432"
    )
    db_url = server + "/sipxweb_bench"
    admin_psql(server, "DROP DATABASE IF EXISTS sipxweb_bench")
    admin_psql(server, "CREATE DATABASE sipxweb_bench")
    live = LiveServer(
        secret_key="bench-" + os.urandom(8).hex(),
        users=[("superadmin", "admin1234", []), ("200", "1234", ["alice"])],
        workers=1,
        extra_env={"DATABASE_URL": db_url, "GUNICORN_THREADS": "1", "CONN_MAX_AGE": "60"},
    )
    try:
        with live:
            print(f"loading {args.entries} entries ...", flush=True)
            load_s = populate(db_url, args.entries)
            print(f"import of {args.entries} entries (services.add_entries, with search words): {load_s:.1f} s")
            admin = {"Authorization": basic_header("superadmin", "admin1234")}
            user = {"Authorization": basic_header("alice", "1234"), "Accept": "text/xml"}
            conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=120)
            timed_get(conn, "/sipxconfig/rest/phonebook", admin)  # warm up (imports, connection)
            pid = worker_pid(live.proc.pid)
            rss_before = memory_kb(pid, "VmRSS")
            hwm_before = memory_kb(pid, "VmHWM")

            csv_times = []
            for _ in range(args.runs):
                seconds, status, size = timed_get(conn, "/sipxconfig/rest/phonebook/big", admin)
                assert status == 200, status
                csv_times.append(seconds)
            hwm_after = memory_kb(pid, "VmHWM")

            psql, env = psql_env(db_url)
            query = (
                "\\copy (SELECT e.first_name, e.last_name, e.number FROM phonebooks_phonebookentry e "
                "JOIN phonebooks_phonebook p ON p.id = e.phonebook_id WHERE p.name = 'big' "
                "ORDER BY e.last_name, e.first_name, e.number) TO STDOUT CSV"
            )
            copy_times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                subprocess.run([*psql, "-c", query], env=env, check=True, stdout=subprocess.DEVNULL)
                copy_times.append(time.perf_counter() - started)

            search_times = []
            for i in range(50):
                j = (i * 1999) % args.entries
                term = f"{LAST[j % len(LAST)].lower()}{j:06d}"
                seconds, status, _ = timed_get(conn, f"/sipxconfig/rest/my/search/phonebook?query={term}", user)
                assert status == 200, status
                search_times.append(seconds)
            number_times = []
            for i in range(50):
                seconds, status, _ = timed_get(
                    conn, f"/sipxconfig/rest/my/search/phonebook?query=%2B1555{(i * 1999) % args.entries:07d}", user
                )
                number_times.append(seconds)

            start = args.entries // 2
            paged_times = []
            for _ in range(20):
                seconds, status, _ = timed_get(
                    conn, f"/sipxconfig/rest/my/pagedphonebook?start={start}&end={start + 100}", user
                )
                assert status == 200, status
                paged_times.append(seconds)
            conn.close()

        csv_median, copy_median = statistics.median(csv_times), statistics.median(copy_times)
        print(f"GET /phonebook/big CSV ({size / 1e6:.1f} MB): median {csv_median * 1000:.0f} ms over {args.runs} runs")
        print(f"psql \\copy of the same rows:            median {copy_median * 1000:.0f} ms")
        print(f"ratio: {csv_median / copy_median:.2f}x (target < 3x)")
        print(
            f"worker memory: RSS before {rss_before / 1024:.1f} MB, peak before {hwm_before / 1024:.1f} MB, "
            f"peak after {hwm_after / 1024:.1f} MB -> growth {(hwm_after - max(rss_before, 0)) / 1024:.1f} MB "
            "(target < 50 MB)"
        )
        print(f"search by last-name prefix: median {statistics.median(search_times) * 1000:.1f} ms (target < 20 ms)")
        print(f"search by number prefix:    median {statistics.median(number_times) * 1000:.1f} ms")
        print(
            f"paged start={start} end={start + 100}: median {statistics.median(paged_times) * 1000:.1f} ms "
            "(target < 50 ms)"
        )
    finally:
        if not args.keep:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001 - Django may not be set up when an early step failed
                pass
            admin_psql(server, "DROP DATABASE IF EXISTS sipxweb_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
