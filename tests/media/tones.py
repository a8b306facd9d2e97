"""Test audio: pure tones written as WAV, and what a received WAV holds — its length, how loud, and which of a few
frequencies dominates (the Goertzel algorithm: the power at one frequency, without a full spectrum)."""

import array
import math
import wave
from pathlib import Path

RATE = 16000


def write_tone(path: Path, hertz: float, seconds: float, rate: int = RATE, volume: float = 0.5) -> Path:
    frames = array.array(
        "h", (int(volume * 32767 * math.sin(2 * math.pi * hertz * n / rate)) for n in range(int(seconds * rate)))
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames.tobytes())
    return path


def read(path: Path) -> tuple[array.array, int]:
    with wave.open(str(path), "rb") as wav:
        data = array.array("h")
        data.frombytes(wav.readframes(wav.getnframes()))
        return data, wav.getframerate()


def seconds(path: Path) -> float:
    data, rate = read(path)
    return len(data) / rate


def power_at(data, rate: int, hertz: float) -> float:
    """Goertzel: the signal's power at `hertz`, normalised by its length."""
    if not data:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * hertz / rate)
    s1 = s2 = 0.0
    for sample in data:
        s1, s2 = sample + coeff * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / len(data)


def loud_part(data, rate: int, threshold: int = 1000):
    """The samples from the first to the last 20 ms window whose peak passes `threshold` (the sound, trimmed of
    the silence around it)."""
    window = rate // 50
    loud = [
        i for i in range(0, len(data), window) if max((abs(s) for s in data[i : i + window]), default=0) > threshold
    ]
    if not loud:
        return data[:0]
    return data[loud[0] : loud[-1] + window]


def dominant(data, rate: int, candidates=(440, 697, 880, 1000, 1336, 1500, 2000)) -> float:
    """Which of `candidates` (Hz) carries the most power."""
    return max(candidates, key=lambda f: power_at(data, rate, f))
