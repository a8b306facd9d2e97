"""The agent against scripted fake phones written in asyncio (no SIPp): RFC 3261 transaction rules that
SIPp cannot show (INVITE retransmission timers, ACK of a retransmitted final response, 407 with
Proxy-Authorization, duplicate NOTIFY answered idempotently, BYE on a "180 Ringing" sipfrag), the
re-INVITE (B2BUA) mode and SIP over TCP. Each test drives `Agent.place()` for one queued attempt."""

import asyncio
import hashlib
import time

import pytest

from apps.callcontrol import health
from apps.callcontrol.agent import Agent
from apps.callcontrol.models import CallAttempt, CallStatus
from apps.callcontrol.sip import param, parse, parse_challenge, response_to, uri_in
from apps.cdrs.models import Cdr

pytestmark = pytest.mark.django_db(transaction=True)


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class FakePhone:
    """Stands in for the proxy and the phones: `handler(msg, phone)` answers each message it receives."""

    def __init__(self, handler):
        self.handler = handler
        self.received: list = []  # (time, message)
        self.transport = None

    async def start_udp(self):
        phone = self

        class Proto(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr):
                phone.got(parse(data), lambda out: phone.transport.sendto(out, addr))

        self.transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            Proto, local_addr=("127.0.0.1", 0)
        )
        self.port = self.transport.get_extra_info("sockname")[1]
        return self

    async def start_tcp(self):
        async def client(reader, writer):
            self.writer = writer
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                msg = parse(head)
                length = int(msg.get("content-length") or 0)
                if length:
                    msg.body = await reader.readexactly(length)
                self.got(msg, writer.write)

        self.server = await asyncio.start_server(client, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def got(self, msg, send):
        self.received.append((time.monotonic(), msg))
        for out in self.handler(msg, self) or []:
            send(out if isinstance(out, bytes) else out.encode())

    def requests(self, method):
        return [m for _, m in self.received if m.is_request and m.method == method]

    def send_request(self, agent, method, leg_to, leg_from, call_id, cseq, body=b"", extra=()):
        """A request from the phone to the agent (NOTIFY, BYE) inside the agent's dialog."""
        from apps.callcontrol.sip import SipMessage

        msg = SipMessage(
            f"{method} sip:callcontroller@127.0.0.1:{agent.port} SIP/2.0",
            [
                ["Via", f"SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bKp{cseq}{method}"],
                ["From", leg_to],
                ["To", leg_from],
                ["Call-ID", call_id],
                ["CSeq", f"{cseq} {method}"],
                *[list(e) for e in extra],
            ],
            body,
        )
        self.transport.sendto(msg.encode(), ("127.0.0.1", agent.port))


def ok(msg, tag="ph1", body=b"", contact=None, port=None):
    r = response_to(msg, 200, "OK", to_tag=tag)
    if contact or port:
        r.add("Contact", contact or f"<sip:201@127.0.0.1:{port}>")
    if body:
        r.add("Content-Type", "application/sdp")
        r.body = body
    return r


def attempt_row(make_user, **kw):
    user = make_user("201", sip_password="s3cret", first_name="Bob")
    fields = {"key": "201:201:202", "calling_uri": "sip:201@example.org", "called_uri": "sip:202@example.org"}
    fields.update(kw)
    a = CallAttempt.objects.create(agent=user, **fields)
    return a, {
        "id": a.pk,
        "key": a.key,
        "agent": "201",
        "display_name": "Bob",
        "password": "s3cret",
        "calling_uri": a.calling_uri,
        "called_uri": a.called_uri,
        "forwarding_allowed": False,
        "subject": "",
        "timeout": a.timeout,
        "sip_method": a.sip_method,
    }


async def with_agent(phone, coro_fn, transport="udp"):
    proxy = f"127.0.0.1:{phone.port}" + (";transport=tcp" if transport == "tcp" else "")
    agent = Agent(bind="127.0.0.1", port=0, proxy=proxy)
    await agent.start()
    try:
        return await asyncio.wait_for(coro_fn(agent), 60)
    finally:
        agent.udp.close()
        if agent.tcp_server:
            agent.tcp_server.close()
        for writer in agent.tcp.values():
            writer.close()
        if not agent.stopping.is_set():  # else run() stopped cleanly: its shutdown() removed the heartbeat
            # start() beat: the cache table outlives the test's rows, and the next test must see no agent running
            await agent.db(health.stopped, agent.owner)
        agent.db_pool.shutdown(wait=True)


def statuses(attempt):
    return [(s.method, s.status_line) for s in CallStatus.objects.filter(attempt=attempt)]


def test_407_proxy_auth_refer_duplicate_notify_and_bye_on_180_sipfrag(make_user):
    attempt, data = attempt_row(make_user)
    seen = {}

    def handler(msg, phone):
        if not msg.is_request:
            return []
        if msg.method == "INVITE" and not msg.get("proxy-authorization"):
            r = response_to(msg, 407, "Proxy Authentication Required", to_tag="px")
            r.add("Proxy-Authenticate", 'Digest realm="example.org", nonce="abc", qop="auth"')
            return [r]
        if msg.method == "INVITE":
            seen["invite"] = msg
            return [response_to(msg, 180, "Ringing", to_tag="ph1"), ok(msg, body=b"v=0\r\n", port=phone.port)]
        if msg.method == "REFER":
            seen["refer"] = msg
            r = response_to(msg, 202, "Accepted")
            frm, to = msg.get("to"), msg.get("from")
            asyncio.get_running_loop().call_later(0.05, phone.notify, frm, to, msg.call_id)
            return [r]
        if msg.method == "BYE":
            seen["bye"] = msg
            return [ok(msg)]
        return []

    async def run(agent):
        phone = fake

        def notify(frm, to, call_id):
            frag = b"SIP/2.0 180 Ringing\r\n"
            extra = [("Event", "refer"), ("Subscription-State", "active"), ("Content-Type", "message/sipfrag")]
            for _ in range(2):  # a retransmitted NOTIFY: answered twice, acted on once
                phone.send_request(agent, "NOTIFY", frm, to, call_id, 101, frag, extra)

        phone.notify = notify
        await agent.place(data)

    fake = FakePhone(handler)
    asyncio.run(_start_and_run(fake, run))

    invite = seen["invite"]
    creds = parse_challenge(invite.get("proxy-authorization"))
    ha1, ha2 = md5("201:example.org:s3cret"), md5(f"INVITE:{invite.uri}")
    assert creds["response"] == md5(f"{ha1}:abc:{creds['nc']}:{creds['cnonce']}:auth:{ha2}")
    assert invite.uri == "sip:201@example.org;sipx-noroute=Voicemail;sipx-userforward=false"
    assert invite.get("route") == f"<sip:127.0.0.1:{fake.port};lr>"
    assert invite.get("from").startswith('"Bob" <sip:201@example.org>;tag=')
    assert b"m=audio 2222 RTP/AVP 0 101" in invite.body
    acks = fake.requests("ACK")
    assert acks[0].branch == fake.requests("INVITE")[0].branch  # ACK of the 407: same branch
    assert acks[1].branch != invite.branch and acks[1].cseq == invite.cseq  # ACK of the 2xx: new transaction
    assert acks[1].uri == f"sip:201@127.0.0.1:{fake.port}"
    refer = seen["refer"]
    assert refer.get("refer-to") == "<sip:202@example.org>" and refer.get("referred-by") == "<sip:201@example.org>"
    assert param(refer.get("to"), "tag") == "ph1" and refer.cseq > invite.cseq
    bye = seen["bye"]
    assert param(bye.get("to"), "tag") == "ph1" and bye.cseq > refer.cseq
    notify_answers = [m for _, m in fake.received if not m.is_request and m.cseq_method == "NOTIFY"]
    assert len(notify_answers) == 2 and notify_answers[0].encode() == notify_answers[1].encode()
    lines = statuses(attempt)
    assert lines.count(("NOTIFY", "SIP/2.0 180 Ringing")) == 1
    assert ("INVITE", "SIP/2.0 407 Proxy Authentication Required") in lines
    attempt.refresh_from_db()
    assert attempt.state == "done"
    cdr = Cdr.objects.get(call_id=invite.call_id)
    assert cdr.termination == "T" and cdr.end_time is not None and cdr.caller_name == "Bob"


async def _start_and_run(fake, run, transport="udp"):
    await (fake.start_tcp() if transport == "tcp" else fake.start_udp())
    return await with_agent(fake, run, transport)


def test_invite_retransmission_timer_a_and_ack_of_a_retransmitted_final(make_user):
    attempt, data = attempt_row(make_user)

    def handler(msg, phone):
        if msg.is_request and msg.method == "INVITE":
            if len(phone.requests("INVITE")) < 3:
                return []  # lost: the agent must retransmit (Timer A: 0.5 s, then 1 s)
            busy = response_to(msg, 486, "Busy Here", to_tag="b")
            return [busy, busy]  # the second copy is a retransmission: ACK it again
        return []

    fake = FakePhone(handler)
    asyncio.run(_start_and_run(fake, lambda agent: agent.place(data)))
    times = [t for t, m in fake.received if m.is_request and m.method == "INVITE"]
    assert len(times) == 3 and len({m.branch for m in fake.requests("INVITE")}) == 1
    assert 0.4 <= times[1] - times[0] <= 1.5 and 0.8 <= times[2] - times[1] <= 2.5
    acks = fake.requests("ACK")
    assert len(acks) == 2 and acks[0].branch == fake.requests("INVITE")[0].branch
    attempt.refresh_from_db()
    assert attempt.state == "failed" and "486" in attempt.outcome
    assert Cdr.objects.get().termination == "F" and Cdr.objects.get().failure_status == 486


def test_no_retransmission_after_a_provisional_response(make_user):
    attempt, data = attempt_row(make_user, timeout=2)

    def handler(msg, phone):
        if msg.is_request and msg.method == "INVITE":
            return [response_to(msg, 180, "Ringing", to_tag="r")]
        if msg.is_request and msg.method == "CANCEL":
            invite = phone.requests("INVITE")[0]
            return [ok(msg, tag="r"), response_to(invite, 487, "Request Terminated", to_tag="r")]
        return []

    fake = FakePhone(handler)
    asyncio.run(_start_and_run(fake, lambda agent: agent.place(data)))
    assert len(fake.requests("INVITE")) == 1
    cancel = fake.requests("CANCEL")[0]
    invite = fake.requests("INVITE")[0]
    assert cancel.branch == invite.branch and cancel.uri == invite.uri and cancel.cseq == invite.cseq
    assert fake.requests("ACK")[0].branch == invite.branch
    assert ("INVITE", "SIP/2.0 487 Request Terminated") in statuses(attempt)


def test_reinvite_mode_bridges_the_two_legs_and_relays_the_bye(make_user):
    attempt, data = attempt_row(make_user, sip_method="invite")
    data["sip_method"] = "invite"
    offer_b = b"v=0\r\no=callee 1 1 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.9\r\nm=audio 4000 RTP/AVP 0\r\n"
    answer_a = b"v=0\r\no=caller 1 2 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.8\r\nm=audio 5000 RTP/AVP 0\r\n"
    seen = {}

    def handler(msg, phone):
        if not msg.is_request:
            return []
        if msg.method == "INVITE" and msg.uri.startswith("sip:202@"):
            seen["b_invite"] = msg
            return [ok(msg, tag="b1", body=offer_b, contact=f"<sip:202@127.0.0.1:{phone.port}>")]
        if msg.method == "INVITE" and param(msg.get("to"), "tag") == "a1":
            seen["reinvite"] = msg
            return [ok(msg, tag="a1", body=answer_a, port=phone.port)]
        if msg.method == "INVITE":
            return [ok(msg, tag="a1", body=b"v=0\r\n", port=phone.port)]
        if msg.method == "ACK" and uri_in(msg.uri).startswith("sip:202@"):
            seen["b_ack"] = msg
            a_invite = phone.requests("INVITE")[0]
            asyncio.get_running_loop().call_later(
                0.2,
                phone.send_request,
                phone.agent,
                "BYE",
                a_invite.get("to") + ";tag=a1",
                a_invite.get("from"),
                a_invite.call_id,
                500,
            )
        if msg.method == "BYE":
            seen["b_bye"] = msg
            return [ok(msg)]
        return []

    fake = FakePhone(handler)

    async def run(agent):
        fake.agent = agent
        await agent.place(data)

    asyncio.run(_start_and_run(fake, run))
    assert not seen["b_invite"].body  # offerless INVITE to the callee
    assert seen["reinvite"].body == offer_b  # the callee's offer goes to the caller
    assert seen["b_ack"].body == answer_a  # the caller's answer goes back in the ACK
    assert seen["b_bye"].uri == f"sip:202@127.0.0.1:{fake.port}"
    attempt.refresh_from_db()
    assert attempt.state == "done"
    assert Cdr.objects.filter(end_time__isnull=False).count() == 2


def test_sip_over_tcp(make_user):
    attempt, data = attempt_row(make_user)

    def handler(msg, phone):
        if msg.is_request and msg.method == "INVITE":
            return [response_to(msg, 603, "Decline", to_tag="d")]
        return []

    fake = FakePhone(handler)
    asyncio.run(_start_and_run(fake, lambda agent: agent.place(data), transport="tcp"))
    invite = fake.requests("INVITE")[0]
    assert invite.get("via").startswith("SIP/2.0/TCP ")
    assert len(fake.requests("INVITE")) == 1  # no retransmission over a reliable transport
    assert fake.requests("ACK")
    assert ("INVITE", "SIP/2.0 603 Decline") in statuses(attempt)
