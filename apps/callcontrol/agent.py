"""The SIP call-control agent (`manage.py run_callcontrol`): one asyncio process, our own small SIP stack
over UDP and TCP, third-party call control as sipXecs did it:

    INVITE the calling party (From = the agent, dummy SDP, via SIPX_PROXY) -> answer 401/407 once with the
    agent's SIP password -> 200 -> ACK -> REFER (Refer-To = the called party) -> NOTIFYs (sipfrag) -> BYE
    on "180 Ringing", a final sipfrag or a terminated subscription. CANCEL after `timeout` seconds.
    sipMethod=invite: the agent stays as a signalling B2BUA (offerless INVITE to the callee, re-INVITE of
    the caller with the callee's offer, ACKs with the answer) and relays a BYE from either leg.

RFC 3261 transaction rules: INVITE client transactions retransmit over UDP with Timer A (T1 doubling)
until a provisional response, time out after Timer B (64*T1) without one; non-INVITE transactions use
Timer E (doubling up to T2) and Timer F. ACK for a non-2xx is built by the transaction (same branch and
Request-URI); ACK for a 2xx is a new request to the remote target, re-sent for every retransmitted 2xx.
Duplicate requests (NOTIFY, BYE) are answered again with the same response, without acting twice.

The web workers queue CallAttempt rows; the agent polls for them every CALLCONTROL_POLL_MS and writes the
status lines and call-state events back (all database work runs in one thread, see `Agent.db`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
import re
import signal
import socket
import time
from datetime import UTC, datetime

from django.conf import settings

from apps.callcontrol import store
from apps.callcontrol.sip import (
    SipMessage,
    SipUri,
    check_host,
    digest_credentials,
    header_text,
    host_port,
    name_addr,
    new_branch,
    param,
    parse,
    response_to,
    token,
    uri_in,
    via_value,
)

log = logging.getLogger("apps.callcontrol.agent")

T1, T2, T4 = 0.5, 4.0, 5.0
ALLOW = "INVITE, ACK, OPTIONS, CANCEL, BYE, REFER, NOTIFY"
REFER_WAIT = 32.0  # after the REFER is accepted, how long we wait for a final sipfrag before hanging up


def now_ms() -> int:
    return int(time.time() * 1000)


class ClientTransaction:
    """One client transaction (RFC 3261 17.1). `final` resolves with the final response, or None when
    Timer B/F fired (no answer). Stays registered 32 s after completion to absorb retransmissions."""

    def __init__(self, agent: Agent, request: SipMessage, dest: tuple, on_response=None):
        self.agent, self.request, self.dest = agent, request, dest
        self.invite = request.method == "INVITE"
        self.on_response = on_response
        self.final: asyncio.Future = asyncio.get_running_loop().create_future()
        self.proceeding = False
        self.ack: bytes | None = None  # the ACK to re-send for a retransmitted final response
        self.data = request.encode()
        self.key = request.branch
        agent.transactions[self.key] = self
        agent.send_raw(self.data, dest)
        self.task = asyncio.create_task(self._timers())

    async def _timers(self):
        interval, started = T1, time.monotonic()
        reliable = self.dest[2] != "udp"
        while not self.final.done():
            await asyncio.sleep(T1 * 64 if reliable else interval)
            if self.final.done():
                break
            if time.monotonic() - started >= 64 * T1 and not (self.invite and self.proceeding):
                self.final.set_result(None)  # Timer B / Timer F
                break
            if reliable or (self.invite and self.proceeding):
                continue  # no retransmission over TCP, nor for an INVITE once a 1xx came
            self.agent.send_raw(self.data, self.dest)
            interval = (
                T2
                if (not self.invite and self.proceeding)
                else (interval * 2 if self.invite else min(2 * interval, T2))
            )
        self.agent.loop.call_later(32, self.agent.transactions.pop, self.key, None)

    def receive(self, response: SipMessage) -> None:
        if self.final.done():
            if self.ack is not None and response.status >= 200:
                self.agent.send_raw(self.ack, self.dest)  # retransmitted final: ACK again
            return
        if self.on_response is not None:
            self.on_response(response)
        if response.status < 200:
            self.proceeding = True
            return
        if self.invite and response.status >= 300:
            self.ack = self._non2xx_ack(response).encode()
            self.agent.send_raw(self.ack, self.dest)
        self.final.set_result(response)

    def _non2xx_ack(self, response: SipMessage) -> SipMessage:
        """RFC 3261 17.1.1.3: same Request-URI, top Via, From, Call-ID, CSeq number; the response's To."""
        r = self.request
        headers = [["Via", r.get_all("via")[0]], ["From", r.get("from")], ["To", response.get("to")]]
        headers += [["Call-ID", r.call_id], ["CSeq", f"{r.cseq} ACK"], ["Max-Forwards", "70"]]
        headers += [["Route", v] for v in r.get_all("route")]
        return SipMessage(f"ACK {r.uri} SIP/2.0", headers)


class Leg:
    """One outgoing INVITE dialog of the agent (caller's phone or callee) and its state."""

    def __init__(self, agent: Agent, attempt: dict, target_uri: str, to_uri: str, ruri: str):
        self.agent, self.attempt = agent, attempt
        self.call_id = f"{token(20)}@{agent.address}"
        self.local_tag = token(8)
        # Names and URIs come from the database (a user's own profile): written only by the builders.
        self.local = name_addr(SipUri(attempt["agent"], settings.SIPX_DOMAIN), attempt.get("display_name"))
        self.remote = name_addr(SipUri.parse(to_uri).without_headers())
        self.ruri = str(SipUri.parse(ruri).without_headers())
        self.target_uri = target_uri
        self.cseq = random.randint(1, 1000)
        self.remote_tag: str | None = None
        self.remote_target: str | None = None
        self.route_set: list[str] = []
        self.confirmed = False
        self.ended = asyncio.get_running_loop().create_future()  # set when the dialog ends (BYE either way)
        self.notifies: asyncio.Queue = asyncio.Queue()
        self.seen_cseqs: dict[tuple[str, int], bytes] = {}
        self.invite_tx: ClientTransaction | None = None
        self.ack2xx: bytes | None = None
        self.ack_dest = None
        self.sdp = b""
        self.sdp_version = 1

    # ---- headers ---------------------------------------------------------------------------------
    @property
    def from_header(self) -> str:
        return f"{self.local};tag={self.local_tag}"

    @property
    def to_header(self) -> str:
        return f"{self.remote};tag={self.remote_tag}" if self.remote_tag else self.remote

    def next_cseq(self) -> int:
        self.cseq += 1
        return self.cseq

    def base(self, method: str, uri: str, cseq: int, branch: str | None = None) -> SipMessage:
        a = self.agent
        headers = [
            ["Via", via_value(a.transport_name, a.address, a.port, branch or new_branch())],
            ["Max-Forwards", "70"],
            ["From", self.from_header],
            ["To", self.to_header],
            ["Call-ID", self.call_id],
            ["CSeq", f"{cseq} {method}"],
        ]
        return SipMessage(f"{method} {uri} SIP/2.0", headers)

    def in_dialog(self, method: str) -> tuple[SipMessage, tuple]:
        """A request inside the dialog: to the remote target, through the route set (loose routing)."""
        msg = self.base(method, self.remote_target or self.ruri, self.next_cseq())
        for route in self.route_set:
            msg.add("Route", route)
        msg.add("Contact", self.agent.contact)
        first_hop = uri_in(self.route_set[0]) if self.route_set else (self.remote_target or self.ruri)
        return msg, self.agent.hop(first_hop)


class Agent:
    def __init__(self, bind: str | None = None, port: int | None = None, proxy: str | None = None):
        self.bind = bind or settings.CALLCONTROL_SIP_BIND
        self.port = settings.CALLCONTROL_SIP_PORT if port is None else port
        proxy = proxy or settings.SIPX_PROXY
        host, _, rest = proxy.partition(":")
        port_text, _, transport = rest.partition(";transport=")
        self.proxy = (host, int(port_text or 5060), (transport or "udp").lower())
        self.address = settings.CALLCONTROL_SIP_ADDRESS or (self.bind if self.bind not in ("0.0.0.0", "") else "")
        self.transactions: dict[str, ClientTransaction] = {}
        self.legs: dict[str, Leg] = {}  # Call-ID -> leg
        self.calls: dict[str, asyncio.Task] = {}  # attempt key -> running call
        self.addresses: dict[str, str] = {}
        self.tcp: dict[tuple, asyncio.StreamWriter] = {}
        self.tcp_locks: dict[tuple, asyncio.Lock] = {}
        self.db_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="callcontrol-db")
        self.stopping = asyncio.Event()
        self.poll = settings.CALLCONTROL_POLL_MS / 1000
        self.owner = store.new_owner()  # names this run's claims (CallAttempt.owner)

    @property
    def transport_name(self) -> str:
        """The Via transport: the proxy's (in-dialog requests over UDP to a TCP proxy's phones are rare)."""
        return "TCP" if self.proxy[2] == "tcp" else "UDP"

    @property
    def contact(self) -> str:
        return name_addr(SipUri("callcontroller", self.address, self.port))

    # ---- database (one thread: Django connections are per thread) --------------------------------
    async def db(self, fn, *args):
        def call():
            try:
                return fn(*args)
            except Exception:
                store.reset_connection()
                raise

        return await self.loop.run_in_executor(self.db_pool, call)

    # ---- transport -------------------------------------------------------------------------------
    async def start(self):
        self.loop = asyncio.get_running_loop()
        agent = self

        class Udp(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr):
                agent.received(data, (addr[0], addr[1], "udp"))

            def error_received(self, exc):
                log.debug("UDP error: %s", exc)

        host = self.bind or "0.0.0.0"
        try:
            self.udp, _ = await self.loop.create_datagram_endpoint(Udp, local_addr=(host, self.port))
        except OSError as exc:
            # The port is taken (another agent on this machine?): any free port works, because the Via and
            # Contact of every request carry the port the answers and in-dialog requests must come to.
            log.warning("SIP port %s:%s is not available (%s); using a free port instead", host, self.port, exc)
            self.udp, _ = await self.loop.create_datagram_endpoint(Udp, local_addr=(host, 0))
        self.port = self.udp.get_extra_info("sockname")[1]
        try:
            self.tcp_server = await asyncio.start_server(self._tcp_client, host, self.port)
        except OSError as exc:
            log.warning("no SIP over TCP: port %s:%s is taken (%s)", host, self.port, exc)
            self.tcp_server = None
        if not self.address:
            self.address = self._outgoing_address()
        check_host(self.address)  # it goes into every Via, Contact and Call-ID: refuse a bad setting at start
        log.info("call-control agent: SIP on %s:%s (UDP, TCP), proxy %s:%s", self.address, self.port, *self.proxy[:2])

    def _outgoing_address(self) -> str:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((self.proxy[0], self.proxy[1]))
                return s.getsockname()[0]
            except OSError:
                return "127.0.0.1"

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        peer = writer.get_extra_info("peername")
        key = (peer[0], peer[1], "tcp")
        self.tcp[key] = writer
        await self._read_stream(reader, key)

    async def _read_stream(self, reader, key):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.strip():
                    continue
                m = re.search(rb"\r\n(?:content-length|l)\s*:\s*(\d+)", head, re.I)
                body = await reader.readexactly(int(m.group(1))) if m else b""
                self.received(head + body, key)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer = self.tcp.pop(key, None)
            if writer is not None:
                writer.close()

    async def _tcp_writer(self, dest) -> asyncio.StreamWriter:
        # One connection per destination: sends queued before it is open wait for it (the lock).
        async with self.tcp_locks.setdefault(dest, asyncio.Lock()):
            writer = self.tcp.get(dest)
            if writer is None or writer.is_closing():
                reader, writer = await asyncio.open_connection(dest[0], dest[1])
                self.tcp[dest] = writer
                asyncio.create_task(self._read_stream(reader, dest))
            return writer

    def send_raw(self, data: bytes, dest: tuple) -> None:
        if dest[2] == "tcp":

            async def send():
                try:
                    (await self._tcp_writer(dest)).write(data)
                except OSError as exc:
                    log.warning("TCP send to %s:%s failed: %s", dest[0], dest[1], exc)

            asyncio.create_task(send())
        else:
            self.udp.sendto(data, (dest[0], dest[1]))

    def hop(self, uri: str) -> tuple:
        host, port, transport = host_port(uri)
        return (self.addresses.get(host, host), port, "tcp" if transport == "tcp" else "udp")

    async def resolve(self, host: str) -> str:
        if host in self.addresses:
            return self.addresses[host]
        try:
            socket.inet_aton(host)
            return host
        except OSError:
            pass
        infos = await self.loop.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_DGRAM)
        self.addresses[host] = infos[0][4][0]
        return self.addresses[host]

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
            elif method == "CANCEL":
                self.reply(msg, source, 481, "Call/Transaction Does Not Exist")
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
        while not self.stopping.is_set():
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
                attempts = await self.db(store.claim, self.owner)
            except Exception:
                log.exception("polling for call attempts failed")
                attempts = []
            for attempt in attempts:
                previous = self.calls.pop(attempt["key"], None)
                if previous is not None:
                    previous.cancel()  # a new POST for the same key tears the previous attempt down
                self.calls[attempt["key"]] = asyncio.create_task(self.place(attempt))
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
        self.udp.close()
        if self.tcp_server is not None:
            self.tcp_server.close()
        for writer in self.tcp.values():
            writer.close()
        self.db_pool.shutdown(wait=True)

    async def place(self, attempt: dict) -> None:
        ok, outcome = False, "failed"
        legs: list[Leg] = []
        try:
            if attempt["sip_method"] == "invite":
                ok, outcome = await self.bridge(attempt, legs)
            else:
                ok, outcome = await self.refer(attempt, legs)
        except asyncio.CancelledError:
            outcome = "replaced by a newer attempt or agent stopped"
            for leg in legs:
                if leg.confirmed and not leg.ended.done():
                    self.loop.create_task(self.hang_up(leg, "cancelled"))
        except Exception as exc:
            log.exception("call attempt %s failed", attempt["id"])
            outcome = f"agent error: {exc}"
        finally:
            for leg in legs:
                self.loop.call_later(32, self.legs.pop, leg.call_id, None)
            if self.calls.get(attempt["key"]) is asyncio.current_task():
                del self.calls[attempt["key"]]
            await asyncio.shield(self.db(store.finish, attempt["id"], ok, outcome))
            log.info("attempt %s (%s -> %s): %s", attempt["id"], attempt["calling_uri"], attempt["called_uri"], outcome)

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

    async def status(self, attempt: dict, leg: Leg, method: str, line: str) -> None:
        await self.db(store.add_status, attempt["id"], now_ms(), leg.call_id, method, line)

    # ---- the INVITE of one leg -----------------------------------------------------------------------
    def dummy_sdp(self, leg: Leg) -> bytes:
        a = self.address
        sid = leg.sdp_version
        return (
            f"v=0\r\no=- {random.randint(1, 10**9)} {sid} IN IP4 {a}\r\ns=SipXconfig\r\nc=IN IP4 {a}\r\nt=0 0\r\n"
            "m=audio 2222 RTP/AVP 0 101\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        ).encode()

    async def invite(
        self, attempt: dict, leg: Leg, sdp: bytes | None, timeout: float, record: bool
    ) -> SipMessage | None:
        """Sends the INVITE (one challenge answered), CANCELs it after `timeout` s; returns the final response
        (None when nothing answered). On 2xx the dialog is set up and ACKed (the ACK carries `leg.ack_body`)."""
        self.legs[leg.call_id] = leg
        dest = self.proxy
        dest = (await self.resolve(dest[0]), dest[1], dest[2])
        loop_deadline = time.monotonic() + timeout
        cseq = leg.next_cseq()
        auth_header = None
        challenged = False
        first = True
        while True:
            msg = leg.base("INVITE", leg.ruri, cseq)
            msg.set("To", leg.remote)
            msg.add("Route", name_addr(SipUri(None, self.proxy[0], self.proxy[1], (("lr", None),))))
            msg.add("Contact", self.contact)
            msg.add("Allow", ALLOW)
            if sdp:
                msg.add("Accept", "application/sdp")
            if attempt.get("subject"):
                msg.add("Subject", header_text(attempt["subject"]))
            if auth_header:
                msg.add(*auth_header)
            if sdp:
                msg.add("Content-Type", "application/sdp")
                msg.body = sdp

            def on_response(resp, leg=leg):
                if record:
                    self.loop.create_task(self.status(attempt, leg, "INVITE", resp.first))

            tx = ClientTransaction(self, msg, dest, on_response)
            leg.invite_tx = tx
            if first and record:
                first = False
                await self.event(leg, "R", msg, contact=self.contact)
            remaining = max(0.0, loop_deadline - time.monotonic())
            try:
                final = await asyncio.wait_for(asyncio.shield(tx.final), remaining)
            except TimeoutError:
                final = await self.cancel(tx)
            if final is None:
                if record:
                    await self.event(leg, "F", failure_status=408, failure_reason="no answer")
                return None
            if final.status in (401, 407) and not challenged and (attempt.get("password") or attempt.get("ha1")):
                challenged = True
                header = "WWW-Authenticate" if final.status == 401 else "Proxy-Authenticate"
                creds = digest_credentials(
                    final.get(header), "INVITE", leg.ruri, attempt["agent"], attempt.get("password"), attempt.get("ha1")
                )
                auth_header = ("Authorization" if final.status == 401 else "Proxy-Authorization", creds)
                cseq = leg.next_cseq()
                continue
            if final.status >= 300:
                if record:
                    await self.event(leg, "F", final, failure_status=final.status, failure_reason=final.reason[:255])
                return final
            # 2xx: the dialog
            leg.remote_tag = param(final.get("to"), "tag")
            contact = final.get("contact")
            leg.remote_target = uri_in(contact) if contact else leg.ruri
            leg.route_set = list(reversed(final.get_all("record-route")))
            leg.confirmed = True
            leg.sdp = final.body
            if record:
                await self.event(leg, "S", final, contact=contact)
            return final

    async def cancel(self, tx: ClientTransaction) -> SipMessage | None:
        """CANCEL the INVITE (same branch and Request-URI), then wait for its final response (487)."""
        r = tx.request
        headers = [["Via", r.get_all("via")[0]], ["Max-Forwards", "70"], ["From", r.get("from")], ["To", r.get("to")]]
        headers += [["Call-ID", r.call_id], ["CSeq", f"{r.cseq} CANCEL"]]
        headers += [["Route", v] for v in r.get_all("route")]
        cancel = SipMessage(f"CANCEL {r.uri} SIP/2.0", headers)
        # The CANCEL's own transaction shares the INVITE's branch: key it apart so both can be matched.
        cancel_tx = _CancelTransaction(self, cancel, tx.dest)
        try:
            return await asyncio.wait_for(asyncio.shield(tx.final), 64 * T1)
        except TimeoutError:
            return None
        finally:
            cancel_tx.close()

    def ack_2xx(self, leg: Leg, final: SipMessage, body: bytes = b"") -> None:
        ack = leg.base("ACK", leg.remote_target, final.cseq)
        for route in leg.route_set:
            ack.add("Route", route)
        ack.add("Contact", self.contact)
        if body:
            ack.add("Content-Type", "application/sdp")
            ack.body = body
        first_hop = uri_in(leg.route_set[0]) if leg.route_set else leg.remote_target
        leg.ack_dest = self.hop(first_hop)
        leg.ack_dest = (self.addresses.get(leg.ack_dest[0], leg.ack_dest[0]), *leg.ack_dest[1:])
        leg.ack2xx = ack.encode()
        self.send_raw(leg.ack2xx, leg.ack_dest)

    async def in_dialog_request(
        self, attempt: dict, leg: Leg, method: str, extra: list, body: bytes = b""
    ) -> SipMessage | None:
        """A request inside the dialog; one 401/407 challenge answered with the agent's credentials."""
        auth = None
        for _ in range(2):
            msg, dest = leg.in_dialog(method)
            dest = (await self.resolve(dest[0]), dest[1], dest[2])
            for name, value in extra:
                msg.add(name, value)
            if auth:
                msg.add(*auth)
            if body:
                msg.add("Content-Type", "application/sdp")
                msg.body = body
            tx = ClientTransaction(self, msg, dest)
            final = await tx.final
            if final is not None and final.status in (401, 407) and auth is None and attempt.get("password"):
                header = "WWW-Authenticate" if final.status == 401 else "Proxy-Authenticate"
                creds = digest_credentials(
                    final.get(header), method, msg.uri, attempt["agent"], attempt.get("password")
                )
                auth = ("Authorization" if final.status == 401 else "Proxy-Authorization", creds)
                continue
            return final
        return None

    async def hang_up(self, leg: Leg, why: str, reason: str | None = None) -> None:
        if leg.ended.done() or not leg.confirmed:
            return
        leg.ended.set_result(why)
        extra = [["Reason", reason]] if reason else []
        await self.in_dialog_request({}, leg, "BYE", extra)
        await self.event(leg, "E")

    # ---- REFER mode ----------------------------------------------------------------------------------
    def calling_ruri(self, attempt: dict) -> str:
        params = [("sipx-noroute", "Voicemail")]
        if not attempt["forwarding_allowed"]:
            params.append(("sipx-userforward", "false"))
        return str(SipUri.parse(attempt["calling_uri"]).with_params(*params))

    async def refer(self, attempt: dict, legs: list) -> tuple[bool, str]:
        calling = attempt["calling_uri"]
        leg = Leg(self, attempt, calling, calling, self.calling_ruri(attempt))
        legs.append(leg)
        await self.db(store.set_call_id, attempt["id"], leg.call_id)
        final = await self.invite(attempt, leg, self.dummy_sdp(leg), attempt["timeout"], record=True)
        if final is None:
            return False, "the calling party did not answer (CANCEL after timeout)"
        if final.status >= 300:
            return False, f"the calling party's INVITE failed: {final.first}"
        self.ack_2xx(leg, final)
        referred_by = name_addr(calling)
        refer_to = name_addr(attempt["called_uri"])
        await self.event(leg, "T", refer_to=refer_to, referred_by=referred_by, contact=self.contact)
        ended = leg.ended
        response = await self.in_dialog_request(
            attempt, leg, "REFER", [["Refer-To", refer_to], ["Referred-By", referred_by]]
        )
        if response is None or response.status >= 300:
            await self.hang_up(leg, "REFER failed")
            return False, f"REFER failed: {response.first if response else 'no answer'}"
        deadline = time.monotonic() + REFER_WAIT
        outcome, reason = "the REFER was accepted but no final NOTIFY came", None
        while not ended.done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            getter = asyncio.ensure_future(leg.notifies.get())
            done, _ = await asyncio.wait({getter, ended}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                continue
            notify = getter.result()
            frag = notify.body.decode("utf-8", "replace").strip().splitlines()
            line = frag[0].strip() if frag else ""
            if line:
                await self.status(attempt, leg, "NOTIFY", line)
            terminated = (notify.get("subscription-state") or "").lower().startswith("terminated")
            code = int(line.split()[1]) if re.match(r"SIP/2\.0 \d{3}", line) else 0
            if code == 180 or code >= 200 or terminated:
                outcome = f"the calling party was sent to the called party ({line or 'subscription terminated'})"
                if "486" in line:
                    reason = 'SIP;cause=486;text="Busy Here"'
                break
        if ended.done():
            await self.event(leg, "E")
            return True, f"{outcome}; the phone hung up"
        await self.hang_up(leg, "done", reason)
        return True, outcome

    # ---- INVITE (B2BUA) mode -------------------------------------------------------------------------
    async def bridge(self, attempt: dict, legs: list) -> tuple[bool, str]:
        calling = attempt["calling_uri"]
        a = Leg(self, attempt, calling, calling, self.calling_ruri(attempt))
        legs.append(a)
        await self.db(store.set_call_id, attempt["id"], a.call_id)
        final = await self.invite(attempt, a, self.dummy_sdp(a), attempt["timeout"], record=True)
        if final is None or final.status >= 300:
            return False, f"the calling party did not answer: {final.first if final else 'timeout'}"
        self.ack_2xx(a, final)
        called = attempt["called_uri"]
        b = Leg(self, attempt, called, called, called)
        legs.append(b)
        final_b = await self.invite(attempt, b, None, attempt["timeout"], record=True)
        if final_b is None or final_b.status >= 300 or not final_b.body:
            await self.hang_up(a, "callee failed")
            return False, f"the called party did not answer: {final_b.first if final_b else 'timeout'}"
        offer = final_b.body
        a.sdp_version += 1
        answer = await self.in_dialog_request(attempt, a, "INVITE", [["Allow", ALLOW]], offer)
        if answer is None or answer.status >= 300:
            self.ack_2xx(b, final_b, self.dummy_sdp(b))
            await self.hang_up(b, "caller refused the re-INVITE")
            await self.hang_up(a, "re-INVITE failed")
            return False, "the re-INVITE of the calling party failed"
        self.ack_2xx(b, final_b, answer.body)
        ack = a.base("ACK", a.remote_target, answer.cseq)
        ack.add("Contact", self.contact)
        self.send_raw(ack.encode(), self.hop(a.remote_target))
        done, _ = await asyncio.wait({a.ended, b.ended}, return_when=asyncio.FIRST_COMPLETED)
        for leg in (a, b):
            if leg.ended.done():
                await self.event(leg, "E")
        for leg in (a, b):
            await self.hang_up(leg, "other leg hung up")
        return True, "bridged call ended"


class _CancelTransaction(ClientTransaction):
    """The CANCEL's transaction: same branch as the INVITE, told apart by method (responses carry CSeq)."""

    def __init__(self, agent, request, dest):
        self.agent, self.request, self.dest = agent, request, dest
        self.invite = False
        self.on_response = None
        self.final = asyncio.get_running_loop().create_future()
        self.proceeding = False
        self.ack = None
        self.data = request.encode()
        self.key = request.branch + ":CANCEL"
        agent.transactions[self.key] = self
        agent.send_raw(self.data, dest)
        self.task = asyncio.create_task(self._timers())

    def close(self):
        self.task.cancel()
        self.agent.transactions.pop(self.key, None)


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
