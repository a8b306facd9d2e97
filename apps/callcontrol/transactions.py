"""RFC 3261 client transactions (17.1) of the agent: retransmission and timeout timers, the ACK of a
non-2xx final response, and CANCEL.

INVITE client transactions retransmit over UDP with Timer A (T1 doubling) until a provisional response and
time out after Timer B (64*T1) without one; non-INVITE transactions use Timer E (doubling up to T2) and
Timer F. Over TCP nothing is retransmitted. A completed transaction stays registered 32 s to absorb
retransmitted responses."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from apps.callcontrol.sip import SipMessage

if TYPE_CHECKING:
    from apps.callcontrol.agent import Agent

T1, T2 = 0.5, 4.0


class ClientTransaction:
    """One client transaction. `final` resolves with the final response, or None when Timer B/F fired (no
    answer). `suffix` keys a transaction apart from another with the same branch (the CANCEL of an INVITE)."""

    def __init__(self, agent: Agent, request: SipMessage, dest: tuple, on_response=None, suffix: str = ""):
        self.agent, self.request, self.dest = agent, request, dest
        self.invite = request.method == "INVITE"
        self.on_response = on_response
        self.final: asyncio.Future = asyncio.get_running_loop().create_future()
        self.proceeding = False
        self.ack: bytes | None = None  # the ACK to re-send for a retransmitted final response
        self.data = request.encode()
        self.key = request.branch + suffix
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

    def close(self) -> None:
        """Stops the timers and forgets the transaction at once (a CANCEL's, once the INVITE has ended)."""
        self.task.cancel()
        self.agent.transactions.pop(self.key, None)


async def cancel(tx: ClientTransaction) -> SipMessage | None:
    """CANCEL the INVITE of `tx` (same branch and Request-URI), then wait for its final response (487)."""
    r = tx.request
    headers = [["Via", r.get_all("via")[0]], ["Max-Forwards", "70"], ["From", r.get("from")], ["To", r.get("to")]]
    headers += [["Call-ID", r.call_id], ["CSeq", f"{r.cseq} CANCEL"]]
    headers += [["Route", v] for v in r.get_all("route")]
    request = SipMessage(f"CANCEL {r.uri} SIP/2.0", headers)
    # The CANCEL's own transaction shares the INVITE's branch: key it apart so both can be matched.
    cancel_tx = ClientTransaction(tx.agent, request, tx.dest, suffix=":CANCEL")
    try:
        return await asyncio.wait_for(asyncio.shield(tx.final), 64 * T1)
    except TimeoutError:
        return None
    finally:
        cancel_tx.close()
