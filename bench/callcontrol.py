#!/usr/bin/env python3
"""Click-to-call latency: from `PUT /sipxconfig/rest/my/call/{to}` to the INVITE arriving at a SIPp phone.

Starts the real stack (gunicorn + `manage.py run_callcontrol`, throw-away SQLite database) with SIPX_PROXY
pointing at a SIPp phone (tests/sip/scenarios/busy_phone.xml: answers 486, so each attempt ends at once),
sends N PUTs one after the other (each to a new number, so no attempt replaces another; the next PUT only
after the previous attempt ended) and reads the arrival time of each INVITE from SIPp's own message log
(wall clock, microseconds, read after SIPp exits). One warm-up call first (the PIN check is memoised
after the first request, see apps/users/credentials.py). Prints median and p95, and the HTTP part alone
(PUT sent -> 200 received).

    .venv/bin/python bench/callcontrol.py [--calls 50] [--poll-ms 20]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sip.conftest import SIPP, CallPbx, Sipp  # noqa: E402

ENTRY = re.compile(
    r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n(UDP|TCP) message received[^\n]*\n\n(.*?)(?=^-{20,} |\Z)",
    re.M | re.S,
)
CALL_ID = re.compile(r"^(?:Call-ID|i):\s*(\S+)", re.M | re.I)


def invite_times(log: str) -> list[float]:
    """Wall-clock arrival time of each new INVITE (first copy per Call-ID), in arrival order."""
    seen: dict[str, float] = {}
    for stamp, _, message in ENTRY.findall(log):
        m = CALL_ID.search(message)
        if message.startswith("INVITE ") and m:
            seen.setdefault(m.group(1), datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp())
    return list(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--poll-ms", type=int, default=20, help="the agent's CALLCONTROL_POLL_MS")
    args = parser.parse_args()
    if not Path(SIPP).exists():
        sys.exit("SIPp is not installed: apt-get install sip-tester")
    tmp = Path(tempfile.mkdtemp(prefix="bench-callcontrol-"))
    pbx = CallPbx(tmp)
    pbx.server.env["CALLCONTROL_POLL_MS"] = str(args.poll_ms)
    pbx.start()
    phone = Sipp(tmp, "busy_phone.xml", pbx.phone_port, "-m", str(args.calls + 1), name="phone", timeout=600)
    time.sleep(0.5)
    sent: list[float] = []
    http: list[float] = []
    try:
        for i in range(args.calls + 1):
            t0 = time.time()
            status, _, _ = pbx.server.request("PUT", f"/sipxconfig/rest/my/call/{5000 + i}", basic=("bob", "1234"))
            http.append((time.time() - t0) * 1000)
            assert status == 200, status
            sent.append(t0)
            # SIPp writes its log lazily: wait for the attempt's end (the phone's 486) in the status lines
            deadline = time.monotonic() + 10
            path = f"/callcontroller/201/{5000 + i}"
            while b"486 Busy Here" not in pbx.server.request("GET", path, basic=("bob", "1234"))[2]:
                if time.monotonic() > deadline:
                    raise SystemExit(f"no answer for call {i}: {pbx.agent_output()[-2000:]}")
                time.sleep(0.02)
        phone.wait(30)  # SIPp exits after its -m calls and flushes its message log
        arrived = invite_times(phone.message_log())
    finally:
        phone.stop()
        pbx.stop()
    sent, arrived, http = sent[1:], arrived[1:], http[1:]  # drop the warm-up call
    ms = sorted((a - t0) * 1000 for a, t0 in zip(arrived, sent, strict=True))
    http.sort()
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    print(f"click-to-call, PUT /my/call/{{to}} -> INVITE at the SIPp phone, {len(ms)} calls, poll {args.poll_ms} ms:")
    print(f"  median {statistics.median(ms):.1f} ms   p95 {p95:.1f} ms   min {ms[0]:.1f} ms   max {ms[-1]:.1f} ms")
    hp95 = http[max(0, int(round(0.95 * len(http))) - 1)]
    print(f"  of which the HTTP PUT itself: median {statistics.median(http):.1f} ms   p95 {hp95:.1f} ms")


if __name__ == "__main__":
    main()
