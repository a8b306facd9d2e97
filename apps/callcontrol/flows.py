"""The two call flows of click-to-call, mixed into the Agent (`CallFlows`):

* REFER mode (`refer`, sipXecs' third-party call control): INVITE the calling party -> 2xx -> ACK -> REFER
  (Refer-To = the called party) -> NOTIFYs (sipfrag) -> BYE on "180 Ringing", a final sipfrag, a terminated
  subscription, or REFER_WAIT seconds after the REFER was accepted.
* INVITE mode (`bridge`): the agent stays as a signalling B2BUA: offerless INVITE to the callee, re-INVITE of
  the caller with the callee's offer, ACKs with the answer, and a BYE from either leg relayed to the other.

Each returns (ok, outcome) for the attempt's record and appends the legs it opened to `legs` (the agent
hangs them up if the attempt is cancelled)."""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING

from django.conf import settings

from apps.callcontrol import store
from apps.callcontrol.legs import ALLOW, Leg
from apps.callcontrol.sip import SipUri, name_addr

if TYPE_CHECKING:
    from apps.callcontrol.agent import Agent
    from apps.callcontrol.attempt import Attempt

REFER_WAIT = 32.0  # after the REFER is accepted, how long we wait for a final sipfrag before hanging up
NO_ANSWER = "the calling party did not answer"  # how an outcome starts when the caller's phone never answered


def calling_ruri(attempt: Attempt) -> str:
    """The calling party's Request-URI: never to its voicemail, and not forwarded unless allowed."""
    params = [("sipx-noroute", "Voicemail")]
    if not attempt.forwarding_allowed:
        params.append(("sipx-userforward", "false"))
    return str(SipUri.parse(attempt.calling_uri).with_params(*params))


def caller_name_addr(attempt: Attempt) -> str:
    """The calling party as a name-addr, with the agent's name when the agent is the calling party (click-to-call
    from the portal: the user's own phones ring)."""
    calling = SipUri.parse(attempt.calling_uri)
    own = calling.user == attempt.agent and calling.host.lower() == settings.SIPX_DOMAIN.lower() and not calling.port
    return name_addr(attempt.calling_uri, attempt.display_name if own else None)


def callee_name_addr(attempt: Attempt) -> str:
    """The called party for the call record: without URI headers (a conference PIN is no part of a call's record)."""
    return name_addr(SipUri.parse(attempt.called_uri).without_headers())


class CallFlows:
    async def refer(self: Agent, attempt: Attempt, legs: list[Leg]) -> tuple[bool, str]:
        calling = attempt.calling_uri
        leg = Leg(self, attempt, calling, calling, calling_ruri(attempt))
        legs.append(leg)
        leg.announce = {"referred_by": caller_name_addr(attempt), "refer_to": callee_name_addr(attempt)}
        await self.db(store.set_call_id, attempt.id, leg.call_id)
        final = await self.invite(attempt, leg, self.dummy_sdp(leg), attempt.timeout, record=True)
        if final is None:
            return False, f"{NO_ANSWER} (CANCEL after timeout)"
        if final.status >= 300:
            return False, f"the calling party's INVITE failed: {final.first}"
        self.ack_2xx(leg, final)
        referred_by = name_addr(calling)
        refer_to = name_addr(attempt.called_uri)
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

    async def bridge(self: Agent, attempt: Attempt, legs: list[Leg]) -> tuple[bool, str]:
        calling = attempt.calling_uri
        a = Leg(self, attempt, calling, calling, calling_ruri(attempt))
        legs.append(a)
        await self.db(store.set_call_id, attempt.id, a.call_id)
        final = await self.invite(attempt, a, self.dummy_sdp(a), attempt.timeout, record=True)
        if final is None or final.status >= 300:
            return False, f"{NO_ANSWER}: {final.first if final else 'timeout'}"
        self.ack_2xx(a, final)
        called = attempt.called_uri
        b = Leg(self, attempt, called, called, called)
        legs.append(b)
        final_b = await self.invite(attempt, b, None, attempt.timeout, record=True)
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
