"""The agent's out-of-dialog NOTIFYs (mixed into the Agent as `Notifications`): the rows web workers queued
(`apps/callcontrol/notifications.py`) are claimed every NOTIFY_POLL seconds and each is sent as

    NOTIFY sip:<user>@<SIPX_DOMAIN>   Route: <sip:proxy;lr>   From/To: the user   Event: <event>

to the proxy, which looks the user's registrations up and forks it to them: the same way click-to-call's INVITE
reaches the calling party's phones. The proxy's 401/407 challenge is answered once with the user's own SIP
password (as the INVITE answers with the calling user's), so the proxy's rule "the From is the authenticated
user" holds. The final response is written back: 200 from a phone, 404 (no such user) or 480 (nothing registered)
from the proxy, or none within Timer F."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings

from apps.callcontrol import notifications
from apps.callcontrol.sip import SipMessage, SipUri, digest_credentials, name_addr, new_branch, token, via_value
from apps.callcontrol.transactions import ClientTransaction

if TYPE_CHECKING:
    from apps.callcontrol.agent import Agent

log = logging.getLogger("apps.callcontrol.notify")

NOTIFY_POLL = 0.2  # seconds between claims: a resync is not latency-critical, and the attempts' 20 ms poll is


class Notifications:
    notify_polled = 0.0
    notify_purged = 0.0

    def notify_request(self: Agent, user: str, event: str, call_id: str, tag: str, cseq: int) -> SipMessage:
        uri = SipUri(user, settings.SIPX_DOMAIN)
        proxy = SipUri(None, self.proxy[0], self.proxy[1], (("lr", None),))
        return SipMessage(
            f"NOTIFY {uri} SIP/2.0",
            [
                ["Via", via_value(self.transport_name, self.address, self.port, new_branch())],
                ["Max-Forwards", "70"],
                ["Route", name_addr(proxy)],
                ["From", f"{name_addr(uri)};tag={tag}"],
                ["To", name_addr(uri)],
                ["Call-ID", call_id],
                ["CSeq", f"{cseq} NOTIFY"],
                ["Contact", self.contact],
                ["Event", event],
                # RFC 6665: every NOTIFY names its subscription's state; there is none, it ends with this one.
                ["Subscription-State", "terminated;reason=noresource"],
            ],
        )

    async def send_notify(self: Agent, user: str, password: str | None, event: str) -> SipMessage | None:
        """Sends one NOTIFY (one challenge answered); its final response, or None when none came (Timer F)."""
        dest = (await self.resolve(self.proxy[0]), self.proxy[1], self.proxy[2])
        call_id, tag = f"{token(20)}@{self.address}", token(8)
        cseq, auth = 1, None
        while True:
            msg = self.notify_request(user, event, call_id, tag, cseq)
            if auth:
                msg.add(*auth)
            final = await ClientTransaction(self, msg, dest).final
            if final is not None and final.status in (401, 407) and auth is None and password:
                header = "WWW-Authenticate" if final.status == 401 else "Proxy-Authenticate"
                creds = digest_credentials(final.get(header), "NOTIFY", msg.uri, user, password)
                auth = ("Authorization" if final.status == 401 else "Proxy-Authorization", creds)
                cseq += 1
                continue
            return final

    async def notify(self: Agent, row: dict) -> None:
        status, reason, outcome = None, "", ""
        try:
            final = await self.send_notify(row["user"], row["password"], row["event"])
        except asyncio.CancelledError:
            outcome = "the call-control agent stopped"
        except Exception as exc:
            log.exception("NOTIFY %s to %s failed", row["event"], row["user"])
            outcome = f"agent error: {exc}"
        else:
            if final is None:
                outcome = "no answer from the proxy (timed out)"
            else:
                status, reason = final.status, final.reason
        await asyncio.shield(self.db(notifications.finish, row["id"], status, reason, outcome))
        log.info("NOTIFY %s to %s: %s", row["event"], row["user"], f"{status} {reason}" if status else outcome)

    async def poll_notifications(self: Agent) -> None:
        """Called by the agent's loop on every turn; claims queued NOTIFYs every NOTIFY_POLL seconds."""
        now = time.monotonic()
        if now - self.notify_polled < NOTIFY_POLL:
            return
        self.notify_polled = now
        try:
            if now - self.notify_purged > 3600:
                self.notify_purged = now
                await self.db(notifications.purge)
            rows = await self.db(notifications.claim, self.owner)
        except Exception:
            log.exception("polling for NOTIFYs failed")
            return
        for row in rows:
            task = asyncio.create_task(self.notify(row))
            self.notify_tasks.add(task)
            task.add_done_callback(self.notify_tasks.discard)

    async def stop_notifications(self: Agent) -> None:
        for task in list(self.notify_tasks):
            task.cancel()
        if self.notify_tasks:
            await asyncio.wait(list(self.notify_tasks), timeout=5)
        await self.db(notifications.fail_running, self.owner, "the call-control agent stopped")
