"""Audio files as the media server needs them: PJSIP's WAV player reads 16-bit PCM only, so a greeting or prompt in
another shape (MP3, stereo, another rate) is converted once with SoX into a cache and played from there; and what a
recording holds (its length and loudness, so that silence is not kept as a message)."""

import array
import hashlib
import math
import os
import shutil
import subprocess
import sys
import uuid
import wave
from pathlib import Path

from django.conf import settings

CLOCK_RATE = 16000  # the conference bridge's rate (server.py): prompts are made at it, so nothing is resampled
SILENCE_DBFS = -50.0  # a recording whose loudness stays below this is silence (a line noise floor is ~-60 dBFS)
MIN_SECONDS = 1.0


class AudioError(RuntimeError):
    pass


def _shape(path: Path) -> tuple[int, int, int] | None:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
    except (wave.Error, EOFError, OSError):
        return None


def playable(path: Path) -> Path:
    """`path` itself when PJSIP plays it as it is (mono 16-bit PCM WAV at CLOCK_RATE), else a converted copy in
    MEDIA_CACHE_DIR named by the file's path, size and change time (a replaced greeting is converted again)."""
    path = Path(path)
    if _shape(path) == (1, 2, CLOCK_RATE):
        return path
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}\n{stat.st_size}\n{stat.st_mtime_ns}".encode()).hexdigest()[:24]
    cache = Path(settings.MEDIA_CACHE_DIR)
    target = cache / f"{key}.wav"
    if target.exists():
        return target
    sox = shutil.which("sox")
    if sox is None:
        raise AudioError("SoX is not installed (Debian: apt-get install sox libsox-fmt-mp3).")
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"{key}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part.wav"  # this process's own (prompts.make)
    done = subprocess.run(
        [sox, str(path), "-r", str(CLOCK_RATE), "-c", "1", "-b", "16", "-e", "signed-integer", str(partial)],
        capture_output=True,
        timeout=120,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise AudioError(f"SoX could not convert {path.name}: {done.stderr.decode(errors='replace').strip()[:200]}")
    partial.replace(target)
    return target


def samples(path: Path) -> tuple[array.array, int]:
    """The 16-bit samples of a mono WAV and its rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise AudioError(f"{path.name} is not 16-bit PCM.")
        data = array.array("h")
        data.frombytes(wav.readframes(wav.getnframes()))
        if sys.byteorder == "big":
            data.byteswap()
        channels = wav.getnchannels()
        if channels > 1:
            data = array.array("h", data[::channels])
        return data, wav.getframerate()


def loudness_dbfs(data: array.array) -> float:
    if not data:
        return -math.inf
    power = sum(s * s for s in data) / len(data)
    return 10 * math.log10(power / (32768.0 * 32768.0)) if power > 0 else -math.inf


def measure(path: Path) -> tuple[float, float]:
    """(seconds, dBFS of the loudest tenth of a second) of a WAV recording; (0, -inf) when unreadable."""
    try:
        data, rate = samples(path)
    except (wave.Error, EOFError, OSError, AudioError):
        return 0.0, -math.inf
    window = max(rate // 10, 1)
    windows = range(0, len(data) - window + 1, window)
    return len(data) / rate, max((loudness_dbfs(data[i : i + window]) for i in windows), default=-math.inf)


def worth_keeping(path: Path) -> bool:
    """A recording is a message when it lasts at least MIN_SECONDS and is louder than silence somewhere: the
    loudest tenth of a second decides, so a short word in a long silence still counts."""
    seconds, loudest = measure(path)
    return seconds >= MIN_SECONDS and loudest > SILENCE_DBFS
