"""bin/run (what `make run` execs): gunicorn and the call-control agent start together, an agent killed
with SIGKILL is started again within a second with one log line, and one SIGTERM to bin/run stops both
(the agent hangs up and exits 0, gunicorn shuts down)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.server.live import ROOT, LiveServer, free_port

pytestmark = pytest.mark.server


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive: it only waits to be reaped
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def is_agent(pid: int) -> bool:
    try:
        return b"run_callcontrol" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # a short-lived child (bin/run's pause) that ended meanwhile
        return False


def test_bin_run_starts_both_restarts_a_killed_agent_and_sigterm_stops_both(tmp_path):
    server = LiveServer(secret_key="bin-run-test-secret-key-0123456789-abcdefghijklmnop")
    server.env.update({"CALLCONTROL_SIP_PORT": str(free_port()), "SIPX_PROXY": f"127.0.0.1:{free_port()}"})
    server.manage("migrate", "--noinput", "-v", "0")
    server.manage("createcachetable")
    log = open(tmp_path / "run.log", "wb")
    env = {**server.env, "PY": sys.executable}
    proc = subprocess.Popen(["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            text = (tmp_path / "run.log").read_text(errors="replace")
            up = "call-control agent: SIP on" in text
            try:
                up = up and server.request("GET", "/healthz", timeout=2)[0] == 200
            except OSError:
                up = False
            if up:
                break
            assert proc.poll() is None and time.monotonic() < deadline, text[-3000:]
            time.sleep(0.2)
        assert len(children_of(proc.pid)) == 2
        [agent] = [pid for pid in children_of(proc.pid) if is_agent(pid)]
        killed = time.monotonic()
        os.kill(agent, signal.SIGKILL)
        # bin/run notices at once and starts a new agent after 0.5 s; the agent itself then needs Django's
        # start-up (about a second on an idle machine, much more on a loaded CI box: hence the wide bound).
        while not any(is_agent(pid) for pid in children_of(proc.pid)):
            assert time.monotonic() - killed < 3, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
            time.sleep(0.05)
        while (tmp_path / "run.log").read_text(errors="replace").count("call-control agent: SIP on") < 2:
            assert time.monotonic() - killed < 60, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        text = (tmp_path / "run.log").read_text(errors="replace")
        assert text.count("bin/run: the call-control agent exited with status 137; restarting it in 0.500 s") == 1
        children = children_of(proc.pid)
        assert len(children) == 2 and agent not in children and any(is_agent(pid) for pid in children)
        proc.send_signal(signal.SIGTERM)  # to bin/run only, not to its process group
        assert proc.wait(40) == 0
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in children)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
