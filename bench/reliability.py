#!/usr/bin/env python3
"""Reliability under load on the real stack (issue 9): gunicorn (gunicorn.conf.py, --workers) on a private
PostgreSQL cluster (initdb in a temp dir on a free port; the machine's shared server is never touched), the
demo PBX seeded, --clients client threads mixing reads and writes with Basic credentials as the demo users.

Phases: --seconds of load; then kill -9 of one worker under load (how long until the replacement takes
requests, the longest time without a 200); then PostgreSQL stopped for --outage seconds and started again under
load (503s while it is down, time to the first success after it is back). After each phase every write is
judged against the stored data: acknowledged = stored once, refused = absent, broken connection = at most once.
Prints requests, req/s, p50/p99 latency and 5xx per phase; exits 1 when any correctness check fails.

    .venv/bin/python bench/reliability.py [--seconds 60] [--clients 50] [--workers 2] [--outage 3] [--load-only]

As root the cluster belongs to the `postgres` OS user (initdb refuses root). tests/reliability/test_live.py
runs the same phases with assertions in `make test`'s PostgreSQL pass."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability import harness as h  # noqa: E402


def judge(server, writes, seen) -> bool:
    verdict = h.verify(writes, h.stored(server), seen)
    print(f"  writes: {verdict.summary()}")
    if not verdict.ok:
        print(f"  FAILED: {verdict.details()}")
    return verdict.ok


def seconds(value) -> str:
    return "never" if value is None else f"{value:.2f}"


def five_xx(results, exclude_503=False) -> int:
    return len(results.server_errors(exclude_503=exclude_503))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the load phase")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--outage", type=float, default=3, help="seconds PostgreSQL stays down")
    parser.add_argument("--load-only", action="store_true", help="skip the worker kill and the PostgreSQL restart")
    args = parser.parse_args()

    os.chdir(ROOT)
    bindir = h.postgres_bin()
    if bindir is None:
        print("no PostgreSQL server binaries (initdb, pg_ctl) found", file=sys.stderr)
        return 2
    pg = h.PrivatePostgres(bindir).init()
    server = None
    ok = True
    writes: list = []
    try:
        pg.start()
        started = time.monotonic()
        server = h.start_stack(pg.createdb("sipxweb"), workers=args.workers)
        h.warm_up(server)
        print(
            f"gunicorn: {args.workers} workers on :{server.port}, PostgreSQL {bindir.parent.name} on :{pg.port} "
            f"(ready in {time.monotonic() - started:.0f} s); {args.clients} clients; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )

        results = h.Load(server.port, clients=args.clients, run_id="1").run(args.seconds)
        writes += results.writes
        broken = sum(1 for a in results.answers if not isinstance(a.status, int))
        print(f"load: {results.figures()}; no answer {broken}")
        ok &= five_xx(results) == 0 and broken == 0 and not results.stale_reads
        ok &= judge(server, writes, results.seen_markers)
        if args.load_only:
            return 0 if ok else 1

        before = h.worker_pids(server)
        load = h.Load(server.port, clients=args.clients, run_id="2").start()
        time.sleep(3)
        victim, offset = min(before), h.log_offset(server)
        killed_at = time.monotonic()
        os.kill(victim, 9)
        accepting = answered = None
        while time.monotonic() - killed_at < 60 and accepting is None:
            served = h.pids_serving(server, offset)
            fresh = (h.worker_pids(server) - before) & set(served)
            if fresh:
                answered = time.monotonic() - killed_at
                accepting = answered - max(served[pid] for pid in fresh)
            time.sleep(0.02)
        time.sleep(3)
        results = load.stop()
        writes += results.writes
        ends = [killed_at] + sorted(a.ended for a in results.answers if a.status == 200 and a.ended > killed_at)
        pause = max(b - a for a, b in zip(ends, ends[1:], strict=False)) if len(ends) > 1 else float("inf")
        broken = sum(1 for a in results.answers if not isinstance(a.status, int))
        print(
            f"kill -9 of worker {victim}: replacement took requests after {seconds(accepting)} s "
            f"(first answer {seconds(answered)} s, it includes the per-process PIN "
            f"check); longest time without a 200: {pause:.2f} s; connections broken {broken}"
        )
        print(f"  {results.figures()}")
        ok &= accepting is not None and pause <= 5 and five_xx(results) == 0 and broken <= 1
        ok &= judge(server, writes, results.seen_markers)

        before = h.worker_pids(server)
        load = h.Load(server.port, clients=args.clients, run_id="3").start()
        time.sleep(3)
        pg.stop("fast")
        time.sleep(args.outage)
        pg.start()
        up_at = time.monotonic()
        time.sleep(8)
        results = load.stop()
        writes += results.writes
        firsts = sorted(a.ended for a in results.answers if a.status == 200 and a.started >= up_at)
        recovery = firsts[0] - up_at if firsts else float("inf")
        outage = [a for a in results.answers if a.status == 503]
        slowest = max(a.ended - a.started for a in results.answers)
        broken = sum(1 for a in results.answers if not isinstance(a.status, int))
        print(
            f"PostgreSQL restart ({args.outage:g} s down): {len(outage)} answers 503 "
            f"({sum(not a.json_error for a in outage)} without the JSON body/Retry-After), other 5xx "
            f"{five_xx(results, exclude_503=True)}, no answer {broken}, slowest {slowest:.2f} s; first 200 "
            f"{recovery:.3f} s after PostgreSQL accepted connections; workers replaced: "
            f"{'no' if h.worker_pids(server) == before else 'YES'}"
        )
        print(f"  {results.figures()}")
        ok &= bool(outage) and all(a.json_error for a in outage) and five_xx(results, exclude_503=True) == 0
        ok &= broken == 0 and recovery <= 5 and h.worker_pids(server) == before
        ok &= judge(server, writes, results.seen_markers)
    finally:
        if server is not None:
            server.stop()
        pg.destroy()
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
