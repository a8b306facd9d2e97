"""The system prompts: every sentence the media server says by itself, written once here and spoken at install
time by Debian's espeak-ng (`manage.py make_prompts`, run by `make run` and the tests; never fetched at run time).

A prompt's file name carries a hash of its text and voice, so a changed sentence is spoken again and an unchanged
one never is. Numbers are said by composing the prompts of their words (`number()`), digit strings digit by digit
(`digits()`)."""

import hashlib
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.conf import settings

from apps.mediaserver.audio import CLOCK_RATE

PHRASES = {
    # voicemail deposit
    "unavailable_before": "The person at extension",
    "unavailable_after": "is not available. Please leave a message after the tone. Press pound when you are done.",
    # voicemail retrieval
    "mailbox": "Please enter your mailbox number, followed by pound.",
    "pin": "Please enter your voicemail PIN, followed by pound.",
    "wrong_pin": "That PIN is not correct.",
    "no_pin": "This mailbox has no voicemail PIN. Please set one in the user portal first. "
    "To open another mailbox, press star.",
    "locked": "Too many wrong PINs. Please try again later.",
    "you_have": "You have",
    "new_message": "new message.",
    "new_messages": "new messages.",
    "no_new_messages": "You have no new messages.",
    "saved_messages": "saved messages.",
    "message": "Message",
    "from": "from",
    "message_menu": "Press 1 to play the message again, 7 to delete it, 9 to save it, or pound for the next message.",
    "deleted": "Message deleted.",
    "saved": "Message saved.",
    "no_more_messages": "There are no more messages.",
    "main_menu": "Press 1 to hear your new messages, 2 for saved messages, or star to hang up.",
    # auto-attendant
    "welcome": "Welcome. Please enter the extension you want to reach.",
    "invalid": "Sorry, that is not a valid choice.",
    "transferring": "Please hold while your call is transferred.",
    "goodbye": "Goodbye.",
    # conference
    "conference_code": "Please enter the conference access code, followed by pound.",
    "wrong_code": "That code is not valid.",
    "conference_closed": "This conference is not available.",
    "conference_full": "This conference is full.",
    "conference_alone": "You are the first participant.",
    "removed": "You have been removed from the conference.",
}
ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}
KEYS = {"*": "star", "#": "pound"}
for _n, _word in enumerate(ONES):
    PHRASES[f"n{_n}"] = _word
for _n, _word in TENS.items():
    PHRASES[f"n{_n}"] = _word
PHRASES["n100"] = "one hundred"
PHRASES["many"] = "more than one hundred"
for _key, _word in KEYS.items():
    PHRASES[f"key{_key}"] = _word
BEEP = "beep"  # not spoken: a 0.4 s 880 Hz tone made by SoX


class PromptError(RuntimeError):
    pass


def directory() -> Path:
    return Path(settings.MEDIA_PROMPTS_DIR)


def _file(name: str) -> Path:
    text = "tone 880 Hz 0.4 s" if name == BEEP else PHRASES[name]
    tag = hashlib.sha256(f"{settings.MEDIA_PROMPTS_VOICE}\n{text}".encode()).hexdigest()[:10]
    return directory() / f"{name}-{tag}.wav"


def prompt(name: str) -> Path:
    return _file(name)


def number(n: int) -> list[Path]:
    """The prompts saying n (0 to 100; above, "more than one hundred")."""
    if n > 100:
        return [prompt("many")]
    if n < 20 or n == 100:
        return [prompt(f"n{n}")]
    tens, ones = divmod(n, 10)
    return [prompt(f"n{tens * 10}")] + ([prompt(f"n{ones}")] if ones else [])


def digits(text: str) -> list[Path]:
    """An extension or a number said key by key; characters that are no key are skipped."""
    out = []
    for char in text:
        if char.isdigit():
            out.append(prompt(f"n{char}"))
        elif char in KEYS:
            out.append(prompt(f"key{char}"))
    return out


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PromptError(f"{name} is not installed (Debian: apt-get install espeak-ng sox libsox-fmt-mp3).")
    return path


def make(force: bool = False) -> list[Path]:
    """Speaks every prompt that has no file yet; returns the files written."""
    espeak, sox = _tool("espeak-ng"), _tool("sox")
    directory().mkdir(parents=True, exist_ok=True)
    written = []
    for name in [*PHRASES, BEEP]:
        target = _file(name)
        if target.exists() and not force:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            spoken = Path(tmp) / "spoken.wav"
            if name == BEEP:
                command = [sox, "-n", "-r", str(CLOCK_RATE), "-c", "1", "-b", "16", str(spoken), "synth", "0.4",
                           "sine", "880", "vol", "0.5"]  # fmt: skip
            else:
                command = [espeak, "-v", settings.MEDIA_PROMPTS_VOICE, "-s", "160", "-w", str(spoken), PHRASES[name]]
            subprocess.run(command, check=True, capture_output=True, timeout=60)
            # A name of this process's own: two processes speaking the same prompt at once (two installations'
            # starts, parallel tests) each rename a whole file of theirs; the last rename wins, with equal bytes.
            partial = target.with_name(f"{target.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part.wav")
            subprocess.run(
                [sox, str(spoken), "-r", str(CLOCK_RATE), "-c", "1", "-b", "16", "-e", "signed-integer", str(partial)],
                check=True,
                capture_output=True,
                timeout=60,
            )
            partial.replace(target)  # whole files only: a stopped install leaves no half prompt behind
        written.append(target)
    return written


def missing() -> list[str]:
    return [name for name in [*PHRASES, BEEP] if not _file(name).exists()]
