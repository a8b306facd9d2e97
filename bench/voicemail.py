#!/usr/bin/env python3
"""Voicemail on the real stack (gunicorn, SQLite): requests/s of the RSS feed with 10 and with 200 messages in
the folder, of ranged audio requests (64 KiB, as a seeking player sends), and MB/s of whole-file downloads.

Starts gunicorn (tests/server/live.py) with user 200 / alice / 1234, deposits one 60 s WAV (≈ 0.96 MB) through
`deposit_voicemail`, then copies its row to 200 inbox messages (10 of them in `saved`). One keep-alive client
per thread, Basic credentials.

    .venv/bin/python bench/voicemail.py [--seconds 5] [--threads 2] [--workers 2]
"""

import argparse
import http.client
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.live import LiveServer, basic_header  # noqa: E402

AUTH = {"Authorization": basic_header("alice", "1234")}
SEED = """
from apps.voicemail.models import Message
first = Message.objects.get()
rows = []
for i in range(2, 201):
    rows.append(Message(user=first.user, message_id=f"{i:010d}", folder="saved" if i <= 11 else "inbox",
                        subject=first.subject, sender=first.sender, sender_brief=first.sender_brief,
                        received=first.received, duration=first.duration, format=first.format, audio=first.audio.name))
Message.objects.bulk_create(rows)
first.folder = "saved"
first.save()
"""


def run(port: int, path: str, headers: dict, seconds: float, threads: int) -> tuple[float, float]:
    """(requests/s, MB/s) of `threads` keep-alive clients for `seconds`; any non-2xx stops the run."""
    stop = time.monotonic() + seconds
    counts, sizes, errors = [0] * threads, [0] * threads, []

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status not in (200, 206):
                errors.append(response.status)
                return
            counts[n] += 1
            sizes[n] += len(body)
        conn.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(f"{path}: answered {errors[0]}")
    return sum(counts) / elapsed, sum(sizes) / elapsed / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "minute.wav"
        with wave.open(str(wav), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"\x00\x10" * 8000 * 60)
        with LiveServer("bench-" + "x" * 40, workers=args.workers) as server:
            server.manage("deposit_voicemail", "200", str(wav), "--from", "Bob Jones - 201")
            server.manage("shell", "-c", SEED)
            base = "/sipxconfig/rest/my"
            cases = [
                ("feed, 10 messages (saved)", f"{base}/feed/voicemail/saved", AUTH),
                ("feed, 190 messages (inbox)", f"{base}/feed/voicemail/inbox", AUTH),
                ("audio, Range 64 KiB", f"{base}/voicemail/inbox/0000000100", {**AUTH, "Range": "bytes=65536-131071"}),
                ("audio, whole 0.96 MB file", f"{base}/voicemail/inbox/0000000100", AUTH),
            ]
            run(server.port, cases[0][1], AUTH, 1, 1)  # warm-up
            print(f"gunicorn workers={args.workers}, client threads={args.threads}, {args.seconds:g} s per case")
            for label, path, headers in cases:
                rps, mbps = run(server.port, path, headers, args.seconds, args.threads)
                print(f"  {label:<28} {rps:8.1f} req/s  {mbps:8.1f} MB/s")


if __name__ == "__main__":
    main()
