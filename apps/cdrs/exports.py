"""Call history export: the whole filtered history as CSV (RFC 4180, UTF-8), a generator of byte chunks that the
page streams. Times are ISO 8601 to the second with their UTC offset, in the server's time zone (as the pages show
them); each party has the name the pages show beside it (names.py), looked up a chunk of records at a time. Written
by `sipxweb.csvcells`: a call id or address from a /cse feed that starts like a formula is neutralised."""

from collections.abc import Iterator
from itertools import batched

from django.db.models import QuerySet
from django.utils import timezone, translation

from apps.cdrs.names import Names
from sipxweb import csvcells

HEADER = [
    "call id",
    "caller",
    "caller name",
    "callee",
    "callee name",
    "direction",
    "start",
    "connect",
    "end",
    "duration (s)",
    "termination",
    "failure",
]
CHUNK = 1000


def iso(value) -> str:
    """`2026-05-04T09:15:03+02:00`: ISO 8601 in the current time zone, without microseconds; "" for no time."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def csv_export(cdrs: QuerySet, names: Names | None = None) -> Iterator[bytes]:
    names = names or Names()

    def chunks():
        for chunk in batched(cdrs.iterator(chunk_size=CHUNK), CHUNK):
            names.load_cdrs(chunk)
            with translation.override("en"):  # a data file: its words stay English, as its header is
                rows = [
                    [
                        cdr.call_id,
                        cdr.caller_aor,
                        names.caller(cdr)[1],
                        cdr.callee_aor,
                        names.callee(cdr)[1],
                        names.direction(cdr),
                        iso(cdr.start_time),
                        iso(cdr.connect_time),
                        iso(cdr.end_time),
                        "" if cdr.duration_seconds is None else cdr.duration_seconds,
                        cdr.get_termination_display(),
                        cdr.failure_status or "",
                    ]
                    for cdr in chunk
                ]
            yield rows

    return csvcells.stream_chunks(HEADER, chunks())
