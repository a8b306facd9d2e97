"""What a call record may hold, checked where call data enters (POST /cse) and where it is restored (the PBX
data file), so that whatever is stored can be exported and imported again unchanged."""

from datetime import UTC, datetime

# Call-state events come from SIP proxies and PBXs of today: a time before the epoch or at the edge of the
# calendar is a broken clock or a hostile client. The window also keeps every time four-digit and convertible
# to and from any UTC offset (year 1 or 9999 in another zone overflows Python's datetime).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def time_problem(value: datetime) -> str | None:
    """Why an (aware) event or call time is refused, as a sentence fragment; None when it is accepted."""
    if value.utcoffset() is None:
        return "the time needs a zone (Z for UTC)"
    try:
        inside = EARLIEST <= value < LATEST
    except OverflowError:
        inside = False
    if not inside:
        return f"{value.isoformat()} is not between 1970-01-01 and 9000-01-01 (UTC)"
    return None


def status_problem(value: int) -> str | None:
    """A failure status is a SIP final status code."""
    if not 100 <= value <= 699:
        return f"{value} is not a SIP status between 100 and 699"
    return None
