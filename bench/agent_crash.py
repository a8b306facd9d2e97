"""kill -9 of the call-control agent mid-call, with figures: how long after the kill a fresh agent (cold
start included) claimed the attempt queued meanwhile, and how long until the dead agent's attempt was closed
as failed (lease 5 s). The run and its checks are tests/reliability/test_agent_crash.py.

    .venv/bin/python bench/agent_crash.py [runs]
"""

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reliability.test_agent_crash import crash_run, requests  # noqa: E402


def main(runs: int) -> None:
    claimed, closed = [], []
    for i in range(runs):
        run = crash_run(Path(tempfile.mkdtemp(prefix="agent-crash-")))
        first, second = run["attempts"][run["first"]], run["attempts"][run["second"]]
        invites = [r for r in requests(run["phone_log"]) if r[0] == "INVITE"]
        claimed.append(run["claimed_after_kill_s"])
        closed.append(run["closed_after_kill_s"])
        print(
            f"run {i + 1}: queued attempt claimed {claimed[-1]:.2f} s after the kill, dead agent's attempt "
            f"closed after {closed[-1]:.2f} s; states {first[1]}/{second[1]}; INVITEs at the phone {len(invites)}"
        )
    if runs > 1:
        print(f"median: claimed {statistics.median(claimed):.2f} s, closed {statistics.median(closed):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
