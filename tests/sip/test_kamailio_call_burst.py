"""A burst of calls through the bundled Kamailio: every call's events reach sipxweb, so each is in the history
once, answered and ended. Kamailio posts the queued events from one rtimer process a slice per tick (route
CSE_POST); a burst queues far more events than one slice or one while loop of Kamailio may take."""

from __future__ import annotations

import json
import time

import pytest

from tests.sip.conftest import WITH_KAMAILIO, Kamailio, KamailioPbx, Sipp, free_udp_port

pytestmark = WITH_KAMAILIO

CALLS = 150  # x 3 events (R, S, E): 450 queued events, several slices and while-loop bounds


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    pbx = KamailioPbx(tmp_path_factory.mktemp("kamailio-burst"), database_url)
    # One address places every call here: the flood limit (PIKE_DENSITY per 2 s) is not what this is about.
    pbx.kamailio.stop()
    pbx.kamailio = Kamailio(pbx.server, pbx.tmp, PIKE_DENSITY=10_000)
    yield pbx
    pbx.stop()


def finished_calls(pbx) -> list:
    out = pbx.shell(
        "import json\nfrom apps.cdrs.models import Cdr\n"
        "print(json.dumps(list(Cdr.objects.filter(caller_user='200', callee_user='201')"
        ".values_list('termination', flat=True))))"
    )
    return json.loads(out.strip().splitlines()[-1])


def test_every_call_of_a_burst_is_in_the_history_once_completed(pbx):
    bob_port = free_udp_port()
    assert pbx.register("201", "bobsip201", port=bob_port) == 0, pbx.kamailio.output()[-2000:]
    callee = Sipp(pbx.tmp, "kamailio_answer.xml", bob_port, "-m", str(CALLS), "-s", "201",
                  f"127.0.0.1:{pbx.kamailio.port}", name="bob-phone", timeout=90)  # fmt: skip
    caller = pbx.sipp("kamailio_call.xml", "201", "200", "alicesip200", "-m", str(CALLS), "-r", "50", "-l", "60",
                      "-d", "200", name="alice-phone", timeout=90)  # fmt: skip
    assert caller.wait() == 0, caller.output()[-3000:] + pbx.kamailio.output()[-3000:]
    assert callee.wait() == 0, callee.output()[-3000:]
    deadline = time.monotonic() + 60
    while (done := finished_calls(pbx)).count("C") < CALLS and time.monotonic() < deadline:
        time.sleep(1)
    assert sorted(set(done)) == ["C"] and len(done) == CALLS, (len(done), set(done), pbx.kamailio.output()[-3000:])
    assert "runaway" not in pbx.kamailio.output()
