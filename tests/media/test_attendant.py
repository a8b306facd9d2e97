"""The auto-attendant end to end: 200's phone calls the dial plan's attendant number 100 through Kamailio; the media
server plays the attendant that special mode chooses (operator: a 440 Hz prompt, afterhour: 880 Hz), takes a key and
does its menu item. Key 1 of the operator transfers the caller to 202, whose phone rings; a key with no menu item says
'invalid' and plays the prompt again. On SQLite, and on PostgreSQL when the suite runs with a PostgreSQL
DATABASE_URL."""

import math

import pytest

from tests.media import tones
from tests.media.conftest import WITH_MEDIA

pytestmark = WITH_MEDIA

PROMPT_SECONDS = 1.5


@pytest.fixture(scope="module")
def attendants(media_pbx, tmp_path_factory):
    """Dial plan 100 (attendant), 101 (voicemail); operator: 440 Hz prompt, key 1 -> transfer_out 202, key 2 ->
    voicemail_access, key 3 -> voicemail_deposit 201; afterhour:
    880 Hz prompt, key 1 -> disconnect. Special mode off. Returns the seconds of the 'invalid' prompt."""
    folder = tmp_path_factory.mktemp("prompts")
    low = tones.write_tone(folder / "operator.wav", 440, PROMPT_SECONDS)
    high = tones.write_tone(folder / "afterhour.wav", 880, PROMPT_SECONDS, rate=8000)  # converted by the server
    out = media_pbx.shell(
        "from django.core.files import File\n"
        "from apps.attendants import services\n"
        "from apps.attendants.models import AutoAttendant\n"
        "from apps.mediaserver import prompts\n"
        "from apps.mediaserver.calls import wav_seconds\n"
        "from apps.sipproxy.dialplan_services import save_dial_plan\n"
        "save_dial_plan(attendant=['100'], voicemail=['101'])\n"
        "services.special_mode_off()\n"
        "op = AutoAttendant.objects.get(system_id='operator')\n"
        f"op.prompt.save('operator.wav', File(open({str(low)!r}, 'rb')), save=True)\n"
        "services.set_menu(op, [('1', 'transfer_out', '202'), ('2', 'voicemail_access', ''),"
        " ('3', 'voicemail_deposit', '201')])\n"
        "ah = AutoAttendant.objects.get(system_id='afterhour')\n"
        f"ah.prompt.save('afterhour.wav', File(open({str(high)!r}, 'rb')), save=True)\n"
        "services.set_menu(ah, [('1', 'disconnect', '')])\n"
        "print(wav_seconds(prompts.prompt('invalid')))\n"
    )
    return float(out.strip().splitlines()[-1])


def call_attendant(media_pbx, phones, phone):
    call = phone.call("100")
    phones.wait(lambda: call.active or call.ended, 15, "the attendant answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    return call


def hear(phones, call, path, seconds):
    """What the caller hears for `seconds`: (samples, rate)."""
    recorder = call.record(path)
    phones.pump(seconds)
    call.stop_recording(recorder)
    del recorder
    phones.pump(0.2)
    return tones.read(path)


def tone_share(data, hertz: float, rate: int) -> float:
    """How much of a window's power is one tone: ~1 for the tone alone, small for speech."""
    energy = sum(s * s for s in data) / max(len(data), 1)
    return tones.power_at(data, rate, hertz) / (energy * len(data) / 2) if energy else 0.0


def test_special_mode_switches_the_menu_heard(media_pbx, phones, phone_of, attendants, tmp_path):
    alice = phone_of("200")
    heard = {}
    try:
        for mode in ("off", "on"):
            if mode == "on":
                media_pbx.shell(
                    "from apps.attendants import services\n"
                    "from apps.attendants.models import AutoAttendant\n"
                    "services.select_special(AutoAttendant.objects.get(system_id='afterhour'))\n"
                    "services.special_mode_on()\n"
                )
            call = call_attendant(media_pbx, phones, alice)
            data, rate = hear(phones, call, tmp_path / f"{mode}.wav", PROMPT_SECONDS + 0.3)
            call.hang_up()
            phones.wait(lambda call=call: call.ended, 5, "the hang-up")
            prompt = tones.loud_part(data, rate)
            assert len(prompt) / rate >= 1.0, (mode, len(prompt) / rate, media_pbx.logs())
            heard[mode] = tones.dominant(prompt, rate)
    finally:
        media_pbx.shell("from apps.attendants import services\nservices.special_mode_off()\n")
    assert heard == {"off": 440, "on": 880}


def test_key_1_transfers_the_caller_to_202_whose_phone_rings(media_pbx, phones, phone_of, attendants):
    carol = phone_of("202", auto_answer=False)
    alice = phone_of("200")
    call = call_attendant(media_pbx, phones, alice)
    phones.pump(0.3)
    call.dtmf("1")  # during the prompt: counts
    phones.wait(lambda: call.transferred_to is not None, 15, "the REFER reaching 200's phone", media_pbx.logs)
    phones.wait(lambda: carol.incoming, 15, "202's phone ringing", media_pbx.logs)
    phones.wait(lambda: call.ended, 10, "the media server leaving the call", media_pbx.logs)
    assert carol.incoming[0].state in ("early", "new", "connecting")


def test_an_invalid_key_says_invalid_then_plays_the_prompt_again(media_pbx, phones, phone_of, attendants, tmp_path):
    invalid_seconds = attendants
    alice = phone_of("200")
    call = call_attendant(media_pbx, phones, alice)
    phones.pump(0.3)
    call.dtmf("5")  # no menu item
    data, rate = hear(phones, call, tmp_path / "invalid.wav", invalid_seconds + PROMPT_SECONDS + 1.0)
    call.hang_up()
    phones.wait(lambda: call.ended, 5, "the hang-up")

    window = rate // 25  # 40 ms
    kinds = []  # per window: "tone" (the 440 Hz prompt), "sound" (speech), "" (silence)
    for i in range(0, len(data) - window + 1, window):
        part = data[i : i + window]
        if max(abs(s) for s in part) < 1000:
            kinds.append("")
        else:
            kinds.append("tone" if tone_share(part, 440, rate) > 0.5 else "sound")
    text = "".join({"tone": "T", "sound": "s", "": "."}[k] for k in kinds)
    # The replayed prompt ends the loud part: its last 1.2 s are mostly the tone (the phone's jitter buffer may bend
    # a few windows of it).
    loud = [i for i, k in enumerate(kinds) if k]
    tail = loud[-int(1.2 * rate / window) :]
    assert sum(kinds[i] == "tone" for i in tail) >= 0.7 * len(tail), text
    # Before it 'invalid' (speech with its pauses), after what was left of the first prompt when the key came.
    start = text.index("sss")  # speech: a single odd window is no word
    spoken = (tail[0] - start) * window / rate - (PROMPT_SECONDS - 1.2)
    assert math.isclose(spoken, invalid_seconds, abs_tol=0.7), (spoken, invalid_seconds, text)


def set_failure(media_pbx, system_id: str, timeout: int, tries: int, then: str) -> None:
    media_pbx.shell(
        "from apps.attendants.models import AutoAttendant\n"
        f"AutoAttendant.objects.filter(system_id={system_id!r}).update(digit_timeout={timeout}, max_invalid={tries},"
        f" on_failure={then!r})\n"
    )


def test_no_key_after_the_last_try_goes_where_the_attendant_says(media_pbx, phones, phone_of, attendants, tmp_path):
    """afterhour (1 s, 1 try, then the operator): 880 Hz, 'invalid', then the operator's 440 Hz. The operator
    (1 s, 1 try, then disconnect): 440 Hz, 'invalid', 'goodbye', and the media server hangs up."""
    invalid_seconds = attendants
    alice = phone_of("200")
    set_failure(media_pbx, "afterhour", 1, 1, "operator")
    set_failure(media_pbx, "operator", 1, 1, "disconnect")
    media_pbx.shell(
        "from apps.attendants import services\n"
        "from apps.attendants.models import AutoAttendant\n"
        "services.select_special(AutoAttendant.objects.get(system_id='afterhour'))\n"
        "services.special_mode_on()\n"
    )
    try:
        call = call_attendant(media_pbx, phones, alice)
        data, rate = hear(phones, call, tmp_path / "failure.wav", PROMPT_SECONDS + 1 + invalid_seconds + 1.8)
        assert call.active, media_pbx.logs()
        phones.wait(lambda: call.ended, 15, "the operator's goodbye and hang-up", media_pbx.logs)
    finally:
        media_pbx.shell("from apps.attendants import services\nservices.special_mode_off()\n")
        set_failure(media_pbx, "afterhour", 5, 3, "disconnect")
        set_failure(media_pbx, "operator", 5, 3, "disconnect")
    first = tones.loud_part(data[: int(PROMPT_SECONDS * rate)], rate)
    assert tones.dominant(first, rate) == 880
    after = tones.loud_part(data[int((PROMPT_SECONDS + 1 + invalid_seconds) * rate) :], rate)  # after 'invalid'
    assert len(after) / rate >= 0.8 and tones.dominant(after, rate) == 440, media_pbx.logs()


def test_voicemail_access_runs_retrieval_in_the_same_call(media_pbx, phones, phone_of, attendants, tmp_path):
    alice = phone_of("200")
    call = call_attendant(media_pbx, phones, alice)
    phones.pump(0.3)
    call.dtmf("2")
    data, rate = hear(phones, call, tmp_path / "retrieval.wav", 3.0)
    assert call.active, f"the call ended ({call.code})\n{media_pbx.logs()}"
    spoken = tones.loud_part(data[int(0.5 * rate) :], rate)  # after the first prompt's tail: retrieval speaks
    assert len(spoken) / rate >= 1.0, media_pbx.logs()
    assert tone_share(spoken[: rate // 2], 440, rate) < 0.5
    call.hang_up()
    phones.wait(lambda: call.ended, 5, "the hang-up")


def test_voicemail_deposit_leaves_a_message_in_the_same_call(media_pbx, phones, phone_of, attendants, tmp_path):
    from tests.media.test_voicemail_deposit import feed

    before = len(feed(media_pbx).entries)
    alice = phone_of("200")
    call = call_attendant(media_pbx, phones, alice)
    phones.pump(0.3)
    call.dtmf("3")
    phones.pump(1.5)  # into 201's system greeting ("The person at extension 2 0 1 ..."), which a key skips
    call.dtmf("1")
    phones.pump(0.8)  # the beep
    assert call.active, media_pbx.logs()
    call.play(tones.write_tone(tmp_path / "message.wav", 1000, 2.0))
    phones.pump(2.3)
    call.hang_up()
    phones.wait(lambda: call.ended, 5, "the hang-up")
    phones.wait(lambda: len(feed(media_pbx).entries) > before, 15, "the message in 201's feed", media_pbx.logs)
