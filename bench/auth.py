#!/usr/bin/env python3
"""Cost of authentication on the real stack: requests/s of GET /sipxconfig/rest/my/logindetails with Basic
and with Digest, against the unauthenticated trivial view /healthz.

Starts gunicorn (gunicorn.conf.py, WEB_CONCURRENCY=2) on a throw-away SQLite database with one user
(200 / alias alice / PIN 1234), warms up, then runs each case for --seconds with --threads client threads,
each on its own keep-alive connection (http.client). Digest reuses one server nonce per thread with an
incrementing nc, as a real client does. Prints the three figures and authenticated/unauthenticated.

    .venv/bin/python bench/auth.py [--seconds 10] [--threads 4] [--workers 2] [--redis redis://127.0.0.1:6379/15]
"""

import argparse
import http.client
import itertools
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.live import LiveServer, basic_header, digest_header, parse_challenge  # noqa: E402

LOGIN = "/sipxconfig/rest/my/logindetails"
TARGET_RATIO = 0.6
PRECOMPUTED_DIGESTS = 20_000


def digest_nonce(port: int) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", LOGIN)
    response = conn.getresponse()
    response.read()
    conn.close()
    challenge = next(v for k, v in response.getheaders() if k.lower() == "www-authenticate" and v.startswith("Digest"))
    params = parse_challenge(challenge)
    return params["realm"], params["nonce"]


def make_headers(kind: str, port: int):
    """A callable giving the headers of the next request of one client thread."""
    if kind == "basic":
        fixed = {"Authorization": basic_header("alice", "1234")}
        return lambda: fixed
    if kind == "digest":
        realm, nonce = digest_nonce(port)
        counter = itertools.count(1)
        cnonce = os.urandom(8).hex()

        def one() -> dict:
            return {"Authorization": digest_header("200", "1234", realm, nonce, "GET", LOGIN, next(counter), cnonce)}

        # The server is measured, not the client: each thread's responses (one per nc) are computed before the
        # clock starts, so the client's MD5s do not take CPU from the workers on this 2-core machine.
        ready = [one() for _ in range(PRECOMPUTED_DIGESTS)]
        ready.reverse()
        return lambda: ready.pop() if ready else one()
    return lambda: {}


def load(port: int, path: str, kind: str, seconds: float, threads: int) -> tuple[float, int]:
    """Runs `threads` keep-alive clients for `seconds`; returns (requests/s, number of non-200 answers)."""
    counts = [0] * threads
    errors = [0] * threads
    window = {}  # the clock starts when every client is ready (headers made, connection open)

    def start_clock():
        window["started"] = time.monotonic()
        window["stop"] = window["started"] + seconds

    barrier = threading.Barrier(threads + 1, action=start_clock)

    def client(i: int) -> None:
        headers = make_headers(kind, port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        stop = window["stop"]
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers())
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors[i] += 1
            counts[i] += 1
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - window["started"]
    return sum(counts) / elapsed, sum(errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per case, in slices of about 2 s")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis", metavar="URL", help="keep the lockout counters in this Redis (REDIS_URL), as several hosts would"
    )
    args = parser.parse_args()

    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sipxweb.settings")
    server = LiveServer(
        secret_key="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
        users=[("200", "1234", ["alice"])],
        workers=args.workers,
        extra_env={"LOG_LEVEL": "WARNING", **({"REDIS_URL": args.redis} if args.redis else {})},
    )
    with server:
        print(
            f"gunicorn: {args.workers} workers on :{server.port}; {args.threads} keep-alive client threads, "
            f"{args.seconds:g} s per case; lockout counters in {args.redis or 'the database cache'}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        cases = [
            ("unauthenticated /healthz", "/healthz", "none"),
            # A DRF view without authentication that reads one row: separates "DRF + one query" from auth.
            ("unauthenticated avatar", "/sipxconfig/rest/avatar/200", "anonymous-rest"),
            ("Basic  logindetails", LOGIN, "basic"),
            ("Digest logindetails", LOGIN, "digest"),
        ]
        for _, path, kind in cases:  # warm-up: imports, PIN memo, SQLite pages, nonce path
            load(server.port, path, kind, 2, args.threads)
        # The cases take turns in short slices, and each figure is the median of its slices: a burst of load
        # from elsewhere on the machine then shifts every case alike instead of spoiling one of them.
        rounds = max(1, int(args.seconds // 2))
        slices: dict[str, list[float]] = {kind: [] for _, _, kind in cases}
        bad_answers = dict.fromkeys(slices, 0)
        for _ in range(rounds):
            for _, path, kind in cases:
                rate, bad = load(server.port, path, kind, args.seconds / rounds, args.threads)
                slices[kind].append(rate)
                bad_answers[kind] += bad
        figures = {}
        for label, _, kind in cases:
            figures[kind] = statistics.median(slices[kind])
            spread = f"{min(slices[kind]):.0f}-{max(slices[kind]):.0f}"
            warn = f"   ({bad_answers[kind]} answers were not 200!)" if bad_answers[kind] else ""
            print(f"{label:26s} {figures[kind]:8.0f} req/s  (median of {rounds} slices, {spread}){warn}")
    base = figures["none"]
    ok = True
    for kind in ("basic", "digest"):
        ratio = figures[kind] / base if base else 0.0
        ok &= ratio >= TARGET_RATIO
        print(f"ratio {kind}/unauthenticated: {ratio:.2f} (target >= {TARGET_RATIO})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
