"""Recordings made in a browser become the WAV the rest of the PBX knows (sipxweb/audio.py). A browser's MediaRecorder
writes WebM with Opus (Chromium, Firefox), Ogg with Opus (Firefox) or MP4 with AAC (Safari); `to_wav` decodes one with
FFmpeg's decoders (PyAV, whose wheels bundle FFmpeg: no encoder or parser of ours) into 16-bit mono WAV at 16 kHz, the
form the media server plays as stored (docs/mediaserver.md). On the floor because two apps take such recordings the
way they take an upload: voicemail greetings (apps/voicemail/services.save_greeting) and attendant prompts
(apps/attendants/services.prompt_file); each then checks the WAV with its own rules, as an uploaded one.

Only those three containers are opened, each with its own demuxer named (FFmpeg never guesses the format of the bytes,
so a playlist or a concat script cannot make it read anything else), and only an audio codec a browser records with
is decoded. The WAV written is bounded by the caller's size limit: a small file of silent Opus frames could otherwise
decode into gigabytes."""

import io
import wave

import av
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sipxweb.audio import NotAudio

RATE = 16000  # Hz: what the media server plays without converting (16-bit mono)
SAMPLE_BYTES = 2
WAV_HEADER_BYTES = 44

# The first bytes of each container a browser records into -> FFmpeg's demuxer for it.
_MATROSKA, _OGG = b"\x1a\x45\xdf\xa3", b"OggS"
CODECS = frozenset({"opus", "vorbis", "aac", "flac", "mp3"})


def _demuxer(data: bytes) -> str | None:
    if data[:4] == _MATROSKA:
        return "matroska"  # WebM is Matroska
    if data[:4] == _OGG:
        return "ogg"
    if data[4:8] == b"ftyp":
        return "mov"  # FFmpeg's MP4/M4A demuxer
    return None


def is_browser_recording(data: bytes) -> bool:
    """Whether `data` (its first bytes suffice) is a WebM, Ogg or MP4 file, the containers of browser recordings."""
    return _demuxer(data) is not None


def max_seconds(max_bytes: int) -> int:
    """The longest recording whose WAV fits in `max_bytes`."""
    return max(0, max_bytes - WAV_HEADER_BYTES) // (RATE * SAMPLE_BYTES)


def to_wav(data: bytes, max_bytes: int) -> bytes:
    """The WAV (16-bit mono, 16 kHz) of a browser recording, at most `max_bytes` long. Raises NotAudio with a sentence
    for anything else: another kind of file, a damaged one, one without sound, or one longer than the limit."""
    demuxer = _demuxer(data)
    if demuxer is None:
        raise NotAudio(_("The file is not a recording made in a browser (WebM, Ogg or MP4 audio)."))
    limit = max(0, max_bytes - WAV_HEADER_BYTES)
    pcm = bytearray()
    try:
        with av.open(io.BytesIO(data), mode="r", format=demuxer) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise NotAudio(_("The recording has no sound track."))
            context = stream.codec_context  # None when FFmpeg has no decoder for the damaged track's codec
            codec = getattr(context, "name", None)
            if codec not in CODECS:
                found = codec or "unknown"
                raise NotAudio(
                    _("The recording's sound is in a format browsers do not record in (%(codec)s).") % {"codec": found}
                )
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pcm += bytes(out.planes[0])[: out.samples * SAMPLE_BYTES]
                if len(pcm) > limit:
                    longest = _duration(max_seconds(max_bytes))
                    raise NotAudio(_("The recording is longer than %(duration)s.") % {"duration": longest})
            for out in resampler.resample(None):
                pcm += bytes(out.planes[0])[: out.samples * SAMPLE_BYTES]
    except NotAudio:
        raise
    except (av.FFmpegError, ValueError, IndexError, EOFError, OSError) as exc:
        damaged = _("The recording cannot be read: it is damaged or incomplete (%(reason)s).")
        raise NotAudio(damaged % {"reason": _reason(exc)}) from None
    del pcm[limit:]
    if not pcm:
        raise NotAudio(_("The recording has no sound in it."))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(SAMPLE_BYTES)
        w.setframerate(RATE)
        w.writeframes(bytes(pcm))
    return out.getvalue()


def _duration(seconds: int) -> str:
    """ "10 minutes", "1 minute 30 seconds" in the active language."""
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    if rest or not minutes:
        parts.append(ngettext("%(n)s second", "%(n)s seconds", rest) % {"n": rest})
    return " ".join(parts)


def _reason(exc: Exception) -> str:
    """FFmpeg's words for what is wrong ("Invalid data found when processing input"), without the file name."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.rstrip(".").split(": '")[0][:200]
