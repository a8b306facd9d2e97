"""bin/run (what `make run` execs): gunicorn, the call-control agent and — when it is installed and can start —
Kamailio start together; an agent killed with SIGKILL is started again within a second with one log line (Kamailio
and gunicorn untouched), and one SIGTERM to bin/run stops every child (the agent hangs up and exits 0, gunicorn
shuts down, Kamailio and its own worker processes end). Run twice: with Kamailio listening on a port of its own,
and with Kamailio unable to start (its port held by this test, or not installed), where one line says so and
the other two serve."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.server.live import ROOT, LiveServer, free_port
from tests.sip.conftest import free_udp_port

pytestmark = pytest.mark.server

KAMAILIO = shutil.which("kamailio")
try:  # the media server starts where PJSIP (CPython 3.12), espeak-ng and SoX are
    import pjsua2  # noqa: F401

    MEDIA = bool(shutil.which("espeak-ng") and shutil.which("sox"))
except ImportError:
    MEDIA = False


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


def descendants_of(pid: int) -> list[int]:
    found = []
    for child in children_of(pid):
        found += [child, *descendants_of(child)]
    return found


def command_of(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # a short-lived child (bin/run's pause) that ended meanwhile
        return b""


def is_agent(pid: int) -> bool:
    return b"run_callcontrol" in command_of(pid)


def is_media_server(pid: int) -> bool:
    return b"run_mediaserver" in command_of(pid)


def is_kamailio(pid: int) -> bool:
    return Path(command_of(pid).split(b"\0")[0].decode(errors="replace")).name == "kamailio"


@pytest.mark.parametrize("with_kamailio", [True, False], ids=["kamailio", "no-kamailio"])
def test_bin_run_starts_all_restarts_a_killed_agent_and_sigterm_stops_all(tmp_path, with_kamailio):
    if with_kamailio and not KAMAILIO:
        pytest.skip("Kamailio is not installed (apt-get install kamailio ...)")
    sip_port = free_udp_port()
    media_port = free_udp_port()
    server = LiveServer(secret_key="bin-run-test-secret-key-0123456789-abcdefghijklmnop")
    for name in ("SIPX_PROXY", "PBX_SIP_RUNNING"):  # the agent's proxy is bin/run's default: checked below
        server.env.pop(name, None)
    server.env.update(
        {
            "CALLCONTROL_SIP_PORT": str(free_port()),
            # never the machine's 5060, nor the repository's pbx/run
            "PBX_SIP_PORT": str(sip_port),
            "SIPPROXY_RUN_DIR": str(tmp_path / "pbx-run"),
            "MEDIA_SIP_PORT": str(media_port),  # never the machine's 5070
            "MEDIA_CACHE_DIR": str(tmp_path / "media-cache"),
        }
    )
    server.manage("migrate", "--noinput", "-v", "0")
    server.manage("createcachetable")
    holder = None
    if not with_kamailio:
        # Kamailio's UDP port is taken: bin/run must say it serves without it (or that it is not installed).
        holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        holder.bind(("127.0.0.1", sip_port))
    log = open(tmp_path / "run.log", "wb")
    env = {**server.env, "PY": sys.executable}
    proc = subprocess.Popen(["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    expected = 2 + with_kamailio + MEDIA  # gunicorn, the agent, Kamailio, the media server
    media_up = f"media server on udp 127.0.0.1:{media_port} (RTP"

    def output() -> str:
        return (tmp_path / "run.log").read_text(errors="replace")

    try:
        deadline = time.monotonic() + 90
        while True:
            text = output()
            up = "call-control agent: SIP on" in text
            up = up and ("SIP proxy (Kamailio) on" in text if with_kamailio else "bin/run: Kamailio not" in text)
            up = up and (media_up in text if MEDIA else "media server is not started" in text)
            try:
                up = up and server.request("GET", "/healthz", timeout=2)[0] == 200
            except OSError:
                up = False
            if up:
                break
            assert proc.poll() is None and time.monotonic() < deadline, text[-3000:]
            time.sleep(0.2)
        # SIPX_PROXY unset: the agent sends through the Kamailio bin/run started, else to the SIP domain on 5060.
        if with_kamailio:
            assert f"bin/run: SIP proxy (Kamailio) on udp and tcp 127.0.0.1:{sip_port}" in output()
            assert f"(UDP, TCP), proxy 127.0.0.1:{sip_port}" in output()
        else:
            assert ("Kamailio not started: UDP 127.0.0.1:" in output()) or ("Kamailio is not installed" in output())
            assert "(UDP, TCP), proxy example.org:5060" in output()
        assert len(children_of(proc.pid)) == expected, output()[-3000:]
        sip = [pid for pid in children_of(proc.pid) if is_kamailio(pid)]
        assert len(sip) == (1 if with_kamailio else 0)
        [agent] = [pid for pid in children_of(proc.pid) if is_agent(pid)]
        killed = time.monotonic()
        os.kill(agent, signal.SIGKILL)
        # bin/run notices at once and starts a new agent after 0.5 s; the agent itself then needs Django's
        # start-up (about a second on an idle machine, much more on a loaded CI box: hence the wide bound).
        while not any(is_agent(pid) for pid in children_of(proc.pid)):
            assert time.monotonic() - killed < 3, output()[-3000:]
            time.sleep(0.05)
        while output().count("call-control agent: SIP on") < 2:
            assert time.monotonic() - killed < 60, output()[-3000:]
            time.sleep(0.1)
        text = output()
        assert text.count("bin/run: the call-control agent exited with status 137; restarting it in 0.500 s") == 1
        assert "Kamailio exited" not in text
        children = children_of(proc.pid)
        assert len(children) == expected and agent not in children and any(is_agent(pid) for pid in children)
        assert [pid for pid in children if is_kamailio(pid)] == sip  # the agent's restart leaves Kamailio be
        if MEDIA:  # a killed media server is started again (its calls are lost; the next ones reach the new one)
            [media] = [pid for pid in children if is_media_server(pid)]
            os.kill(media, signal.SIGKILL)
            killed = time.monotonic()
            while output().count(media_up) < 2:
                assert time.monotonic() - killed < 60, output()[-3000:]
                time.sleep(0.1)
            assert "bin/run: the media server exited with status 137; starting it again" in output()
            children = children_of(proc.pid)
            assert len(children) == expected and media not in children
        everything = descendants_of(proc.pid)  # Kamailio's and gunicorn's own workers too
        proc.send_signal(signal.SIGTERM)  # to bin/run only, not to its process group
        assert proc.wait(40) == 0
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in everything) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in everything if alive(pid)], output()[-3000:]
    finally:
        if proc.poll() is None:  # a failed assertion: nothing bin/run started may outlive the test
            left = descendants_of(proc.pid)
            proc.kill()
            proc.wait(10)
            for pid in left:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
        if holder is not None:
            holder.close()
