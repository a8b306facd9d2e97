"""What a recording is, read from its bytes: WAV with the stdlib's `wave`, MP3 with mutagen. Anything else
is refused (the media server only ever delivers and plays these two). On the floor because two apps judge uploads by
it: voicemail (messages, greetings) and attendants (prompts), so a text file named `.wav` is refused by both."""

import io
import wave
from dataclasses import dataclass

from django.utils.translation import gettext as _
from mutagen import MutagenError
from mutagen.mp3 import MP3


class NotAudio(ValueError):
    """The file is neither a readable WAV nor a readable MP3."""


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "wav" | "mp3"
    duration: int  # whole seconds, rounded
    seconds: float


def _looks_like_mp3(head: bytes) -> bool:
    # An ID3v2 tag, or an MPEG audio frame sync (11 set bits) with a valid layer: random bytes are refused
    # before mutagen, which would otherwise search far into a file for something frame-like.
    if head[:3] == b"ID3":
        return True
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0


def inspect(data: bytes) -> AudioInfo:
    """Format and duration of `data`; raises NotAudio."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        try:
            with wave.open(io.BytesIO(data), "rb") as w:
                rate, frames = w.getframerate(), w.getnframes()
        except (wave.Error, EOFError, ValueError) as exc:
            raise NotAudio(_("This WAV file cannot be read (%(error)s).") % {"error": exc}) from None
        if rate <= 0:
            raise NotAudio(_("This WAV file has no sample rate."))
        seconds = frames / rate
        return AudioInfo("wav", int(seconds + 0.5), seconds)
    if _looks_like_mp3(data[:4]):
        try:
            info = MP3(io.BytesIO(data)).info
        except (MutagenError, ValueError, EOFError) as exc:
            raise NotAudio(_("This MP3 file cannot be read (%(error)s).") % {"error": exc}) from None
        if not info.length or info.length <= 0:
            raise NotAudio(_("This MP3 file has no audio."))
        return AudioInfo("mp3", int(info.length + 0.5), info.length)
    raise NotAudio(_("The file is not a WAV or MP3 recording."))
