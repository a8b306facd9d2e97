"""Voicemail deposit end to end: 200's phone calls 201 through Kamailio, nobody answers, the media server plays
201's greeting, a beep, and records; 200 leaves a 3 s 1 kHz tone. The caller hears the stored greeting (its length
and its tone), and the message is in 201's feed with ~3 s of 1 kHz. A call that leaves only silence leaves no
message. On SQLite, and on PostgreSQL when the suite runs with a PostgreSQL DATABASE_URL."""

import json
from urllib.parse import urlsplit

import feedparser
import pytest

from tests.media import tones
from tests.media.conftest import WITH_MEDIA

pytestmark = WITH_MEDIA


@pytest.fixture(scope="module")
def greeting_of_201(media_pbx, tmp_path_factory):
    """201's standard greeting, active: 2 s of 440 Hz at 8 kHz (so the media server converts it)."""
    wav = tones.write_tone(tmp_path_factory.mktemp("greeting") / "greeting.wav", 440, 2.0, rate=8000)
    media_pbx.shell(
        "from django.core.files import File\n"
        "from apps.users.models import User\n"
        "from apps.voicemail import services\n"
        "user = User.objects.get(username='201')\n"
        f"services.save_greeting(user, 'standard', File(open({str(wav)!r}, 'rb'), name='greeting.wav'))\n"
        "services.set_active_greeting(user, 'standard')\n"
    )
    return wav


def feed(media_pbx, user="201"):
    status, _, body = media_pbx.server.request("GET", "/sipxconfig/rest/my/feed/voicemail/inbox", basic=(user, "1234"))
    assert status == 200, body
    return feedparser.parse(body)


def test_an_unanswered_call_hears_the_greeting_and_leaves_a_message(
    media_pbx, phones, phone_of, greeting_of_201, tmp_path
):
    before = len(feed(media_pbx).entries)
    alice = phone_of("200")
    call = alice.call("201")  # 201 has no registered phone: straight to voicemail
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    heard = call.record(tmp_path / "heard.wav")
    phones.pump(2.8)  # greeting 2 s + beep 0.4 s
    tone = tones.write_tone(tmp_path / "tone.wav", 1000, 3.0)
    call.play(tone)
    phones.pump(3.3)
    call.stop_recording(heard)
    call.hang_up()
    phones.wait(lambda: call.ended, 5, "the hang-up")
    del heard
    phones.pump(0.2)

    data, rate = tones.read(tmp_path / "heard.wav")
    greeting = tones.loud_part(data[: int(2.3 * rate)], rate)
    assert 1.7 <= len(greeting) / rate <= 2.3, len(greeting) / rate
    assert tones.dominant(greeting, rate) == 440

    def deposited():
        entries = feed(media_pbx).entries
        return entries if len(entries) > before else None

    phones.wait(deposited, 15, "the message in 201's feed", media_pbx.logs)
    entry = deposited()[0]
    status, _, audio = media_pbx.server.request("GET", urlsplit(entry.enclosures[0].href).path, basic=("201", "1234"))
    assert status == 200
    message = tmp_path / "message.wav"
    message.write_bytes(audio)
    data, rate = tones.read(message)
    assert 2.6 <= len(data) / rate <= 4.2, len(data) / rate
    assert tones.dominant(tones.loud_part(data, rate), rate) == 1000
    assert "200" in entry.title + json.dumps(entry.get("author", ""))


def test_silence_leaves_no_message(media_pbx, phones, phone_of, greeting_of_201, tmp_path):
    before = len(feed(media_pbx).entries)
    alice = phone_of("200")
    call = alice.call("201")
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active
    phones.pump(5.0)  # the greeting, the beep, then 2.6 s of nothing
    call.hang_up()
    phones.wait(lambda: call.ended, 5, "the hang-up")
    phones.pump(2.0)
    entries = feed(media_pbx).entries
    assert len(entries) == before, explain_new(media_pbx, entries[: len(entries) - before], tmp_path)


def explain_new(media_pbx, entries, tmp_path) -> str:
    """What a message that should not be there holds (once seen only on a loaded CI machine): its time, length,
    loudest part and tone, and the media server's log, so the next failure says where the sound came from."""
    lines = []
    for n, entry in enumerate(entries):
        path = urlsplit(entry.enclosures[0].href).path
        _, _, audio = media_pbx.server.request("GET", path, basic=("201", "1234"))
        wav = tmp_path / f"unexpected-{n}.wav"
        wav.write_bytes(audio)
        data, rate = tones.read(wav)
        loud = tones.loud_part(data, rate)
        lines.append(
            f"{entry.get('published', '?')}: {len(data) / rate:.2f} s, peak {max(map(abs, data), default=0)},"
            f" loud {len(loud) / rate:.2f} s" + (f" of {tones.dominant(loud, rate)} Hz" if len(loud) else "")
        )
    return "\n".join(["messages stored from a silent call:", *lines, media_pbx.logs()])
