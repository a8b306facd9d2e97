"""Recordings as a browser's MediaRecorder makes them, for tests: a tone in WebM or Ogg with Opus (Chromium, Firefox) or
MP4 with AAC (Safari), encoded by FFmpeg's encoders through PyAV, at 48 kHz as browsers record."""

import array
import functools
import io
import math
import struct
import wave

import av

CONTAINERS = {"webm": ("webm", "libopus"), "ogg": ("ogg", "libopus"), "mp4": ("mp4", "aac")}


@functools.cache
def browser_recording(seconds: float = 2.0, container: str = "webm", freq: float = 440.0, channels: int = 1) -> bytes:
    fmt, codec = CONTAINERS[container]
    rate, block = 48000, 960
    layout = "mono" if channels == 1 else "stereo"
    total = int(seconds * rate)
    out = io.BytesIO()
    with av.open(out, mode="w", format=fmt) as muxer:
        stream = muxer.add_stream(codec, rate=rate, layout=layout)
        for start in range(0, total, block):
            count = min(block, total - start)
            values = (int(8000 * math.sin(2 * math.pi * freq * (start + i) / rate)) for i in range(count))
            pcm = b"".join(struct.pack("<h", v) * channels for v in values)
            frame = av.AudioFrame(format="s16", layout=layout, samples=count)
            frame.planes[0].update(pcm + bytes(frame.planes[0].buffer_size - len(pcm)))
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                muxer.mux(packet)
        for packet in stream.encode(None):
            muxer.mux(packet)
    return out.getvalue()


def crossings_per_second(wav: bytes) -> float:
    """How often a WAV's sound crosses zero per second: 880 for a 440 Hz tone; about none for silence."""
    with wave.open(io.BytesIO(wav), "rb") as w:
        samples = array.array("h", w.readframes(w.getnframes()))
        seconds = w.getnframes() / w.getframerate()
    signs = [s >= 0 for s in samples]
    return sum(a != b for a, b in zip(signs, signs[1:], strict=False)) / seconds
