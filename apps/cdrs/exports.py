"""Call history export: the whole filtered history as CSV (RFC 4180, UTF-8), a generator of byte chunks that the
page streams. Written by `sipxweb.csvcells`: a call id or address from a /cse feed that starts like a formula is
neutralised."""

from collections.abc import Iterator

from django.db.models import QuerySet

from sipxweb import csvcells

HEADER = ["call id", "caller", "callee", "start", "connect", "end", "duration (s)", "termination", "failure"]


def csv_export(cdrs: QuerySet) -> Iterator[bytes]:
    def rows():
        for cdr in cdrs.iterator(chunk_size=1000):
            yield [
                cdr.call_id,
                cdr.caller_aor,
                cdr.callee_aor,
                cdr.start_time.isoformat(),
                cdr.connect_time.isoformat() if cdr.connect_time else "",
                cdr.end_time.isoformat() if cdr.end_time else "",
                "" if cdr.duration_seconds is None else cdr.duration_seconds,
                cdr.get_termination_display(),
                cdr.failure_status or "",
            ]

    return csvcells.stream(HEADER, rows())
