"""The media server process (`manage.py run_mediaserver`, docs/mediaserver.md): one PJSIP endpoint on
MEDIA_SIP_HOST:MEDIA_SIP_PORT that answers the calls the proxy routes to it and runs each one's flow.

One thread runs everything SIP: an asyncio loop that hands PJSIP its events every few milliseconds
(`libHandleEvents`; pjsua2 is told to call back from there only), and the flows as coroutines. The audio itself
(players, recorders, mixing) runs in PJSIP's media clock thread and never waits for Python. Database work goes to
Django's thread for synchronous code (`db()`), so a slow query never stalls another call's prompt or DTMF."""

import asyncio
import contextlib
import logging
import signal
import time

import pjsua2 as pj
from django.conf import settings

from apps.mediaserver import health
from apps.mediaserver.calls import Hangup, MediaCall
from apps.mediaserver.dbthread import db
from apps.mediaserver.flows import FLOWS, conference
from apps.mediaserver.sipmessage import parse_invite

log = logging.getLogger("sipxweb.mediaserver")
CODEC_PRIORITIES = {"G722/16000": 255, "PCMU/8000": 254, "PCMA/8000": 253, "speex/16000": 0, "speex/8000": 0,
                    "speex/32000": 0, "iLBC/8000": 0}  # fmt: skip
PUMP_MS = 5  # how long one libHandleEvents may wait for SIP traffic before the loop runs coroutines again


class Account(pj.Account):
    """The media server's one identity: it registers nowhere; every INVITE reaching the port comes here."""

    def __init__(self, server: "MediaServer"):
        super().__init__()
        self.server = server

    def onIncomingCall(self, prm):
        self.server.incoming(self, prm)


class MediaServer:
    def __init__(self, host: str, port: int, rtp_port: int, max_calls: int, trusted: set[str]):
        self.host, self.port, self.rtp_port = host, port, rtp_port
        self.max_calls = max_calls
        self.trusted = trusted
        self.calls: dict[int, MediaCall] = {}
        self.tasks: set[asyncio.Task] = set()
        self._released: list = []
        self.started = time.time()
        self.answered = 0

    # ---- PJSIP ------------------------------------------------------------------------------------------------

    def start_endpoint(self) -> None:
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = max(self.max_calls + 4, 4)  # room to answer 486 beyond the limit
        cfg.uaConfig.userAgent = "sipxweb media server"
        cfg.logConfig.level = settings.MEDIA_PJSIP_LOG_LEVEL
        cfg.logConfig.consoleLevel = settings.MEDIA_PJSIP_LOG_LEVEL
        cfg.medConfig.noVad = True  # silence is recorded as silence, not dropped
        cfg.medConfig.ecTailLen = 0  # no echo: nothing here has a loudspeaker
        cfg.medConfig.maxMediaPorts = max(2 * self.max_calls + 16, 64)
        self.ep.libInit(cfg)
        self.ep.audDevManager().setNullDev()
        self.sink = self.ep.audDevManager().getPlaybackDevMedia()  # calls.py: what keeps every caller's stream read
        transport = pj.TransportConfig()
        transport.port = self.port
        transport.boundAddress = self.host
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.ep.libStart()
        # Phone codecs first: PJSIP ranks Speex first by default, which chops pure tones (and music on greetings)
        # into bursts; G.722 keeps 16 kHz, G.711 is what every phone has.
        for codec, priority in CODEC_PRIORITIES.items():
            try:
                self.ep.codecSetPriority(codec, priority)
            except pj.Error:
                log.info("codec %s not in this PJSIP", codec)
        acc = pj.AccountConfig()
        acc.idUri = f"sip:media@{self.host}:{self.port}"
        acc.mediaConfig.transportConfig.port = self.rtp_port
        acc.mediaConfig.transportConfig.portRange = max(4 * self.max_calls, 100)
        acc.mediaConfig.transportConfig.boundAddress = self.host
        self.account = Account(self)
        self.account.create(acc)
        log.info("media server on udp %s:%s (RTP from %s)", self.host, self.port, self.rtp_port)

    def stop_endpoint(self) -> None:
        for call in list(self.calls.values()):
            call.end()
        self.calls.clear()
        self._released.clear()
        self.account.shutdown()
        self.ep.libDestroy()

    # ---- calls ------------------------------------------------------------------------------------------------

    def refusal(self, source: str, service: str) -> int:
        """The status a new call gets instead of its flow (0: none, take it): only the proxy may call (403), only
        a known service (404), and no more than MEDIA_MAX_CALLS at once (486)."""
        if self.trusted and source not in self.trusted:
            log.warning("refused a call from %s: only the proxy may call the media server", source)
            return 403
        if service not in FLOWS:
            log.warning("refused a call for %r: no such service", service)
            return 404
        if len(self.calls) >= self.max_calls:
            log.warning("refused a call: %d calls in progress (MEDIA_MAX_CALLS)", len(self.calls))
            return 486
        return 0

    def incoming(self, account: Account, prm) -> None:
        invite = parse_invite(prm.rdata.wholeMsg)
        source = prm.rdata.srcAddress.rsplit(":", 1)[0].strip("[]")
        call = MediaCall(self, account, prm.callId, invite)
        service = invite.params.get("service", "")
        code = self.refusal(source, service)
        if code:
            call.end(code)
            self.release_later(call)
            return
        self.calls[prm.callId] = call
        self.answered += 1
        task = asyncio.get_running_loop().create_task(self._run(FLOWS[service], call))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, flow, call: MediaCall) -> None:
        try:
            await flow(call)
        except Hangup:
            pass
        except Exception:
            log.exception("the %s flow failed", call.invite.params.get("service"))
        finally:
            call.end()

    def call_ended(self, call: MediaCall) -> None:
        for call_id, known in list(self.calls.items()):
            if known is call:
                del self.calls[call_id]
        self.release_later(call)

    def release_later(self, obj) -> None:
        """Keeps a pjsua2 object alive until the loop's next turn: deleting it inside the callback that ended
        it frees memory PJSIP is still using."""
        self._released.append(obj)

    # ---- the loop ---------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        next_health = 0.0
        while not stop.is_set():
            self.ep.libHandleEvents(PUMP_MS)
            if self._released:
                released, self._released = self._released, []
                del released
            now = time.monotonic()
            if now >= next_health:
                next_health = now + health.INTERVAL
                task = asyncio.get_running_loop().create_task(db(health.beat)(self.report()))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            await asyncio.sleep(0)

    def report(self) -> dict:
        return {
            "address": f"{self.host}:{self.port}",
            "calls": len(self.calls),
            "answered": self.answered,
            "max_calls": self.max_calls,
            "started": self.started,
        }


def serve() -> None:
    server = MediaServer(
        settings.MEDIA_SIP_HOST,
        settings.MEDIA_SIP_PORT,
        settings.MEDIA_RTP_PORT,
        settings.MEDIA_MAX_CALLS,
        set(settings.MEDIA_TRUSTED_ADDRESSES),
    )
    server.start_endpoint()
    conference.started()  # rooms of an earlier process are empty now: their participant rows go

    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await server.run(stop)
        for task in list(server.tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*server.tasks, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        server.stop_endpoint()
        with contextlib.suppress(Exception):
            health.stopped()
