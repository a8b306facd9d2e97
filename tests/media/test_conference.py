"""Conference rooms end to end: 200, 201 and 202's phones call extension 300 through Kamailio, type the access code
and each plays its own tone (500, 1000, 1500 Hz) while recording: each hears the other two and not itself. Muting
200 (the service the pages call) stops 500 Hz reaching the others within the media server's poll; removing 202
hangs 202 up. Three wrong codes end the call; a disabled room and a full one answer, say so and hang up. On SQLite,
and on PostgreSQL when the suite runs with a PostgreSQL DATABASE_URL."""

import json
import subprocess
import sys

import pytest

from tests.media import tones
from tests.media.conftest import WITH_MEDIA
from tests.server.live import ROOT

pytestmark = WITH_MEDIA

TONES = {"200": 500, "201": 1000, "202": 1500}
CANDIDATES = tuple(TONES.values())


@pytest.fixture(scope="module")
def rooms(media_pbx):
    media_pbx.shell(
        "from apps.conferences.models import Conference\n"
        "Conference.objects.create(name='team', extension='300', access_code='1234', moderator_code='9876')\n"
        "Conference.objects.create(name='closed', extension='301', enabled=False)\n"
        "Conference.objects.create(name='small', extension='302', max_participants=1)\n"
    )


@pytest.fixture(scope="module")
def waveform_codec(phones):
    """The phones offer G.722 first for this module: pjsua2's default, Speex, is a CELP codec that smears a pure
    tone in bursts, and the tests compare tones' power. Put back afterwards (the endpoint is the session's)."""
    phones.ep.codecSetPriority("G722/16000", 255)
    yield
    phones.ep.codecSetPriority("G722/16000", 128)


def shell(media_pbx, phones, code: str) -> str:
    """manage.py shell while the phones keep answering SIP (a blocking call would stall their signalling)."""
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=media_pbx.server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    phones.wait(lambda: proc.poll() is not None, 60, "manage.py shell")
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return out


def participants(media_pbx, phones) -> list[dict]:
    out = shell(
        media_pbx,
        phones,
        "import json\nfrom apps.conferences.models import Participant\n"
        "print(json.dumps(list(Participant.objects.values('caller', 'muted', 'is_moderator', 'conference__name'))))",
    )
    return json.loads(out.strip().splitlines()[-1])


def enter(media_pbx, phones, phone, code="1234#"):
    call = phone.call("300")
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    phones.pump(0.5)  # the code prompt starts; a key stops it
    call.dtmf(code)
    return call


def powers(path, rate_from=0.3):
    data, rate = tones.read(path)
    data = data[int(rate_from * rate) :]
    return {hz: tones.power_at(data, rate, hz) for hz in CANDIDATES}


def listen(phones, calls: dict, tmp_path, tag: str, seconds: float = 2.0) -> dict:
    """Records what each call hears for `seconds`; {user: {hertz: power}}."""
    recorders = {user: call.record(tmp_path / f"{tag}-{user}.wav") for user, call in calls.items()}
    phones.pump(seconds)
    for user, call in calls.items():
        call.stop_recording(recorders[user])
    del recorders
    phones.pump(0.3)  # the recorders' ports leave the bridge and their WAV headers are written
    return {user: powers(tmp_path / f"{tag}-{user}.wav") for user in calls}


def test_three_callers_hear_each_other_and_mute_and_remove_apply(
    media_pbx, rooms, waveform_codec, phones, phone_of, tmp_path
):
    calls = {}
    for user in TONES:
        calls[user] = enter(media_pbx, phones, phone_of(user), "9876#" if user == "200" else "1234#")
        phones.pump(1.0)

    def joined():
        return len(participants(media_pbx, phones)) == 3

    phones.wait(joined, 20, "three participants in the room", media_pbx.logs)
    rows = participants(media_pbx, phones)
    assert {r["caller"]: r["is_moderator"] for r in rows} == {"200": True, "201": False, "202": False}
    phones.pump(2.5)  # the first caller's 'conference_alone' is over
    for user, hertz in TONES.items():
        calls[user].play(tones.write_tone(tmp_path / f"{hertz}.wav", hertz, 30.0, volume=0.3), loop=True)
    phones.pump(0.5)

    heard = listen(phones, calls, tmp_path, "all")
    for user, power in heard.items():
        own = power[TONES[user]]
        for other, hertz in TONES.items():
            if other != user:
                assert power[hertz] > 100 * max(own, 1.0), (user, other, power)

    shell(media_pbx, phones, "from apps.conferences import services\nfrom apps.conferences.models import Participant\n"
          "services.set_muted(Participant.objects.get(caller='200'), True)\n")  # fmt: skip
    phones.pump(1.2)  # the media server polls twice a second
    muted = listen(phones, calls, tmp_path, "muted")
    for user in ("201", "202"):
        other = "202" if user == "201" else "201"
        assert muted[user][TONES["200"]] * 1000 < muted[user][TONES[other]], (user, muted[user])
    assert muted["200"][TONES["201"]] > 100 * max(muted["200"][TONES["200"]], 1.0), muted["200"]
    assert [r["muted"] for r in participants(media_pbx, phones) if r["caller"] == "200"] == [True]

    shell(media_pbx, phones, "from apps.conferences import services\nfrom apps.conferences.models import Participant\n"
          "services.remove(Participant.objects.get(caller='202'))\n")  # fmt: skip
    phones.wait(lambda: calls["202"].ended, 15, "202 removed and hung up", media_pbx.logs)
    phones.wait(lambda: len(participants(media_pbx, phones)) == 2, 10, "202's row deleted", media_pbx.logs)
    for call in calls.values():
        call.stop_playing()
        call.hang_up()
    phones.wait(lambda: all(c.ended for c in calls.values()), 5, "the hang-ups")
    phones.wait(lambda: participants(media_pbx, phones) == [], 10, "the room emptied", media_pbx.logs)


def test_three_wrong_codes_end_the_call(media_pbx, rooms, phones, phone_of):
    call = enter(media_pbx, phones, phone_of("201"), "1111#")
    for _ in range(2):
        phones.pump(3.0)  # 'wrong_code', then the code prompt again
        assert not call.ended
        call.dtmf("2222#")
    phones.wait(lambda: call.ended, 15, "the call ending after three wrong codes", media_pbx.logs)
    assert participants(media_pbx, phones) == []


def test_a_disabled_room_says_so_and_hangs_up(media_pbx, rooms, phones, phone_of, tmp_path):
    call = phone_of("202").call("301")
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active, f"call ended with {call.code}\n{media_pbx.logs()}"
    heard = call.record(tmp_path / "closed.wav")
    phones.wait(lambda: call.ended, 15, "the hang-up after 'conference_closed'", media_pbx.logs)
    call.stop_recording(heard)
    del heard
    phones.pump(0.3)
    data, rate = tones.read(tmp_path / "closed.wav")
    assert len(tones.loud_part(data, rate)) / rate > 0.8  # the sentence was said


def test_a_full_room_says_so_and_hangs_up(media_pbx, rooms, phones, phone_of):
    first = phone_of("200").call("302")  # no code: straight in
    phones.wait(lambda: first.active or first.ended, 15, "the media server answering", media_pbx.logs)
    phones.wait(lambda: len(participants(media_pbx, phones)) == 1, 15, "the first caller in", media_pbx.logs)
    second = phone_of("201").call("302")
    phones.wait(lambda: second.active or second.ended, 15, "the media server answering", media_pbx.logs)
    phones.wait(lambda: second.ended, 15, "the hang-up after 'conference_full'", media_pbx.logs)
    assert first.active
    first.hang_up()
    phones.wait(lambda: participants(media_pbx, phones) == [], 10, "the room emptied", media_pbx.logs)
