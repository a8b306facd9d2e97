"""Voicemail retrieval end to end: 201 has a 2 s 1 kHz message from 200 and a voicemail PIN; 201's phone dials the
dial plan's voicemail number through Kamailio, types the PIN + # by RFC 4733 DTMF, hears "You have one new
message." (its length matches those prompts), then the message (a 1 kHz run of its length), deletes it with 7 (it
is then in Deleted, heard) and leaves with *. Wrong PINs: the third ends the call, and they count in the users'
lockout shared with REST (the rig locks an account after 5 failures here), so the next call's attempt is refused
as locked and 201's right portal PIN over REST gets 429. No typed PIN reaches the media server's log. On SQLite,
and on PostgreSQL when the suite runs with a PostgreSQL DATABASE_URL."""

import array
import json

import pytest

from tests.media import tones
from tests.media.conftest import WITH_MEDIA, MediaPbx, database_url  # noqa: F401

pytestmark = WITH_MEDIA

PIN = "2580"
WRONG = ["97531", "86420", "75319"]  # distinctive, so the log check cannot match by chance
MAX_PER_NAME = 5


@pytest.fixture(scope="module")
def media_pbx(tmp_path_factory, database_url):  # noqa: F811 - this module's rig: a lockout limit reached quickly
    pbx = MediaPbx(tmp_path_factory.mktemp("media"), database_url, LOCKOUT_MAX_PER_NAME=str(MAX_PER_NAME))
    yield pbx
    pbx.stop()


@pytest.fixture(scope="module")
def mailbox_201(media_pbx, tmp_path_factory):
    """The voicemail number 101, 201's PIN, and one new 2 s 1 kHz message from 200 in 201's inbox."""
    wav = tones.write_tone(tmp_path_factory.mktemp("message") / "message.wav", 1000, 2.0)
    media_pbx.shell(
        "from django.core.files import File\n"
        "from apps.sipproxy.dialplan_services import save_dial_plan\n"
        "from apps.users.models import User\n"
        "from apps.users.services import set_voicemail_pin\n"
        "from apps.voicemail import services\n"
        "save_dial_plan(attendant=['100'], voicemail=['101'])\n"
        "user = User.objects.get(username='201')\n"
        f"set_voicemail_pin(user, {PIN!r})\n"
        f"services.deposit(user, File(open({str(wav)!r}, 'rb'), name='m.wav'), sender='<sip:200@example.org>')\n"
    )


def prompt_files(media_pbx, names):
    out = media_pbx.shell(
        "import json\nfrom apps.mediaserver import prompts\n"
        f"print(json.dumps([str(p) for n in {names!r} for p in ([prompts.prompt(n)] if n.isalpha() or '_' in n "
        "else prompts.number(int(n)))]))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


def messages_of_201(media_pbx) -> list[dict]:
    out = media_pbx.shell(
        "import json\nfrom apps.voicemail.models import Message\n"
        "print(json.dumps(list(Message.objects.filter(user__username='201').values('folder', 'heard'))))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


class Listener:
    """What a phone heard, read from its recording in 50 ms windows: loud or not, 1 kHz dominant or not. Read
    after the call: the phones' RTP is received only while the test pumps PJSIP, so analysing during the call
    would starve their jitter buffers."""

    WINDOW = 0.05

    def __init__(self, path):
        self.path = path
        self.offset = 44
        self.rate = 0
        self.windows: list[tuple[bool, bool]] = []  # (loud, tone)

    def update(self) -> "Listener":
        raw = self.path.read_bytes()
        if not self.rate and len(raw) >= 44:
            self.rate = int.from_bytes(raw[24:28], "little")
        size = int(self.rate * self.WINDOW) * 2
        while size and len(raw) - self.offset >= size:
            data = array.array("h", raw[self.offset : self.offset + size])
            self.offset += size
            loud = max(abs(s) for s in data) > 1000
            # dominant, not pure: under load the phone's jitter buffer conceals late packets with other sounds
            tone = loud and tones.dominant(data, self.rate) == 1000
            self.windows.append((loud, tone))
        return self

    def tone_run(self, min_seconds: float = 1.0, max_gap: int = 2) -> tuple[int, int] | None:
        """The first run of 1 kHz windows lasting over `min_seconds` (a glitch of up to `max_gap` windows inside
        it allowed): (first, after last) window."""
        start = last = None
        for index, (_, tone) in enumerate([*self.windows, (False, False)]):
            if not tone:
                continue
            if start is not None and index - last > max_gap + 1:
                if (last + 1 - start) * self.WINDOW > min_seconds:
                    return start, last + 1
                start = None
            if start is None:
                start = index
            last = index
        if start is not None and (last + 1 - start) * self.WINDOW > min_seconds:
            return start, last + 1
        return None

    def speech_before(self, index: int, gap: float = 0.6) -> float:
        """Seconds of sound (loud windows) in the words that end just before window `index`: back to a silence of
        `gap`, longer than the pauses between the prompts of one sentence."""
        i = index - 2  # the window just before the tone holds its first samples
        while i >= 0 and not self.windows[i][0]:
            i -= 1
        loud = quiet = 0
        while i >= 0 and quiet * self.WINDOW < gap:
            if self.windows[i][0]:
                loud, quiet = loud + 1, 0
            else:
                quiet += 1
            i -= 1
        return loud * self.WINDOW

    def last_speech(self) -> float:
        """Seconds of sound in the last words heard."""
        return self.speech_before(len(self.windows) + 1)


def loud_seconds(paths) -> float:
    """The sound of prompts as Listener counts it: their loud 50 ms windows, so pauses inside words and between
    prompts count alike on both sides."""
    total = 0
    for path in paths:
        data, rate = tones.read(path)
        size = int(rate * Listener.WINDOW)
        total += sum(max(map(abs, data[i : i + size])) > 1000 for i in range(0, len(data) - size + 1, size))
    return total * Listener.WINDOW


def test_listen_to_a_new_message_and_delete_it(media_pbx, phones, phone_of, mailbox_201, tmp_path):
    assert messages_of_201(media_pbx) == [{"folder": "inbox", "heard": False}]
    bob = phone_of("201")
    call = bob.call("101")
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    recorder = call.record(tmp_path / "heard.wav")
    phones.pump(1.0)  # part of "Please enter your voicemail PIN": the first key cuts it short
    call.dtmf(PIN + "#")
    # the PIN check, "You have one new message." (2.8 s), the message (2 s): 7 comes in the message menu after it
    phones.pump(9.0)
    call.dtmf("7")
    phones.pump(3.5)  # "Message deleted." "There are no more messages.", then the main menu
    call.dtmf("*")
    phones.wait(lambda: call.ended, 8, "goodbye and the hang-up after *", media_pbx.logs)
    call.stop_recording(recorder)
    del recorder
    phones.pump(0.2)
    assert messages_of_201(media_pbx) == [{"folder": "deleted", "heard": True}]

    listener = Listener(tmp_path / "heard.wav").update()
    assert listener.tone_run() is not None, "no 1 kHz message heard"
    start, end = listener.tone_run()
    assert 1.5 <= (end - start) * Listener.WINDOW <= 2.3, (end - start) * Listener.WINDOW
    # "You have one new message." just before it, as long as those prompts' sound
    said = listener.speech_before(start)
    expected = loud_seconds(prompt_files(media_pbx, ["you_have", "1", "new_message"]))
    assert abs(said - expected) <= 0.3, (said, expected)
    assert PIN not in media_pbx.media.output()


def test_star_logs_in_to_another_mailbox_and_no_pin_is_no_login(media_pbx, phones, phone_of, mailbox_201):
    """200 presses * at the PIN prompt, types 201's mailbox and PIN; 203, without a voicemail PIN, is told and
    hung up."""
    alice = phone_of("200")
    call = alice.call("101")
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    phones.pump(1.0)
    call.dtmf("*")
    phones.pump(1.5)  # "Please enter your mailbox number", cut short by the keys
    call.dtmf("201#")
    phones.pump(1.5)
    call.dtmf(PIN + "#")
    phones.wait(
        lambda: "voicemail login to 201 from 127.0.0.1" in media_pbx.media.output(), 10, "the login", media_pbx.logs
    )
    call.hang_up()
    phones.wait(lambda: call.ended, 5, "the hang-up")

    dave = phone_of("203")
    call = dave.call("101")
    phones.wait(lambda: call.ended, 20, "203 hung up: no voicemail PIN", media_pbx.logs)
    assert call.code == 200, call.code  # answered, told, then hung up
    assert "voicemail login to 203 refused: no voicemail PIN set" in media_pbx.media.output()


def lockout_failures(media_pbx) -> int:
    out = media_pbx.shell(
        "from django.core.cache import cache\nfrom apps.users import lockout\nfrom apps.users.models import User\n"
        "a = lockout.attempt('127.0.0.1', lockout.account_of(User.objects.get(username='201').pk, '201'))\n"
        "print(cache.get(a.account_key, 0))\n"
    )
    return int(out.strip().splitlines()[-1])


def dial_with_pins(media_pbx, phones, bob, pins, heard):
    """Dials the voicemail number and types each PIN + #, 4.5 s apart (each while the PIN prompt plays again, so
    the keys after its first leave a pause before the answer); ends when the media server hangs up."""
    call = bob.call("101")
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    recorder = call.record(heard)
    phones.pump(1.0)
    for pin in pins:
        call.dtmf(pin + "#")
        phones.pump(4.5)  # the check, "That PIN is not correct.", the PIN prompt again (cut short by the keys)
    phones.wait(lambda: call.ended, 10, "the media server hanging up", media_pbx.logs)
    call.stop_recording(recorder)
    del recorder
    phones.pump(0.2)
    return Listener(heard).update()


def test_three_wrong_pins_end_the_call_and_count_in_the_lockout(media_pbx, phones, phone_of, mailbox_201, tmp_path):
    bob = phone_of("201")
    assert lockout_failures(media_pbx) == 0
    heard = dial_with_pins(media_pbx, phones, bob, WRONG, tmp_path / "wrong.wav")
    # the last words: "That PIN is not correct." "Goodbye." (not "Too many wrong PINs...")
    wrong_words = loud_seconds(prompt_files(media_pbx, ["wrong_pin", "goodbye"]))
    locked_words = loud_seconds(prompt_files(media_pbx, ["locked"]))
    said = heard.last_speech()
    assert abs(said - wrong_words) <= 0.4 and abs(said - wrong_words) < abs(said - locked_words), (said, wrong_words)
    assert lockout_failures(media_pbx) == 3
    assert "locked for" not in media_pbx.media.output()

    # two more wrong PINs reach the limit (5): the next attempt, even with the right PIN, is refused as locked
    heard = dial_with_pins(media_pbx, phones, bob, WRONG[:2] + [PIN], tmp_path / "locked.wav")
    said = heard.last_speech()
    assert abs(said - locked_words) <= 0.4 and abs(said - locked_words) < abs(said - wrong_words), (said, locked_words)
    log = media_pbx.media.output()
    assert "wrong voicemail PIN for 201 from 127.0.0.1 (2 of 3)" in log
    assert "voicemail login to 201 from 127.0.0.1 locked for" in log, log[-3000:]
    # the same lockout as REST: 201's right portal PIN from this address is refused too
    status, _, _ = media_pbx.server.request("GET", "/sipxconfig/rest/my/feed/voicemail/inbox", basic=("201", "1234"))
    assert status == 429
    assert not any(pin in log for pin in [PIN, *WRONG])
