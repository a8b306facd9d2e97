"""One call the media server answers, as the flows (apps/mediaserver/flows/) see it: awaitable steps — answer,
play prompts, record, collect DTMF, transfer, hang up — over a pjsua2 call.

Everything here runs in the media server's one thread (server.py): pjsua2 is set to call back only from
`libHandleEvents`, which the asyncio loop calls, so a callback and a coroutine never run at the same time. pjsua2
objects are kept referenced here for as long as PJSIP uses them (a garbage-collected player would free memory the
conference bridge still reads) and released after the call has ended, outside pjsua2's callbacks."""

import asyncio
import logging
import wave
from collections.abc import Sequence
from pathlib import Path

import pjsua2 as pj

from apps.mediaserver.sipmessage import Invite

log = logging.getLogger("sipxweb.mediaserver")


class Hangup(Exception):
    """The caller hung up (or the call was ended): the flow stops at its next step."""


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate() or 1)


def wav_complete(path: Path) -> bool:
    """Whether the WAV file's header counts every byte it holds (a recorder still open has not written it)."""
    try:
        size = path.stat().st_size
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() > 0 and size - wav.getnframes() * wav.getsampwidth() * wav.getnchannels() <= 64
    except (wave.Error, EOFError, OSError):
        return False


class MediaCall(pj.Call):
    """An incoming call and its flow. `invite` says what was asked for (service, target) and by whom."""

    def __init__(self, server, account: pj.Account, call_id: int, invite: Invite):
        super().__init__(account, call_id)
        self.server = server
        self.invite = invite
        self.audio: pj.AudioMedia | None = None  # the caller's audio in the conference bridge, once media is up
        self.gone = False
        self.digits: list[str] = []
        self._media_up = asyncio.Event()
        self._digit = asyncio.Event()
        self._ended = asyncio.Event()
        self._transfer_done = asyncio.Event()
        self._players: list[pj.AudioMediaPlayer] = []
        self._recorder: pj.AudioMediaRecorder | None = None
        self.stats = None  # the audio stream's statistics, read just before it ended (bench/mediaserver.py)

    # ---- pjsua2 callbacks (run inside libHandleEvents) ----------------------------------------------------

    def onCallState(self, prm):
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.gone:
            self.gone = True
            self._ended.set()
            self._digit.set()
            self._media_up.set()
            self.server.call_ended(self)

    def onCallMediaState(self, prm):
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = self.getAudioMedia(media.index)
                self._media_up.set()
                return

    def onStreamDestroyed(self, prm):
        # The receive side's figures of the call, one log line (bench/mediaserver.py reads them): RTP packets
        # received, lost (sequence gaps), and discarded by the jitter buffer (late or too many).
        try:
            stat = self.getStreamStat(prm.streamIdx)
        except pj.Error:
            return
        rx = stat.rtcp.rxStat
        self.stats = {"received": rx.pkt, "lost": rx.loss, "discarded": stat.jbuf.discard,
                      "jitter_ms": rx.jitterUsec.mean / 1000.0}  # fmt: skip
        log.info(
            "stream of a %s call: %d packets received, %d lost, %d discarded, jitter %.1f ms",
            self.invite.params.get("service", "?"),
            *self.stats.values(),
        )

    def onCallTransferStatus(self, prm):
        # The transfer target rings or answered (the NOTIFYs of our REFER): this leg is done, the caller's phone
        # has its new call. Final or not, no further NOTIFY is wanted.
        if prm.statusCode >= 180 or prm.finalNotify:
            self._transfer_done.set()
            prm.cont = False

    def onDtmfDigit(self, prm):
        self.digits.append(prm.digit)
        self._digit.set()

    # ---- what flows await ---------------------------------------------------------------------------------

    async def pick_up(self) -> None:
        """Answers (200) and waits for the audio to flow; nothing when answered already (a flow run from another,
        e.g. voicemail retrieval from an attendant's menu)."""
        if self.audio is not None:
            return
        op = pj.CallOpParam()
        op.statusCode = 200
        self.answer(op)
        await self._wait(self._media_up, timeout=10)
        if self.audio is None:
            raise Hangup("no audio")
        # PJSIP's bridge reads a port only while something listens to it; unread, the caller's jitter buffer
        # overflows and discards while a prompt plays (and the stream figures count those as lost audio). The null
        # sound device's port listens to every caller, so the stream is always read and its figures are true.
        self.audio.startTransmit(self.server.sink)

    def _check(self) -> None:
        if self.gone:
            raise Hangup()

    async def _wait(self, event: asyncio.Event, timeout: float | None) -> bool:
        """True when `event` was set, False at the timeout."""
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def play(self, files: Sequence[Path], interrupt: bool = True) -> str | None:
        """Plays the files one after another. With `interrupt`, a key pressed (or already pressed and not yet
        read) stops the playing and is returned, left in `digits` for collect(); else None at the end."""
        self._check()
        files = [Path(f) for f in files if f]
        if not files or (interrupt and self.digits):
            return self.digits[0] if self.digits else None
        seconds = sum(wav_seconds(f) for f in files)
        player = pj.AudioMediaPlayer()
        if len(files) == 1:
            player.createPlayer(str(files[0]), pj.PJMEDIA_FILE_NO_LOOP)
        else:
            player.createPlaylist(pj.StringVector([str(f) for f in files]), "prompt", pj.PJMEDIA_FILE_NO_LOOP)
        self._players.append(player)
        player.startTransmit(self.audio)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds + 0.1
        try:
            while True:
                self._check()
                if interrupt and self.digits:
                    return self.digits[0]
                left = deadline - loop.time()
                if left <= 0:
                    return None
                self._digit.clear()
                await self._wait(self._digit if interrupt else self._ended, left)
        finally:
            self._stop_player(player)

    def _stop_player(self, player) -> None:
        try:
            if self.audio is not None and not self.gone:
                player.stopTransmit(self.audio)
        except pj.Error:
            pass
        self.server.release_later(player)
        if player in self._players:
            self._players.remove(player)

    async def collect(self, max_digits: int, timeout: float, terminator: str = "#") -> str:
        """Up to `max_digits` keys (those pressed during a prompt first), ended early by `terminator` (not
        returned) or by `timeout` seconds without a key. "" when nothing was pressed."""
        typed = ""
        while len(typed) < max_digits:
            self._check()
            if not self.digits:
                self._digit.clear()
                if not await self._wait(self._digit, timeout):
                    break
                continue
            key = self.digits.pop(0)
            if key == terminator:
                break
            typed += key
        return typed

    async def record(self, path: Path, max_seconds: float, stop_keys: str = "#") -> float:
        """Records the caller into the WAV `path` until a key of `stop_keys`, `max_seconds` or the caller's hang-up
        (which ends the recording, not the flow: a message left by hanging up is kept). Returns the seconds
        recorded."""
        self._check()
        self.digits.clear()
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(str(path))
        self.audio.startTransmit(recorder)
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + max_seconds
        try:
            while not self.gone and loop.time() < deadline:
                if any(k in stop_keys for k in self.digits):
                    break
                self._digit.clear()
                await self._wait(self._digit, deadline - loop.time())
        finally:
            try:
                if not self.gone:
                    self.audio.stopTransmit(recorder)
            except pj.Error:
                pass
            del recorder
        # PJSIP 2.15 removes a port from the conference bridge asynchronously: the recorder closes its file, and
        # writes the WAV header's lengths, only on a later turn of the event loop.
        closing = loop.time() + 2
        while not wav_complete(path) and loop.time() < closing:
            await asyncio.sleep(0.02)
        self.digits.clear()
        return loop.time() - started

    async def pause(self, seconds: float) -> None:
        """Waits, ended early by the caller's hang-up."""
        self._check()
        await self._wait(self._ended, seconds)
        self._check()

    def transfer(self, uri: str) -> None:
        """Asks the caller's phone to call `uri` instead (a blind transfer, REFER): the new call goes through the
        proxy like any other, so the callee's ring list and voicemail apply."""
        self._check()
        self.xfer(uri, pj.CallOpParam(True))

    async def transferred(self, timeout: float = 30) -> None:
        """Waits until the transfer target rings or answers (then this leg may end) or the caller's phone has left
        this call, at most `timeout` seconds."""
        either = [asyncio.ensure_future(self._ended.wait()), asyncio.ensure_future(self._transfer_done.wait())]
        try:
            await asyncio.wait(either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in either:
                waiter.cancel()

    def end(self, code: int = 200) -> None:
        """Hangs up (or refuses with `code` while not answered yet)."""
        if self.gone:
            return
        op = pj.CallOpParam()
        op.statusCode = code
        try:
            self.hangup(op)
        except pj.Error as exc:
            log.debug("hangup: %s", exc.info())
