"""sipxweb/transcode.py: a browser's recording (WebM/Ogg Opus, MP4 AAC) becomes the WAV the PBX stores and the media
server plays (16-bit mono, 16 kHz), with the sound in it; anything else is refused with a sentence, never another
exception, and the WAV never grows past the caller's limit."""

import io
import random
import wave

import av
import pytest

from sipxweb import transcode
from sipxweb.audio import NotAudio, inspect
from tests.floor.browser_recording import browser_recording, crossings_per_second

LIMIT = 10 * 1024 * 1024
DAMAGED = "The recording cannot be read: it is damaged or incomplete"


@pytest.mark.parametrize("container", ["webm", "ogg", "mp4"])
@pytest.mark.parametrize("channels", [1, 2])
def test_a_browser_recording_becomes_the_wav_the_pbx_plays(container, channels):
    data = browser_recording(2.0, container, channels=channels)
    assert transcode.is_browser_recording(data)
    wav = transcode.to_wav(data, LIMIT)
    info = inspect(wav)  # what every upload of a greeting or prompt must pass
    assert (info.format, info.duration) == ("wav", 2) and abs(info.seconds - 2.0) < 0.1
    with wave.open(io.BytesIO(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
    # The tone itself came through: a 440 Hz sine crosses zero 880 times a second, a 1 kHz one 2,000 times.
    assert 850 < crossings_per_second(wav) < 910
    assert 1950 < crossings_per_second(transcode.to_wav(browser_recording(2.0, container, freq=1000), LIMIT)) < 2050


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"\x1a\x45\xdf\xa3" + b"not a webm file " * 40, DAMAGED + " (Invalid data found when processing input)."),
        (b"OggS" + bytes(60), "The recording cannot be read"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 300, "The recording cannot be read"),
        (b"Hello, this is a text file.", "The file is not a recording made in a browser (WebM, Ogg or MP4 audio)."),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "The file is not a recording made in a browser"),
    ],
)
def test_anything_else_is_refused_with_a_sentence(data, sentence):
    with pytest.raises(NotAudio) as refused:
        transcode.to_wav(data, LIMIT)
    assert str(refused.value).startswith(sentence) and str(refused.value).endswith(".")


def test_a_webm_without_sound_is_refused():
    silent_video = io.BytesIO()
    with av.open(silent_video, mode="w", format="webm") as muxer:
        stream = muxer.add_stream("libvpx", rate=1)
        stream.width, stream.height = 16, 16
        frame = av.VideoFrame(16, 16, "yuv420p")
        frame.pts = 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            muxer.mux(packet)
    with pytest.raises(NotAudio, match="The recording has no sound track."):
        transcode.to_wav(silent_video.getvalue(), LIMIT)


def test_the_wav_stays_within_the_limit():
    data = browser_recording(12.0)
    limit = 44 + 16000 * 2 * 10  # ten seconds of WAV
    assert transcode.max_seconds(limit) == 10
    with pytest.raises(NotAudio, match=r"^The recording is longer than 10 seconds\.$"):
        transcode.to_wav(data, limit)
    assert inspect(transcode.to_wav(browser_recording(9.0), limit)).duration == 9
    assert transcode.max_seconds(20 * 1024 * 1024) == 655
    with pytest.raises(NotAudio, match=r"^The recording is longer than 1 minute 5 seconds\.$"):
        transcode.to_wav(browser_recording(70.0, "ogg"), 44 + 16000 * 2 * 65)


@pytest.mark.parametrize("container", ["webm", "ogg", "mp4"])
def test_damaged_recordings_are_refused_or_read_never_an_error(container):
    """Truncated files and flipped bytes, as an interrupted upload or a hostile client sends them: each is either read
    (a WAV the PBX accepts) or refused as NotAudio, never another exception."""
    good = browser_recording(2.0, container)
    rnd = random.Random(16)
    outcomes = set()
    for attempt in range(80):
        damaged = bytearray(good)
        if attempt % 2:
            del damaged[rnd.randrange(5, len(damaged)) :]
        else:
            for _ in range(rnd.randrange(1, 40)):
                damaged[rnd.randrange(4, len(damaged))] = rnd.randrange(256)
        try:
            inspect(transcode.to_wav(bytes(damaged), LIMIT))
            outcomes.add("read")
        except NotAudio as exc:
            assert str(exc).endswith("."), exc
            outcomes.add("refused")
    assert "refused" in outcomes
