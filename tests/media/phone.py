"""Phones for the media server's tests, driven from Python with pjsua2 (PJSIP): they register with a user's SIP
credentials at the real Kamailio, call, send RFC 4733 DTMF, play a WAV into the call, record what they hear, and
follow a transfer (REFER) by calling through the proxy.

One pjsua2 endpoint per test process (PJSIP allows one), polled from the test's own thread: nothing happens between
`Phones.wait()` calls, so a test reads its phones' state without locks."""

import time
from pathlib import Path

import pjsua2 as pj


class TestCall(pj.Call):
    def __init__(self, phone: "Phone", call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(phone, call_id)
        self.phone = phone
        self.state = "new"
        self.code = 0  # the last status code seen (180, 200, 486, ...)
        self.audio: pj.AudioMedia | None = None
        self.transferred_to: TestCall | None = None
        self._keep: list = []

    def onCallState(self, prm):
        info = self.getInfo()
        self.code = info.lastStatusCode
        self.state = {
            pj.PJSIP_INV_STATE_CALLING: "calling",
            pj.PJSIP_INV_STATE_EARLY: "early",
            pj.PJSIP_INV_STATE_CONNECTING: "connecting",
            pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
            pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
        }.get(info.state, self.state)

    def onCallMediaState(self, prm):
        info = self.getInfo()  # kept: its media vector points into it
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = self.getAudioMedia(media.index)

    def onCallTransferRequest(self, prm):
        # Follow the REFER with a call of our own, kept so the test can watch it.
        new = TestCall(self.phone)
        prm.newCall = new
        self.transferred_to = new
        self.phone.calls.append(new)

    @property
    def active(self) -> bool:
        return self.state == "confirmed" and self.audio is not None

    @property
    def ended(self) -> bool:
        return self.state == "disconnected"

    def dtmf(self, keys: str) -> None:
        param = pj.CallSendDtmfParam()
        param.method = pj.PJSUA_DTMF_METHOD_RFC2833
        param.digits = keys
        param.duration = 120
        self.sendDtmf(param)

    def play(self, wav: Path, loop: bool = False) -> None:
        player = pj.AudioMediaPlayer()
        player.createPlayer(str(wav), 0 if loop else pj.PJMEDIA_FILE_NO_LOOP)
        player.startTransmit(self.audio)
        self._keep.append(player)

    def record(self, wav: Path) -> pj.AudioMediaRecorder:
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(str(wav))
        self.audio.startTransmit(recorder)
        self._keep.append(recorder)
        return recorder

    def stop_recording(self, recorder) -> None:
        """Closes the WAV file (its header is written when PJSIP lets the recorder go)."""
        if self.audio is not None and not self.ended:
            try:
                self.audio.stopTransmit(recorder)
            except pj.Error:
                pass
        self._keep.remove(recorder)

    def stop_playing(self) -> None:
        for player in [p for p in self._keep if isinstance(p, pj.AudioMediaPlayer)]:
            if self.audio is not None and not self.ended:
                try:
                    player.stopTransmit(self.audio)
                except pj.Error:
                    pass
            self._keep.remove(player)

    def hang_up(self) -> None:
        if not self.ended:
            try:
                self.hangup(pj.CallOpParam(True))
            except pj.Error:
                pass


class Phone(pj.Account):
    """A user's phone registered at the proxy; answers incoming calls when `auto_answer`."""

    def __init__(self, phones: "Phones", user: str, password: str, proxy: str, auto_answer: bool = True):
        super().__init__()
        self.phones, self.user, self.proxy = phones, user, proxy
        self.auto_answer = auto_answer
        self.calls: list[TestCall] = []
        self.incoming: list[TestCall] = []
        self.registered = False
        cfg = pj.AccountConfig()
        cfg.idUri = f"sip:{user}@{phones.domain}"
        cfg.regConfig.registrarUri = f"sip:{proxy}"
        cfg.regConfig.timeoutSec = 300
        cfg.sipConfig.proxies.append(f"sip:{proxy};lr")
        cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
        cfg.mediaConfig.transportConfig.port = 0  # any free RTP port
        cfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.create(cfg)

    def onRegState(self, prm):
        self.registered = prm.code == 200 and prm.expiration > 0

    def onIncomingCall(self, prm):
        call = TestCall(self, prm.callId)
        self.incoming.append(call)
        self.calls.append(call)
        op = pj.CallOpParam()
        op.statusCode = 180
        call.answer(op)
        if self.auto_answer:
            op = pj.CallOpParam()
            op.statusCode = 200
            call.answer(op)

    def call(self, number: str) -> TestCall:
        call = TestCall(self)
        try:
            call.makeCall(f"sip:{number}@{self.phones.domain}", pj.CallOpParam(True))
        except pj.Error as exc:
            raise AssertionError(f"{self.user} cannot call {number}: {exc.info()}") from None
        self.calls.append(call)
        return call


class Phones:
    """The test process's pjsua2 endpoint and its phones."""

    def __init__(self, domain: str, max_calls: int = 8):
        self.domain = domain
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = max_calls  # PJSIP's default is 4
        cfg.medConfig.maxMediaPorts = 4 * max_calls + 16
        cfg.logConfig.level = 1
        cfg.logConfig.consoleLevel = 1
        cfg.medConfig.noVad = True
        cfg.medConfig.ecTailLen = 0
        self.ep.libInit(cfg)
        self.ep.audDevManager().setNullDev()
        transport = pj.TransportConfig()
        transport.port = 0
        transport.boundAddress = "127.0.0.1"
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.ep.libStart()
        # G.722 first, as the media server ranks it: PJSIP's default first codec, Speex, chops pure tones into bursts.
        self.ep.codecSetPriority("G722/16000", 255)
        self.phones: list[Phone] = []

    def phone(self, user: str, password: str, proxy: str, auto_answer: bool = True, timeout: float = 10) -> Phone:
        phone = Phone(self, user, password, proxy, auto_answer)
        self.phones.append(phone)
        self.wait(lambda: phone.registered, timeout, f"{user} registers at {proxy}")
        return phone

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ep.libHandleEvents(10)

    def wait(self, condition, timeout: float, what: str = "the condition", explain=None) -> None:
        """Pumps PJSIP until `condition()`; on timeout fails naming `what`, with `explain()` (e.g. the logs)."""
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {what}" + (f"\n{explain()}" if explain else "")
                )
            self.ep.libHandleEvents(10)

    def hang_up_all(self) -> None:
        for phone in self.phones:
            for call in phone.calls:
                call.hang_up()
        self.pump(0.3)

    def forget(self, phones: list[Phone]) -> None:
        """Hangs up and unregisters `phones`. Players and recorders go first (PJSIP removes their bridge ports on a
        later turn), then the calls, then the accounts, each given a turn: freeing them under PJSIP trips its
        assertions."""
        for phone in phones:
            for call in phone.calls:
                call.hang_up()
        self.pump(0.3)
        for phone in phones:
            for call in phone.calls:
                call._keep.clear()
                call.transferred_to = None
        self.pump(0.2)
        for phone in phones:
            phone.calls.clear()
            phone.incoming.clear()
            phone.shutdown()
            self.phones.remove(phone)
        self.pump(0.3)

    def close(self) -> None:
        self.forget(list(self.phones))
        import gc

        gc.collect()
        self.pump(0.1)
        # A failed test's traceback can still hold a call, player or recorder: its C++ side must not be deleted
        # after the library (PJSIP asserts and the process aborts), so Python gives those up before it goes.
        # (type(), not isinstance(): isinstance asks a lazy proxy, e.g. one of Django's, for its __class__.)
        pjsua_types = (pj.Call, pj.AudioMedia, pj.Account)
        for obj in gc.get_objects():
            if issubclass(type(obj), pjsua_types) and obj.thisown:
                obj.thisown = False
        self.ep.libDestroy()
