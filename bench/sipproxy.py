#!/usr/bin/env python3
"""What sipxweb costs the bundled Kamailio (pbx/kamailio, docs/sipproxy.md), measured side by side in one run:

* REGISTER/s: SIPp phones (--phones users, each with an alias and a SIP password) register through Kamailio as
  fast as --concurrent registrations in flight allow, for --seconds, once with auth_db/alias_db reading
  sipxweb's views and once with the same Kamailio reading plain indexed copies of them
  (-A CREDENTIALS/ALIASES). Target: views/plain >= 0.8, no failed registration.
* INVITE -> 180 median: --calls calls from 200 to 201 (a SIPp phone registered for 201 rings and answers),
  once with Kamailio asking GET /sipproxy/route for each call and once without (-A WITHOUT_WEB_ROUTE: the
  registered phones straight away, as when sipxweb does not answer). Target: asking adds < 5 ms.

gunicorn (2 workers) and both Kamailios share one throw-away database (SQLite, or --database-url postgres://...
which must name a database that may be dropped and created). Needs kamailio and /usr/bin/sipp.

    .venv/bin/python bench/sipproxy.py [--seconds 30] [--phones 1000] [--concurrent 20] [--calls 200]
"""

import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.live import LiveServer  # noqa: E402
from tests.sip.conftest import SECRET_KEY, SIPP, Kamailio, free_udp_port  # noqa: E402

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
TARGET_RATIO = 0.8
TARGET_ADDED_MS = 5.0
PLAIN = {"CREDENTIALS": '"bench_credentials"', "ALIASES": '"bench_aliases"'}
# Neither the flood nor the failure limit may stop the load generator.
UNLIMITED = {"PIKE_DENSITY": 1_000_000, "AUTH_FAILURES_MAX": 1_000_000}


def make_phones(server: LiveServer, count: int) -> None:
    """`count` users 3000.. with alias p<n> and SIP password, plus 200/201 with theirs; then the plain copies."""
    server.manage(
        "shell",
        "-c",
        "from apps.users.models import User\n"
        "from apps.users.services import create_user\n"
        f"for n in range(3000, 3000 + {count}):\n"
        "    create_user(str(n), aliases=[f'p{n}'], sip_password=f'sip{n}')\n"
        "User.objects.filter(username='200').update(sip_password='alicesip200')\n"
        "User.objects.filter(username='201').update(sip_password='bobsip201')\n",
    )
    # What a hand-kept Kamailio would read: tables with an index on the name looked up.
    server.manage(
        "shell",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE bench_credentials AS SELECT * FROM sipproxy_credentials')\n"
        "    c.execute('CREATE INDEX bench_credentials_username ON bench_credentials (username)')\n"
        "    c.execute('CREATE TABLE bench_aliases AS SELECT * FROM sipproxy_aliases')\n"
        "    c.execute('CREATE INDEX bench_aliases_alias ON bench_aliases (alias_username)')\n",
    )


def sipp(tmp: Path, name: str, scenario: str, port: int, target: int, *args: str) -> subprocess.Popen:
    # In the foreground, waited for (and if need be killed) by pid.
    cmd = [SIPP, "-i", "127.0.0.1", "-p", str(port), "-sf", str(SCENARIOS / scenario), "-nostdin"]
    cmd += ["-trace_err", "-error_file", str(tmp / f"{name}.err"), *args, f"127.0.0.1:{target}"]
    return subprocess.Popen(cmd, stdout=open(tmp / f"{name}.out", "wb"), stderr=subprocess.STDOUT, cwd=tmp)


def finish(proc: subprocess.Popen, timeout: float) -> int:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        return -9


def last_stats(path: Path) -> dict[str, str]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    return rows[-1]


def registers(tmp: Path, kamailio: Kamailio, label: str, phones: int, seconds: float, concurrent: int):
    """(REGISTER/s over the run, failed registrations, successful ones)."""
    inject = tmp / "phones.csv"
    if not inject.exists():
        lines = ["SEQUENTIAL"] + [
            f"p{n};sip{n};[authentication username=p{n} password=sip{n}]" for n in range(3000, 3000 + phones)
        ]
        inject.write_text("\n".join(lines) + "\n")
    stats = tmp / f"register-{label}.csv"
    proc = sipp(
        tmp, f"register-{label}", "sipproxy_register.xml", free_udp_port(), kamailio.port,
        "-inf", str(inject), "-r", "100000", "-l", str(concurrent), "-timeout", f"{seconds}s",
        "-trace_stat", "-stf", str(stats), "-fd", "1", "-recv_timeout", "5000",
    )  # fmt: skip
    finish(proc, seconds + 30)
    row = last_stats(stats)
    ok, failed = int(row["SuccessfulCall(C)"]), int(row["FailedCall(C)"])
    elapsed = _seconds(row["ElapsedTime(C)"])
    return ok / elapsed, failed, ok


def _seconds(text: str) -> float:
    # SIPp writes elapsed time as HH:MM:SS:mmm000 (its own format).
    parts = text.split(":")
    h, m, s = int(parts[0]), int(parts[1]), int(parts[2])
    ms = int(parts[3][:3]) if len(parts) > 3 else 0
    return h * 3600 + m * 60 + s + ms / 1000


def register_phone(tmp: Path, kamailio: Kamailio, user: str, password: str, port: int) -> None:
    proc = subprocess.run(
        [SIPP, "-i", "127.0.0.1", "-p", str(port), "-sf", str(ROOT / "tests/sip/scenarios/kamailio_register.xml"),
         "-nostdin", "-m", "1", "-timeout", "10s", "-timeout_error", "-s", user, "-au", user, "-ap", password,
         f"127.0.0.1:{kamailio.port}"],
        cwd=tmp, capture_output=True, timeout=30,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"201 could not register: {proc.stdout.decode(errors='replace')[-1500:]}")


def ringing_times(messages: Path) -> list[float]:
    """Milliseconds from each call's authenticated INVITE (CSeq 2) to its 180, from SIPp's message trace
    (microsecond timestamps; SIPp's own response times count whole milliseconds)."""
    sent: dict[str, float] = {}
    times = []
    for block in messages.read_text(errors="replace").split("----------------------------------------------- ")[1:]:
        head, _, text = block.partition("\n")
        stamp = datetime.fromisoformat(head.strip()).timestamp()
        call_id = re.search(r"^Call-ID:\s*(\S+)", text, re.M | re.I)
        if not call_id:
            continue
        if "message sent" in text[:80] and re.search(r"^CSeq:\s*2 INVITE", text, re.M):
            sent.setdefault(call_id.group(1), stamp)  # a retransmission does not restart the clock
        elif "message received" in text[:80] and "SIP/2.0 180" in text and call_id.group(1) in sent:
            times.append((stamp - sent.pop(call_id.group(1))) * 1000)
    return times


def invites(tmp: Path, kamailio: Kamailio, label: str, calls: int):
    """(median ms, 90th percentile ms, failed calls) of INVITE -> 180 over `calls` calls from 200 to 201."""
    bob_port = free_udp_port()
    register_phone(tmp, kamailio, "201", "bobsip201", bob_port)
    callee = sipp(
        tmp, f"callee-{label}", str(ROOT / "tests/sip/scenarios/kamailio_answer.xml"), bob_port, kamailio.port,
        "-s", "201", "-m", str(calls), "-timeout", f"{calls + 60}s",
    )  # fmt: skip
    time.sleep(0.5)
    name = f"caller-{label}"
    caller = sipp(
        tmp, name, "sipproxy_invite.xml", free_udp_port(), kamailio.port,
        "-s", "bob", "-au", "200", "-ap", "alicesip200", "-key", "caller", "200", "-d", "0",
        "-r", "10", "-l", "5", "-m", str(calls), "-timeout", f"{calls + 60}s",
        "-trace_msg", "-message_file", str(tmp / f"{name}.msg"), "-trace_stat", "-stf", str(tmp / f"{name}.csv"),
    )  # fmt: skip
    finish(caller, calls + 90)
    finish(callee, 20)
    row = last_stats(tmp / f"{name}.csv")
    samples = ringing_times(tmp / f"{name}.msg")
    if not samples:
        raise SystemExit(f"no INVITE -> 180 time measured: see {tmp / (name + '.out')}")
    deciles = statistics.quantiles(samples, n=10)
    return statistics.median(samples), deciles[-1], int(row["FailedCall(C)"]), len(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="REGISTER load per variant (default 30)")
    parser.add_argument("--phones", type=int, default=1000, help="users registering (default 1000)")
    parser.add_argument("--concurrent", type=int, default=20, help="registrations in flight (default 20)")
    parser.add_argument("--calls", type=int, default=200, help="calls per INVITE variant (default 200)")
    parser.add_argument("--database-url", help="postgres://... to drop, create and use instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (SIPp and Kamailio logs)")
    args = parser.parse_args()
    if not shutil.which("kamailio") or not Path(SIPP).exists():
        print("needs kamailio and SIPp (apt-get install kamailio kamailio-sqlite-modules ... sip-tester)")
        return 2
    extra = {}
    if args.database_url:
        _recreate(args.database_url)
        extra["DATABASE_URL"] = args.database_url
    tmp = Path(tempfile.mkdtemp(prefix="bench-sipproxy-"))
    server = LiveServer(SECRET_KEY, users=[("200", "1234", ["alice"]), ("201", "1234", ["bob"])], workers=2,
                        extra_env=extra)  # fmt: skip
    kamailios: list[Kamailio] = []
    try:
        server.start()
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; {args.phones} phones; "
              f"{os.cpu_count()} CPUs; Kamailio 2 UDP workers each")  # fmt: skip
        make_phones(server, args.phones)
        views = Kamailio(server, tmp, **UNLIMITED)
        plain = Kamailio(server, tmp, **UNLIMITED, **PLAIN)
        kamailios += [views, plain]
        # A short warm-up of each (page cache, connections), then the measured runs, views first.
        for k, label in ((views, "warm-views"), (plain, "warm-plain")):
            registers(tmp, k, label, args.phones, min(3.0, args.seconds), args.concurrent)
        v_rate, v_failed, v_ok = registers(tmp, views, "views", args.phones, args.seconds, args.concurrent)
        p_rate, p_failed, p_ok = registers(tmp, plain, "plain", args.phones, args.seconds, args.concurrent)
        ratio = v_rate / p_rate if p_rate else 0.0
        print(
            f"REGISTER/s, sipxweb's views : {v_rate:8.1f}  ({v_ok} registered, {v_failed} failed, {args.seconds:g} s)"
        )
        print(
            f"REGISTER/s, plain tables    : {p_rate:8.1f}  ({p_ok} registered, {p_failed} failed, {args.seconds:g} s)"
        )
        print(f"views / plain               : {ratio:8.2f}  (target >= {TARGET_RATIO})")
        for k in kamailios:
            k.stop()
        kamailios.clear()
        asking = Kamailio(server, tmp, **UNLIMITED)
        kamailios.append(asking)
        a_med, a_p90, a_failed, a_n = invites(tmp, asking, "route", args.calls)
        asking.stop()
        kamailios.clear()
        direct = Kamailio(server, tmp, WITHOUT_WEB_ROUTE=1, **UNLIMITED)
        kamailios.append(direct)
        d_med, d_p90, d_failed, d_n = invites(tmp, direct, "direct", args.calls)
        added = a_med - d_med
        for what, med, p90, n, failed in (
            ("asking sipxweb ", a_med, a_p90, a_n, a_failed),
            ("registered only", d_med, d_p90, d_n, d_failed),
        ):
            print(f"INVITE->180, {what}: median {med:6.2f} ms, p90 {p90:6.2f} ms ({n} calls, {failed} failed)")
        print(f"routing lookup adds         : {added:6.2f} ms (target < {TARGET_ADDED_MS:g} ms)")
        good = ratio >= TARGET_RATIO and v_failed == 0 and p_failed == 0 and added < TARGET_ADDED_MS
        good = good and a_failed == 0 and d_failed == 0
        print("targets met" if good else "TARGETS MISSED")
        return 0 if good else 1
    finally:
        for k in kamailios:
            k.stop()
        server.stop()
        if args.keep:
            print(f"logs in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(server.tmp, ignore_errors=True)


def _recreate(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
