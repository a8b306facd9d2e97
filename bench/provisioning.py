#!/usr/bin/env python3
"""Phone provisioning on the real stack: how long a Yealink phone waits for its files.

Starts gunicorn (gunicorn.conf.py) on a throw-away SQLite database with one user, 200 (alias alice), who sees a
shared phonebook of --entries entries (2,000: a company directory) on her phones, and a Yealink T46 with her on
line 1; the provisioning credential is provisioning / prov1234. Then, one client on a keep-alive connection as a
phone polls (Basic credential):

* the phonebook file `<mac>-phonebook.xml` (every entry) and the configuration file `<mac>.cfg`, each built anew
  on every GET (a GET without If-None-Match always builds);
* the same files with `If-None-Match: <their ETag>`: the 304 answered without building.

Prints the median and 95th percentile of each, against the targets (the phonebook file < 50 ms, a 304 < 3 ms,
medians). Exits non-zero when a median misses its target.

    .venv/bin/python bench/provisioning.py [--entries 2000] [--requests 200] [--workers 1]
"""

import argparse
import base64
import http.client
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.live import LiveServer  # noqa: E402

MAC = "001565b0b0b0"
CREDENTIAL = "Basic " + base64.b64encode(b"provisioning:prov1234").decode()
TARGETS_MS = {"file": 50.0, "304": 3.0}

SETUP = """
from apps.phonebooks import services as books
from apps.phonebooks.models import Phonebook
from apps.phones.services import PhoneData, create_phone
from apps.provisioning.services import set_credential
from apps.users.models import User, UserGroup

set_credential("provisioning", "prov1234")
alice = User.objects.get(username="200")
alice.sip_password = "alicesip200"
alice.save()
staff = UserGroup.objects.create(name="staff")
alice.groups.add(staff)
book = books.save_phonebook(Phonebook(name="Company"), members=[], consumers=[staff])
books.add_entries(
    (
        {{
            "first_name": f"First{{n:05d}}",
            # Every 50th name has characters the XML must escape, as a company directory's few "Smith & Sons" do.
            "last_name": f"Smith & Sons <{{n}}>" if n % 50 == 0 else f"Müller{{n:05d}}",
            "number": f"+1555{{n:07d}}",
        }}
        for n in range({entries})
    ),
    phonebook=book,
)
create_phone(PhoneData("{mac}", "yealinkPhoneT46", lines=["alice"]))
"""


def timed(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[float, int, dict, bytes]:
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response.status, dict(response.getheaders()), body


def measure(port: int, path: str, requests: int, conditional: bool) -> tuple[list[float], int]:
    """`requests` GETs of `path` on one keep-alive connection (after 20 to warm up); (milliseconds, body size)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": "Yealink SIP-T46S 66.86.0.15"}
    if path.startswith("/provision/"):
        headers["Authorization"] = CREDENTIAL
    _, status, answer, body = timed(conn, path, headers)
    assert status == 200, (status, body[:200])
    if conditional:
        headers["If-None-Match"] = answer["ETag"]
    expected = 304 if conditional else 200
    times = []
    for n in range(requests + 20):
        elapsed, status, _, _ = timed(conn, path, headers)
        assert status == expected, (path, status)
        if n >= 20:
            times.append(elapsed)
    conn.close()
    return times, len(body)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    os.chdir(ROOT)
    server = LiveServer(
        secret_key="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
        users=[("200", "1234", ["alice"])],
        workers=args.workers,
        extra_env={"LOG_LEVEL": "WARNING", "PROVISIONING_URL": "http://pbx.example.org/provision/"},
    )
    with server:
        server.manage("shell", "-c", SETUP.format(entries=args.entries, mac=MAC))
        cases = [
            (f"phonebook file ({args.entries} entries)", f"/provision/{MAC}-phonebook.xml", False, "file"),
            ("configuration file", f"/provision/{MAC}.cfg", False, "file"),
            ("phonebook file, If-None-Match -> 304", f"/provision/{MAC}-phonebook.xml", True, "304"),
            ("configuration file, If-None-Match -> 304", f"/provision/{MAC}.cfg", True, "304"),
            ("for comparison: /healthz (no database, no credential)", "/healthz", False, None),
        ]
        failed = False
        print(f"gunicorn, {args.workers} worker(s), SQLite; {args.requests} sequential requests per case (keep-alive)")
        for label, path, conditional, target in cases:
            times, size = measure(server.port, path, args.requests, conditional)
            median = statistics.median(times)
            verdict = ""
            if target is not None:
                ok = median < TARGETS_MS[target]
                failed |= not ok
                verdict = f"; target < {TARGETS_MS[target]:g} ms: {'met' if ok else 'MISSED'}"
            print(f"  {label:42s} median {median:7.2f} ms   p95 {p95(times):7.2f} ms   ({size:,} bytes{verdict})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
