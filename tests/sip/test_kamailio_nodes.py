"""Registrations in sipxweb's database (Kamailio's `location` table, docs/sipproxy.md "Beyond one machine"): a
phone registered before a restart of Kamailio is still reached after it without registering again (SQLite and
PostgreSQL), and two Kamailio nodes on one PostgreSQL database share registrations — a phone registered at node A
answers a call entering node B. Real gunicorn, real Kamailios and SIPp phones on 127.0.0.1; every SIPp and
Kamailio is bounded in time and stopped by pid."""

from __future__ import annotations

import json
import time

import pytest

from tests.sip.conftest import WITH_KAMAILIO, Kamailio, KamailioPbx, Sipp, free_udp_port

pytestmark = WITH_KAMAILIO


@pytest.fixture(scope="module")
def pbx(tmp_path_factory, database_url):
    pbx = KamailioPbx(tmp_path_factory.mktemp("nodes"), database_url)
    pbx.shell("from apps.users.models import User\nUser.objects.filter(username='202').update(sip_password='sip202')")
    yield pbx
    pbx.stop()


def registrations(pbx, user: str) -> list[dict]:
    """The rows of Kamailio's `location` table for `user`, read through sipxweb's own database connection."""
    out = pbx.shell(
        "import json\nfrom django.db import connection\n"
        "with connection.cursor() as c:\n"
        f"    c.execute('SELECT username, contact, server_id FROM location WHERE username = %s', [{user!r}])\n"
        "    print(json.dumps([dict(zip(('user', 'contact', 'server_id'), r)) for r in c.fetchall()]))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


def answered_call(pbx, callee: str, callee_port: int, caller_node: Kamailio, name: str) -> Sipp:
    """200 calls `callee` through `caller_node`; the phone of `callee` on `callee_port` answers. Returns the phone."""
    phone = Sipp(pbx.tmp, "kamailio_answer.xml", callee_port, "-s", callee, "-timeout_error",
                 f"127.0.0.1:{caller_node.port}", name=f"{name}-phone", timeout=30)  # fmt: skip
    time.sleep(0.5)
    caller = pbx.sipp("kamailio_call.xml", callee, "200", "alicesip200", "-d", "500", proxy_port=caller_node.port,
                      name=f"{name}-caller", timeout=30)  # fmt: skip
    assert caller.wait() == 0, caller.output()[-3000:] + caller_node.output()[-3000:]
    assert phone.wait() == 0, phone.output()[-3000:]
    return phone


def test_a_registration_survives_a_restart_of_kamailio(pbx):
    phone_port = free_udp_port()
    assert pbx.register("202", "sip202", port=phone_port) == 0, pbx.kamailio.output()[-3000:]
    before = pbx.kamailio
    before.stop()
    assert before.proc.returncode is not None
    # In the database once Kamailio has stopped: written at the REGISTER (PostgreSQL, DB-only) or flushed at
    # the stop at the latest (SQLite, write-back).
    assert [r["contact"] for r in registrations(pbx, "202")] == [f"sip:202@127.0.0.1:{phone_port}"]
    pbx.kamailio = Kamailio(pbx.server, pbx.tmp, port=before.port)
    assert pbx.kamailio.proc.pid != before.proc.pid
    # Nothing registers after the restart: the new Kamailio finds the phone in the table.
    answered_call(pbx, "202", phone_port, pbx.kamailio, "after-restart")


def test_a_phone_registered_at_node_a_answers_a_call_entering_node_b(pbx, database_url):
    if database_url is None:
        pytest.skip("nodes share registrations through PostgreSQL only (run with a PostgreSQL DATABASE_URL)")
    node_a = Kamailio(pbx.server, pbx.tmp, NODE_ID=1)
    node_b = Kamailio(pbx.server, pbx.tmp, NODE_ID=2)
    try:
        bob_port = free_udp_port()
        assert pbx.register("201", "bobsip201", port=bob_port, proxy_port=node_a.port) == 0, node_a.output()[-3000:]
        assert pbx.register("200", "alicesip200", proxy_port=node_b.port) == 0, node_b.output()[-3000:]
        # Each row names the node that took the REGISTER.
        assert [(r["contact"], r["server_id"]) for r in registrations(pbx, "201")] == [
            (f"sip:201@127.0.0.1:{bob_port}", 1)
        ]
        assert {r["server_id"] for r in registrations(pbx, "200")} == {2}
        phone = answered_call(pbx, "201", bob_port, node_b, "across-nodes")
        # The INVITE came from node B (its Via and Record-Route); node A never spoke to the phone's answering SIPp.
        log = phone.message_log()
        assert f"127.0.0.1:{node_b.port}" in log, log[-3000:]
        assert f"127.0.0.1:{node_a.port}" not in log, log[-3000:]
    finally:
        node_a.stop()
        node_b.stop()


def test_a_restart_loads_ten_thousand_registrations_and_still_reaches_a_phone(pbx):
    """A write-back Kamailio (SQLite) loads every registration into memory at its start: with the default 8 MB of
    private memory per process it ran out and its workers did not start; bin/run and the tests give it more."""
    pbx.shell(
        "from django.db import connection\n"
        "rows = [(f'load-{n}', f'load{n}', f'sip:load{n}@127.0.0.1:9', '2030-01-01 00:00:00') for n in range(10000)]\n"
        "with connection.cursor() as c:\n"
        "    c.executemany('INSERT INTO location (ruid, username, contact, expires) VALUES (%s, %s, %s, %s)', rows)\n"
    )
    phone_port = free_udp_port()
    assert pbx.register("202", "sip202", port=phone_port) == 0, pbx.kamailio.output()[-3000:]
    before = pbx.kamailio
    before.stop()
    pbx.kamailio = Kamailio(pbx.server, pbx.tmp, port=before.port)
    try:
        answered_call(pbx, "202", phone_port, pbx.kamailio, "after-loaded-restart")
        assert "no private memory" not in pbx.kamailio.output() and "db_query failed" not in pbx.kamailio.output()
    finally:
        pbx.shell(
            "from django.db import connection\n"
            "connection.cursor().execute(\"DELETE FROM location WHERE username LIKE 'load%%'\")"
        )
