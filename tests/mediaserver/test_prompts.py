"""System prompts: numbers said by composition, and spoken once per text (a changed sentence is spoken again)."""

import shutil
import wave

import pytest

from apps.mediaserver import prompts


def names(paths):
    return [p.name.rsplit("-", 1)[0] for p in paths]


@pytest.mark.parametrize(
    ("n", "said"), [(0, ["n0"]), (7, ["n7"]), (19, ["n19"]), (20, ["n20"]), (42, ["n40", "n2"]), (100, ["n100"])]
)
def test_numbers(n, said):
    assert names(prompts.number(n)) == said


def test_more_than_a_hundred():
    assert names(prompts.number(250)) == ["many"]


def test_digits_skip_what_is_no_key():
    assert names(prompts.digits("2-0*1#")) == ["n2", "n0", "key*", "n1", "key#"]


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng and SoX needed")
def test_make_speaks_the_missing_ones_once(tmp_path, settings, monkeypatch):
    settings.MEDIA_PROMPTS_DIR = tmp_path
    monkeypatch.setattr(prompts, "PHRASES", {"goodbye": "Goodbye.", "n1": "one"})
    written = prompts.make()
    assert len(written) == 3 and not prompts.missing()  # the two sentences and the beep
    with wave.open(str(prompts.prompt("goodbye")), "rb") as wav:
        assert wav.getframerate() == 16000 and wav.getnchannels() == 1 and wav.getnframes() > 4000
    assert prompts.make() == []
    monkeypatch.setattr(prompts, "PHRASES", {"goodbye": "Good bye now.", "n1": "one"})
    assert names(prompts.make()) == ["goodbye"]


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng and SoX needed")
def test_two_processes_speaking_at_once_both_succeed(tmp_path, settings, monkeypatch):
    """Two starts at once (parallel tests, two installations' `make run`) speak the same prompts into one folder."""
    from concurrent.futures import ThreadPoolExecutor

    settings.MEDIA_PROMPTS_DIR = tmp_path
    monkeypatch.setattr(prompts, "PHRASES", {f"n{n}": str(n) for n in range(6)})
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: prompts.make(), range(2)))
    assert not prompts.missing()
    assert not list(tmp_path.glob("*.part.wav"))
