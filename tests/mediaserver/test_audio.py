"""Recordings the media server keeps or drops, and greetings it converts for PJSIP's WAV player."""

import shutil

import pytest

from apps.mediaserver import audio
from tests.media import tones


def test_a_tone_of_three_seconds_is_a_message(tmp_path):
    assert audio.worth_keeping(tones.write_tone(tmp_path / "t.wav", 1000, 3.0))


def test_silence_and_a_short_sound_are_not(tmp_path):
    assert not audio.worth_keeping(tones.write_tone(tmp_path / "s.wav", 1000, 3.0, volume=0.0))
    assert not audio.worth_keeping(tones.write_tone(tmp_path / "short.wav", 1000, 0.5))
    (tmp_path / "broken.wav").write_bytes(b"RIFF....WAVE")
    assert not audio.worth_keeping(tmp_path / "broken.wav")


def test_a_wav_in_the_bridge_shape_is_played_as_it_is(tmp_path):
    wav = tones.write_tone(tmp_path / "t.wav", 440, 0.5, rate=audio.CLOCK_RATE)
    assert audio.playable(wav) == wav


@pytest.mark.skipif(not shutil.which("sox"), reason="SoX is not installed")
def test_another_rate_is_converted_once(tmp_path, settings):
    settings.MEDIA_CACHE_DIR = tmp_path / "cache"
    wav = tones.write_tone(tmp_path / "t.wav", 440, 0.5, rate=8000)
    converted = audio.playable(wav)
    assert converted != wav and converted.parent == settings.MEDIA_CACHE_DIR
    data, rate = tones.read(converted)
    assert rate == audio.CLOCK_RATE and tones.dominant(data, rate) == 440
    assert audio.playable(wav) == converted


@pytest.mark.skipif(not shutil.which("sox"), reason="SoX is not installed")
def test_a_file_sox_cannot_read_is_a_clear_error(tmp_path, settings):
    settings.MEDIA_CACHE_DIR = tmp_path / "cache"
    (tmp_path / "x.mp3").write_bytes(b"not audio at all")
    with pytest.raises(audio.AudioError, match="could not convert x.mp3"):
        audio.playable(tmp_path / "x.mp3")
