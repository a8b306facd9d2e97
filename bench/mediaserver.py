#!/usr/bin/env python3
"""What the media server (apps/mediaserver, docs/mediaserver.md) can carry on this machine, on the real stack:
gunicorn, Kamailio and `manage.py run_mediaserver` on one throw-away database, pjsua2 phones in this process.

* Deposits: --deposits calls from one phone (user 3000; PJSIP holds at most 8 accounts) reach 201 at the same
  moment; nobody answers, the media server plays 201's 1 s greeting and a beep, then each call sends --seconds of a
  tone and hangs up. The media server's receive
  statistics of every call (PJSIP's RTP and jitter-buffer counters, logged when each stream ends) are summed:
  packets lost and packets the jitter buffer discarded, against the target of < 1 % each. Every message must be
  stored. The media server's CPU time during the deposits is reported against the same time idle.
* Conference: --parties calls from that phone reach a room's extension, each sending its own tone, for --seconds;
  the media server's CPU (percent of one core) with the room full, against idle.

    .venv/bin/python bench/mediaserver.py [--deposits 20] [--parties 10] [--seconds 10] [--database-url postgres://...]

Needs CPython 3.12 with pjsua2-python, kamailio, espeak-ng and sox.
"""

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.media import tones  # noqa: E402
from tests.media.conftest import DOMAIN, MediaPbx  # noqa: E402
from tests.media.phone import Phones  # noqa: E402

TARGET_PERCENT = 1.0
STREAM = re.compile(r"stream of a (\w+) call: (\d+) packets received, (\d+) lost, (\d+) discarded, jitter ([\d.]+) ms")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def cpu_percent(pid: int, seconds: float, phones: Phones) -> float:
    """The process's CPU over `seconds` (percent of one core), while this process keeps its phones going."""
    before, started = cpu_seconds(pid), time.monotonic()
    phones.pump(seconds)
    return 100 * (cpu_seconds(pid) - before) / (time.monotonic() - started)


def make_users(pbx: MediaPbx, count: int) -> None:
    pbx.shell(
        "from apps.users.services import create_user\n"
        f"for n in range(3000, 3000 + {count}):\n"
        "    create_user(str(n), pin='1234', sip_password=f'sip{n}')\n"
    )


def deposits(pbx: MediaPbx, phones: Phones, count: int, seconds: float, tmp: Path) -> bool:
    greeting = tones.write_tone(tmp / "greeting.wav", 440, 1.0)
    pbx.shell(
        "from django.core.files import File\n"
        "from apps.users.models import User\n"
        "from apps.voicemail import services\n"
        "user = User.objects.get(username='201')\n"
        f"services.save_greeting(user, 'standard', File(open({str(greeting)!r}, 'rb'), name='g.wav'))\n"
        "services.set_active_greeting(user, 'standard')\n"
    )
    tone = tones.write_tone(tmp / "tone.wav", 1000, seconds)
    caller = phones.phone("3000", "sip3000", pbx.proxy)  # PJSIP holds 8 accounts: one phone makes every call
    idle = cpu_percent(pbx.media.proc.pid, 3, phones)
    calls = [caller.call("201") for _ in range(count)]
    phones.wait(lambda: all(c.active or c.ended for c in calls), 30, "every deposit answered", pbx.logs)
    answered = sum(c.active for c in calls)
    phones.pump(1.6)  # the greeting and the beep
    for call in calls:
        if call.active:
            call.play(tone)
    busy = cpu_percent(pbx.media.proc.pid, seconds, phones)
    for call in calls:
        call.hang_up()
    phones.wait(lambda: all(c.ended for c in calls), 15, "every hang-up")
    phones.pump(3)
    stored = int(
        pbx.shell(
            "from apps.voicemail.models import Message\nprint(Message.objects.filter(user__username='201').count())"
        ).split()[-1]
    )
    streams = [m for m in STREAM.findall(pbx.media.output()) if m[0] == "deposit"][-count:]
    received = sum(int(m[1]) for m in streams)
    lost = sum(int(m[2]) for m in streams)
    discarded = sum(int(m[3]) for m in streams)
    jitter = max((float(m[4]) for m in streams), default=0.0)
    loss_pct = 100 * lost / max(received + lost, 1)
    discard_pct = 100 * discarded / max(received, 1)
    print(f"deposits: {count} at once, {answered} answered, {stored} messages stored, {len(streams)} streams reported")
    print(f"  RTP received by the media server: {received} packets, lost {lost} ({loss_pct:.3f} %),")
    print(f"  discarded by the jitter buffer {discarded} ({discard_pct:.3f} %), worst mean jitter {jitter:.1f} ms")
    print(f"  media server CPU: {busy:.1f} % of a core recording {count} calls, {idle:.1f} % idle")
    phones.forget([caller])
    return answered == count == stored and loss_pct < TARGET_PERCENT and discard_pct < TARGET_PERCENT


def conference(pbx: MediaPbx, phones: Phones, parties: int, seconds: float, tmp: Path) -> None:
    pbx.shell(
        "from apps.conferences.models import Conference\n"
        "Conference.objects.create(name='bench', extension='399', enabled=True)\n"
    )
    member = phones.phone("3000", "sip3000", pbx.proxy)
    idle = cpu_percent(pbx.media.proc.pid, 3, phones)
    calls = [member.call("399") for _ in range(parties)]
    phones.wait(lambda: all(c.active or c.ended for c in calls), 30, "every party answered", pbx.logs)
    phones.pump(3)  # their prompts
    for index, call in enumerate(calls):
        if call.active:
            call.play(tones.write_tone(tmp / f"p{index}.wav", 300 + 100 * index, seconds + 5), loop=True)
    in_room = sum(c.active for c in calls)
    busy = cpu_percent(pbx.media.proc.pid, seconds, phones)
    print(f"conference: {in_room} of {parties} parties in one room, each sending a tone")
    per_party = busy / max(in_room, 1)
    print(f"  media server CPU: {busy:.1f} % of a core mixing ({per_party:.2f} % per party), {idle:.1f} % idle")
    phones.forget([member])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deposits", type=int, default=20, help="simultaneous deposits (default 20)")
    parser.add_argument("--parties", type=int, default=10, help="parties in the conference (default 10)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds of audio per call (default 10)")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; the rig creates its own database there")
    parser.add_argument("--skip-conference", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-media-"))
    database = None
    if args.database_url:
        import uuid

        import psycopg

        database = args.database_url.rsplit("/", 1)[0] + f"/bench_media_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database.rsplit("/", 1)[1]}"')
    pbx = MediaPbx(tmp, database, MEDIA_MAX_CALLS=str(max(args.deposits, args.parties) + 5))
    phones = Phones(DOMAIN, max_calls=max(args.deposits, args.parties) + 4)
    try:
        make_users(pbx, 1)
        print(f"database: {'PostgreSQL' if database else 'SQLite'}; {os.cpu_count()} CPUs; "
              f"{args.seconds:g} s of audio per call")  # fmt: skip
        met = deposits(pbx, phones, args.deposits, args.seconds, tmp)
        if not args.skip_conference:
            conference(pbx, phones, args.parties, args.seconds, tmp)
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1
    finally:
        phones.close()
        pbx.stop()
        if database:
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
