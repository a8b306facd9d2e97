"""The agent's outgoing dialogs: a `Leg` is one INVITE dialog (to the calling party's phone, or to the called
party in INVITE mode) with its tags, CSeq, route set and remote target; `Dialogs` (mixed into the Agent) sets
one up (INVITE, one challenge answered, CANCEL after the timeout, ACK of the 2xx), sends requests inside it
and hangs it up. Incoming requests reach a leg through the agent's dispatcher (`Agent.request_received`)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import TYPE_CHECKING

from django.conf import settings

from apps.callcontrol.sip import (
    SipMessage,
    SipUri,
    digest_credentials,
    header_text,
    name_addr,
    new_branch,
    param,
    token,
    uri_in,
    via_value,
)
from apps.callcontrol.transactions import ClientTransaction, cancel

if TYPE_CHECKING:
    from apps.callcontrol.agent import Agent
    from apps.callcontrol.attempt import Attempt

ALLOW = "INVITE, ACK, OPTIONS, CANCEL, BYE, REFER, NOTIFY"


class Leg:
    """One outgoing INVITE dialog of the agent (caller's phone or callee) and its state."""

    def __init__(self, agent: Agent, attempt: Attempt, target_uri: str, to_uri: str, ruri: str):
        self.agent, self.attempt = agent, attempt
        self.call_id = f"{token(20)}@{agent.address}"
        self.local_tag = token(8)
        # Names and URIs come from the database (a user's own profile): written only by the builders.
        self.local = name_addr(SipUri(attempt.agent, settings.SIPX_DOMAIN), attempt.display_name)
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
        # Extra columns of the leg's R event: click-to-call's leg to the caller's phone names the call it sets up
        # (caller and callee), so that the call record is the call the user asked for (apps/cdrs/resolver.py).
        self.announce: dict[str, str] = {}

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


class Dialogs:
    """Mixed into the Agent: the INVITE of one leg, the ACK of its 2xx, in-dialog requests, BYE."""

    def dummy_sdp(self: Agent, leg: Leg) -> bytes:
        a = self.address
        sid = leg.sdp_version
        return (
            f"v=0\r\no=- {random.randint(1, 10**9)} {sid} IN IP4 {a}\r\ns=SipXconfig\r\nc=IN IP4 {a}\r\nt=0 0\r\n"
            "m=audio 2222 RTP/AVP 0 101\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        ).encode()

    async def invite(
        self: Agent, attempt: Attempt, leg: Leg, sdp: bytes | None, timeout: float, record: bool
    ) -> SipMessage | None:
        """Sends the INVITE (one challenge answered), CANCELs it after `timeout` s; returns the final response
        (None when nothing answered). On 2xx the dialog is set up (the caller ACKs it with `ack_2xx`)."""
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
            if attempt.subject:
                msg.add("Subject", header_text(attempt.subject))
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
                await self.event(leg, "R", msg, contact=self.contact, **leg.announce)
            remaining = max(0.0, loop_deadline - time.monotonic())
            try:
                final = await asyncio.wait_for(asyncio.shield(tx.final), remaining)
            except TimeoutError:
                final = await cancel(tx)
            if final is None:
                if record:
                    await self.event(leg, "F", failure_status=408, failure_reason="no answer")
                return None
            if final.status in (401, 407) and not challenged and attempt.password:
                challenged = True
                header = "WWW-Authenticate" if final.status == 401 else "Proxy-Authenticate"
                creds = digest_credentials(final.get(header), "INVITE", leg.ruri, attempt.agent, attempt.password)
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

    def ack_2xx(self: Agent, leg: Leg, final: SipMessage, body: bytes = b"") -> None:
        """A new request to the remote target; kept to be re-sent for every retransmitted 2xx."""
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
        self: Agent, attempt: Attempt | None, leg: Leg, method: str, extra: list, body: bytes = b""
    ) -> SipMessage | None:
        """A request inside the dialog; one 401/407 challenge answered with the agent's credentials (a
        hang-up's BYE is sent without an attempt: a challenge to it is not answered)."""
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
            if final is not None and final.status in (401, 407) and auth is None and attempt and attempt.password:
                header = "WWW-Authenticate" if final.status == 401 else "Proxy-Authenticate"
                creds = digest_credentials(final.get(header), method, msg.uri, attempt.agent, attempt.password)
                auth = ("Authorization" if final.status == 401 else "Proxy-Authorization", creds)
                continue
            return final
        return None

    async def hang_up(self: Agent, leg: Leg, why: str, reason: str | None = None) -> None:
        if leg.ended.done() or not leg.confirmed:
            return
        leg.ended.set_result(why)
        extra = [["Reason", reason]] if reason else []
        await self.in_dialog_request(None, leg, "BYE", extra)
        await self.event(leg, "E")
