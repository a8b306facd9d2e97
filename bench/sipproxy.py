#!/usr/bin/env python3
"""What sipxweb costs the bundled Kamailio (pbx/kamailio, docs/sipproxy.md), measured side by side in one run:

* REGISTER/s: SIPp phones (--phones users, each with an alias and a SIP password) register through Kamailio as
  fast as --concurrent registrations in flight allow, for --seconds, once with auth_db/alias_db reading
  sipxweb's views and once with the same Kamailio reading plain indexed copies of them
  (-A CREDENTIALS/ALIASES). Target: views/plain >= 0.8, no failed registration.
* INVITE -> 180 median: --calls calls from 200, once through a Kamailio asking GET /sipproxy/route for each call
  (to bob, 201) and once through one that does not (-A WITHOUT_WEB_ROUTE: the registered phones straight away, as
  when sipxweb does not answer; to carol, 202). Each callee has one SIPp phone, which rings and answers: two
  callees, because registrations are kept in the shared database and a Kamailio on PostgreSQL sees the other's.
  Target: asking adds < 5 ms.

Both comparisons run their two variants in alternating slices (--rounds), so a change in the load of a shared
machine weighs on both alike.

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
# Neither the flood nor the failure limit may stop the load generator. pike keeps its limit in 16 bits and counts
# saturate at 65534, so 65535 is "never" (1,000,000 wrapped to 16,960, and a 30 s run got 127.0.0.1 blocked).
UNLIMITED = {"PIKE_DENSITY": 65535, "AUTH_FAILURES_MAX": 1_000_000}


def make_phones(server: LiveServer, count: int) -> None:
    """`count` users 3000.. with alias p<n> and SIP password, plus 200-202 with theirs; then the plain copies."""
    server.manage(
        "shell",
        "-c",
        "from apps.users.models import User\n"
        "from apps.users.services import create_user\n"
        f"for n in range(3000, 3000 + {count}):\n"
        "    create_user(str(n), aliases=[f'p{n}'], sip_password=f'sip{n}')\n"
        "User.objects.filter(username='200').update(sip_password='alicesip200')\n"
        "User.objects.filter(username='201').update(sip_password='bobsip201')\n"
        "User.objects.filter(username='202').update(sip_password='carolsip202')\n",
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
    """(successful registrations, failed ones, seconds SIPp ran)."""
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
    return ok, failed, _seconds(row["ElapsedTime(C)"])


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
        raise SystemExit(f"{user} could not register: {proc.stdout.decode(errors='replace')[-1500:]}")


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


class Callee:
    """A callee's one phone at one Kamailio: registered once on a fixed port, answering the calls of each round."""

    def __init__(self, tmp: Path, kamailio: Kamailio, user: str, password: str, dialled: str):
        self.kamailio, self.user, self.dialled, self.port = kamailio, user, dialled, free_udp_port()
        register_phone(tmp, kamailio, user, password, self.port)


def invites(tmp: Path, phone: Callee, label: str, calls: int) -> tuple[list[float], int]:
    """(INVITE -> 180 milliseconds of each call, failed calls) over `calls` calls from 200 to the callee."""
    kamailio = phone.kamailio
    callee = sipp(
        tmp, f"callee-{label}", str(ROOT / "tests/sip/scenarios/kamailio_answer.xml"), phone.port, kamailio.port,
        "-s", phone.user, "-m", str(calls), "-timeout", f"{calls + 60}s",
    )  # fmt: skip
    time.sleep(0.5)
    name = f"caller-{label}"
    caller = sipp(
        tmp, name, "sipproxy_invite.xml", free_udp_port(), kamailio.port,
        "-s", phone.dialled, "-au", "200", "-ap", "alicesip200", "-key", "caller", "200", "-d", "0",
        "-r", "10", "-l", "5", "-m", str(calls), "-timeout", f"{calls + 60}s",
        "-trace_msg", "-message_file", str(tmp / f"{name}.msg"), "-trace_stat", "-stf", str(tmp / f"{name}.csv"),
    )  # fmt: skip
    finish(caller, calls + 90)
    finish(callee, 20)
    row = last_stats(tmp / f"{name}.csv")
    samples = ringing_times(tmp / f"{name}.msg")
    if not samples:
        raise SystemExit(f"no INVITE -> 180 time measured: see {tmp / (name + '.out')}")
    return samples, int(row["FailedCall(C)"])


def compare_registers(server: LiveServer, tmp: Path, args, kamailios: list[Kamailio]) -> bool:
    """REGISTER/s on the views and on the plain tables, in alternating slices of --seconds / --rounds each."""
    views = Kamailio(server, tmp, **UNLIMITED)
    plain = Kamailio(server, tmp, **UNLIMITED, **PLAIN)
    kamailios += [views, plain]
    # A short warm-up of each (page cache, connections), then the measured slices.
    for k, label in ((views, "warm-views"), (plain, "warm-plain")):
        registers(tmp, k, label, args.phones, min(3.0, args.seconds), args.concurrent)
    totals = {"views": [0.0, 0, 0], "plain": [0.0, 0, 0]}  # seconds, registered, failed
    order = [("views", views), ("plain", plain)]
    for round_ in range(args.rounds):
        # Each variant goes first every other round, so a drift in the machine's load hits both alike.
        for label, kamailio in order if round_ % 2 == 0 else order[::-1]:
            ok, failed, seconds = registers(
                tmp, kamailio, f"{label}-{round_}", args.phones, args.seconds / args.rounds, args.concurrent
            )
            totals[label][0] += seconds
            totals[label][1] += ok
            totals[label][2] += failed
    rates = {label: ok / seconds if seconds else 0.0 for label, (seconds, ok, _) in totals.items()}
    ratio = rates["views"] / rates["plain"] if rates["plain"] else 0.0
    for label, what in (("views", "sipxweb's views"), ("plain", "plain tables   ")):
        seconds, ok, failed = totals[label]
        print(f"REGISTER/s, {what} : {rates[label]:8.1f}  ({ok} registered, {failed} failed, {seconds:.1f} s)")
    print(f"views / plain               : {ratio:8.2f}  (target >= {TARGET_RATIO})")
    for k in (views, plain):
        k.stop()
        kamailios.remove(k)
    # The load's registrations are kept in the database: gone phones, which the next Kamailio would load (and at
    # 8,000 rows a Kamailio on SQLite fails to: "preload_udomain(): db_query failed", out of private memory).
    server.manage(
        "shell", "-c", "from django.db import connection\nconnection.cursor().execute('DELETE FROM location')"
    )
    return ratio >= TARGET_RATIO and totals["views"][2] == 0 and totals["plain"][2] == 0


def compare_invites(server: LiveServer, tmp: Path, args, kamailios: list[Kamailio]) -> bool:
    """INVITE -> 180 with and without the route lookup: two Kamailios side by side, --calls each, in
    alternating slices of --calls / --rounds."""
    asking = Kamailio(server, tmp, **UNLIMITED)
    direct = Kamailio(server, tmp, WITHOUT_WEB_ROUTE=1, **UNLIMITED)
    kamailios += [asking, direct]
    phones = {
        "route": Callee(tmp, asking, "201", "bobsip201", "bob"),
        "direct": Callee(tmp, direct, "202", "carolsip202", "carol"),
    }
    samples: dict[str, list[float]] = {"route": [], "direct": []}
    failed = {"route": 0, "direct": 0}
    per_round = max(1, args.calls // args.rounds)
    order = ["route", "direct"]
    for round_ in range(args.rounds):
        for label in order if round_ % 2 == 0 else order[::-1]:
            times, failures = invites(tmp, phones[label], f"{label}-{round_}", per_round)
            samples[label] += times
            failed[label] += failures
    medians = {label: statistics.median(times) for label, times in samples.items()}
    for label, what in (("route", "asking sipxweb "), ("direct", "registered only")):
        p90 = statistics.quantiles(samples[label], n=10)[-1]
        print(f"INVITE->180, {what}: median {medians[label]:6.2f} ms, p90 {p90:6.2f} ms "
              f"({len(samples[label])} calls, {failed[label]} failed)")  # fmt: skip
    added = medians["route"] - medians["direct"]
    print(f"routing lookup adds         : {added:6.2f} ms (target < {TARGET_ADDED_MS:g} ms)")
    for k in (asking, direct):
        k.stop()
        kamailios.remove(k)
    return added < TARGET_ADDED_MS and failed["route"] == 0 and failed["direct"] == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="REGISTER load per variant (default 30)")
    parser.add_argument("--phones", type=int, default=1000, help="users registering (default 1000)")
    parser.add_argument("--concurrent", type=int, default=20, help="registrations in flight (default 20)")
    parser.add_argument("--calls", type=int, default=200, help="calls per INVITE variant (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating slices per comparison (default 3)")
    parser.add_argument("--database-url", help="postgres://... to drop, create and use instead of SQLite")
    parser.add_argument("--only", choices=("register", "invite"), help="run one of the two comparisons")
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
    users = [("200", "1234", ["alice"]), ("201", "1234", ["bob"]), ("202", "1234", ["carol"])]
    server = LiveServer(SECRET_KEY, users=users, workers=2,
                        extra_env=extra)  # fmt: skip
    kamailios: list[Kamailio] = []
    try:
        server.start()
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; {args.phones} phones; "
              f"{os.cpu_count()} CPUs; Kamailio 2 UDP workers each; {args.rounds} alternating rounds")  # fmt: skip
        make_phones(server, args.phones)
        good = True
        if args.only in (None, "register"):
            good = compare_registers(server, tmp, args, kamailios) and good
        if args.only in (None, "invite"):
            good = compare_invites(server, tmp, args, kamailios) and good
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
