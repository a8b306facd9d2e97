"""The SIP call-control agent (`manage.py run_callcontrol`): one asyncio process, our own small SIP stack
over UDP and TCP, third-party call control as sipXecs did it. The parts, one module each:

* `transport.py`: the sockets (UDP, TCP listener and connections), sending, next-hop resolution;
* `transactions.py`: RFC 3261 client transactions (retransmission timers, non-2xx ACK, CANCEL);
* `legs.py`: the agent's dialogs (`Leg`) and their INVITE, ACK of the 2xx, in-dialog requests and BYE;
* `flows.py`: the REFER and INVITE (B2BUA) call flows;
* `attempt.py`: the typed record of one claimed attempt; `store.py`: the database side;
* `notify.py`: out-of-dialog NOTIFYs to a user's phones (phone provisioning's Resync), `notifications.py` their
  queue;
* this module: the `Agent` tying them together, the dispatch of what arrives (responses to their
  transaction, requests to their leg; duplicates answered again with the same response, without acting
  twice) and the loop that claims queued attempts and places them.

The web workers queue CallAttempt rows; the agent polls for them every CALLCONTROL_POLL_MS and writes the
status lines and call-state events back (all database work runs in one thread, see `Agent.db`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections as db_connections

from apps.callcontrol import health, store
from apps.callcontrol.attempt import Attempt
from apps.callcontrol.flows import CallFlows
from apps.callcontrol.legs import ALLOW, Dialogs, Leg
from apps.callcontrol.notify import Notifications
from apps.callcontrol.sip import SipMessage, SipUri, check_host, name_addr, param, parse, response_to, token
from apps.callcontrol.transactions import ClientTransaction
from apps.callcontrol.transport import SipTransport, parse_proxy

log = logging.getLogger("apps.callcontrol.agent")


def now_ms() -> int:
    return int(time.time() * 1000)


class Agent(SipTransport, Dialogs, CallFlows, Notifications):
    def __init__(self, bind: str | None = None, port: int | None = None, proxy: str | None = None):
        self.bind = bind or settings.CALLCONTROL_SIP_BIND
        self.port = settings.CALLCONTROL_SIP_PORT if port is None else port
        self.proxy = parse_proxy(proxy or settings.SIPX_PROXY)
        self.address = settings.CALLCONTROL_SIP_ADDRESS or (self.bind if self.bind not in ("0.0.0.0", "") else "")
        self.transactions: dict[str, ClientTransaction] = {}
        self.legs: dict[str, Leg] = {}  # Call-ID -> leg
        self.calls: dict[str, asyncio.Task] = {}  # attempt key -> running call
        self.notify_tasks: set[asyncio.Task] = set()  # NOTIFYs being sent (notify.py)
        self.addresses: dict[str, str] = {}
        self.tcp: dict[tuple, asyncio.StreamWriter] = {}
        self.tcp_locks: dict[tuple, asyncio.Lock] = {}
        self.db_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="callcontrol-db")
        self.stopping = asyncio.Event()
        self.poll = settings.CALLCONTROL_POLL_MS / 1000
        self.owner = store.new_owner()  # names this run's claims (CallAttempt.owner)
        self.started = time.time()

    @property
    def transport_name(self) -> str:
        """The Via transport: the proxy's (in-dialog requests over UDP to a TCP proxy's phones are rare)."""
        return "TCP" if self.proxy[2] == "tcp" else "UDP"

    @property
    def contact(self) -> str:
        return name_addr(SipUri("callcontroller", self.address, self.port))

    async def start(self):
        await self.open_sockets()
        check_host(self.address)  # it goes into every Via, Contact and Call-ID: refuse a bad setting at start
        # Before it says it is ready: from this beat on, the web side queues calls for it instead of failing them.
        await self.beat()
        log.info("call-control agent: SIP on %s:%s (UDP, TCP), proxy %s:%s", self.address, self.port, *self.proxy[:2])

    async def beat(self) -> None:
        """The heartbeat the web side reads (health.py): who runs, where, how many calls now."""
        report = {
            "owner": self.owner,
            "address": f"{self.address or self.bind}:{self.port}",
            "proxy": f"{self.proxy[0]}:{self.proxy[1]}",
            "calls": len(self.calls),
            "started": self.started,
        }
        try:
            await self.db(health.beat, report)  # the database cache needs the database thread's connection
        except Exception:
            log.exception("writing the call-control agent's heartbeat failed")

    # ---- database (one thread: Django connections are per thread) --------------------------------
    async def db(self, fn, *args):
        def call():
            try:
                return fn(*args)
            except Exception:
                store.reset_connection()
                raise

        return await self.loop.run_in_executor(self.db_pool, call)

    # ---- incoming ---------------------------------------------------------------------------------
    def received(self, data: bytes, source: tuple) -> None:
        if not data.strip():
            return  # keep-alive
        try:
            msg = parse(data)
        except (ValueError, IndexError) as exc:
            log.debug("dropped a non-SIP packet from %s: %s", source, exc)
            return
        if msg.is_request:
            self.request_received(msg, source)
            return
        tx = self.transactions.get(msg.branch)
        if tx is None or tx.request.method != msg.cseq_method:
            tx = self.transactions.get(f"{msg.branch}:{msg.cseq_method}")
        if tx is not None and tx.request.method == msg.cseq_method:
            tx.receive(msg)
            return
        leg = self.legs.get(msg.call_id)
        if leg is not None and msg.cseq_method == "INVITE" and 200 <= msg.status < 300 and leg.ack2xx:
            self.send_raw(leg.ack2xx, leg.ack_dest)  # a retransmitted 2xx: ACK it again

    def reply(self, request: SipMessage, source: tuple, status: int, reason: str, leg: Leg | None = None) -> bytes:
        response = response_to(request, status, reason, to_tag=leg.local_tag if leg else token(8))
        if status < 300 and request.method in ("INVITE", "NOTIFY", "BYE", "OPTIONS"):
            response.add("Contact", self.contact)
        if request.method == "OPTIONS":
            response.add("Allow", ALLOW)
        data = response.encode()
        via = request.get("via")
        rport = param(via, "rport")
        dest = (
            source
            if source[2] == "tcp" or not rport
            else (source[0], int(rport) if rport.isdigit() else source[1], "udp")
        )
        self.send_raw(data, dest)
        return data

    def request_received(self, msg: SipMessage, source: tuple) -> None:
        method = msg.method
        if method == "ACK":
            return
        leg = self.legs.get(msg.call_id)
        if leg is None or (param(msg.get("to"), "tag") not in (None, leg.local_tag)):
            if method == "OPTIONS":
                self.reply(msg, source, 200, "OK")
            else:
                self.reply(msg, source, 481, "Call/Transaction Does Not Exist")
            return
        key = (method, msg.cseq)
        if key in leg.seen_cseqs:
            self.send_raw(leg.seen_cseqs[key], source)  # a retransmission: same answer, nothing done twice
            return
        if method == "NOTIFY":
            leg.seen_cseqs[key] = self.reply(msg, source, 200, "OK", leg)
            leg.notifies.put_nowait(msg)
        elif method == "BYE":
            leg.seen_cseqs[key] = self.reply(msg, source, 200, "OK", leg)
            if not leg.ended.done():
                leg.ended.set_result("remote BYE")
        elif method == "INVITE":
            # A re-INVITE from the phone (hold, codec change): keep the session as it is.
            leg.seen_cseqs[key] = self.reply(msg, source, 488, "Not Acceptable Here", leg)
        elif method in ("OPTIONS", "INFO", "UPDATE"):
            leg.seen_cseqs[key] = self.reply(msg, source, 200, "OK", leg)
        else:
            leg.seen_cseqs[key] = self.reply(msg, source, 501, "Not Implemented", leg)

    # ---- attempts -----------------------------------------------------------------------------------
    async def run(self):
        await self.start()
        last_purge = last_beat = 0.0
        last_health = time.monotonic()  # start() has just beaten
        while not self.stopping.is_set():
            if time.monotonic() - last_health >= health.INTERVAL:
                last_health = time.monotonic()
                await self.beat()
            if time.monotonic() - last_beat >= store.HEARTBEAT:
                last_beat = time.monotonic()
                try:
                    await self.db(store.heartbeat, self.owner)
                    closed = await self.db(store.reap, self.owner)
                    if closed:
                        log.warning("closed %s call attempt(s) a stopped agent left running or queued", closed)
                except Exception:
                    log.exception("renewing the call attempts' leases failed")
            try:
                rows = await self.db(store.claim, self.owner)
            except Exception:
                log.exception("polling for call attempts failed")
                rows = []
            for row in rows:
                attempt = Attempt.from_row(row)
                previous = self.calls.pop(attempt.key, None)
                if previous is not None:
                    previous.cancel()  # a new POST for the same key tears the previous attempt down
                self.calls[attempt.key] = asyncio.create_task(self.place(attempt))
            await self.poll_notifications()
            if time.monotonic() - last_purge > 3600:
                last_purge = time.monotonic()
                await self.db(store.purge)
            try:
                await asyncio.wait_for(self.stopping.wait(), self.poll)
            except TimeoutError:
                pass
        await self.shutdown()

    async def shutdown(self):
        for task in list(self.calls.values()):
            task.cancel()
        if self.calls:
            await asyncio.wait(list(self.calls.values()), timeout=5)
        await self.db(store.fail_running, self.owner, "the call-control agent stopped")
        try:
            await self.db(health.stopped, self.owner)  # calls clicked from now on are refused at once
        except Exception:
            log.exception("removing the call-control agent's heartbeat failed")  # it goes stale by itself
        await self.stop_notifications()
        await self.db(db_connections.close_all)  # the database thread's connection ends with the agent
        self.close_sockets()
        self.db_pool.shutdown(wait=True)

    async def place(self, attempt: Attempt | Mapping) -> None:
        """Places one attempt (a record, or the row `store.claim` returned) and writes its outcome."""
        attempt = Attempt.from_row(attempt)
        ok, outcome = False, "failed"
        legs: list[Leg] = []
        try:
            if attempt.sip_method == "invite":
                ok, outcome = await self.bridge(attempt, legs)
            else:
                ok, outcome = await self.refer(attempt, legs)
        except asyncio.CancelledError:
            outcome = "replaced by a newer attempt or agent stopped"
            for leg in legs:
                if leg.confirmed and not leg.ended.done():
                    self.loop.create_task(self.hang_up(leg, "cancelled"))
        except Exception as exc:
            log.exception("call attempt %s failed", attempt.id)
            outcome = f"agent error: {exc}"
        finally:
            for leg in legs:
                self.loop.call_later(32, self.legs.pop, leg.call_id, None)
            if self.calls.get(attempt.key) is asyncio.current_task():
                del self.calls[attempt.key]
            await asyncio.shield(self.db(store.finish, attempt.id, ok, outcome))
            log.info("attempt %s (%s -> %s): %s", attempt.id, attempt.calling_uri, attempt.called_uri, outcome)

    # ---- events --------------------------------------------------------------------------------------
    async def event(self, leg: Leg, kind: str, msg: SipMessage | None = None, **extra) -> None:
        data = {
            "observer": f"callcontroller@{self.address}:{self.port}",
            "event_time": datetime.now(UTC),
            "event_type": kind,
            "call_id": leg.call_id,
            "from_tag": leg.local_tag,
            "to_tag": leg.remote_tag or "",
            "from_url": leg.from_header,
            "to_url": leg.to_header,
            "request_uri": leg.ruri,
            "cseq": msg.cseq if msg is not None else leg.cseq,
            "caller_internal": True,
            **extra,
        }
        try:
            await self.db(store.event, data)
        except Exception:
            log.exception("could not store a call-state event")

    async def status(self, attempt: Attempt, leg: Leg, method: str, line: str) -> None:
        await self.db(store.add_status, attempt.id, now_ms(), leg.call_id, method, line)


def run_forever(poll_ms: int | None = None) -> None:
    """The management command's body: runs until SIGTERM/SIGINT, then ends the running calls cleanly."""
    if poll_ms is not None:
        settings.CALLCONTROL_POLL_MS = poll_ms

    async def main():
        agent = Agent()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, agent.stopping.set)
        await agent.run()

    asyncio.run(main())
