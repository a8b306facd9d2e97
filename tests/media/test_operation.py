"""Running the media server: a call in progress survives gunicorn going away (the media server reads and writes the
database itself), and its heartbeat is in the shared cache the admins' page reads."""

import time

from apps.mediaserver import health
from tests.media import tones
from tests.media.conftest import WITH_MEDIA

pytestmark = WITH_MEDIA


def messages_of(media_pbx, user: str) -> int:
    count = f"from apps.voicemail.models import Message\nprint(Message.objects.filter(user__username={user!r}).count())"
    return int(media_pbx.shell(count).split()[-1])


def test_a_deposit_in_progress_survives_gunicorn_going_away(media_pbx, phones, phone_of, tmp_path):
    before = messages_of(media_pbx, "202")
    call = phone_of("200").call("202")  # 202 has no phone registered: its voicemail, with the system greeting
    phones.wait(lambda: call.active or call.ended, 15, "the media server answering", media_pbx.logs)
    assert call.active
    media_pbx.server.stop()
    try:
        call.dtmf("1")  # skips the greeting
        phones.pump(1.5)  # the beep
        call.play(tones.write_tone(tmp_path / "tone.wav", 1000, 2.5))
        phones.pump(2.8)
        assert call.active, "the call ended while gunicorn was away"
        call.hang_up()
        phones.wait(lambda: call.ended, 5, "the hang-up")
        phones.wait(lambda: messages_of(media_pbx, "202") == before + 1, 15, "the message stored", media_pbx.logs)
    finally:
        media_pbx.server.serve()


def test_the_heartbeat_is_in_the_shared_cache(media_pbx):
    report = "from apps.mediaserver import health\nh = health.current()\nprint(h['running'], h.get('address'))"
    # Read until a beat is there: the process beats every INTERVAL seconds, and on a loaded machine (CI on
    # PostgreSQL, right after the test that restarts gunicorn) the first read once came before the next beat.
    deadline = time.monotonic() + 3 * health.INTERVAL
    while (out := media_pbx.shell(report).split()[-2:]) != ["True", f"127.0.0.1:{media_pbx.media_port}"]:
        assert time.monotonic() < deadline, f"no heartbeat of the media server: {out}\n{media_pbx.logs()}"
        time.sleep(1)
