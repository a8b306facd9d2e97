"""Recordings for tests: a tone of N seconds as WAV (stdlib) or MP3 (lameenc, a real encoder)."""

import functools
import io
import math
import struct
import wave


# The same few tones are asked for by hundreds of tests; each costs a Python loop over every sample (and an MP3
# encoder run), so each is made once per process. Bytes are immutable: sharing them is safe.
@functools.cache
def pcm(seconds: float, rate: int = 8000, freq: float = 440.0) -> bytes:
    frames = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(frames))


@functools.cache
def tone_wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm(seconds, rate))
    return out.getvalue()


@functools.cache
def tone_mp3(seconds: float, rate: int = 8000) -> bytes:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(16)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm(seconds, rate)) + encoder.flush())
