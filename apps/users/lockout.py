"""Brute-force protection (D7) through Django's cache framework, so every worker and host shares it.

Failures are counted per account and per client address. The account is the user a login name belongs to,
whatever spelling reached us (`dave`, `dave@example.org`, `example.org\\dave`, `203` are one account); a name
that belongs to nobody counts under its normalised spelling (lower case, domain removed). After
LOCKOUT_MAX_PER_NAME failures for one account from one address within the window, that account is locked
for that address; after LOCKOUT_MAX_PER_ADDRESS failures from one address, every login from it is. Other
addresses are never affected (a stranger cannot lock a user out).

Counting is atomic: an attempt takes a slot in both counters with one `cache.add`/`cache.incr` each (Redis
INCR; a locked read-modify-write in the database cache, sipxweb/cache.py), and its answer is given only when
its slot is within the limit, so parallel guesses never learn more answers than the limit allows. Two orders:

* slot first (`begin`, `reserve`, then the check): the PIN is checked only within the limit. The HTML login,
  and Basic once this process has seen failures for the account or the address (`suspect`), so that a
  locked account costs no password hash.
* check first, then one read decides (`attempt`, the check, `read`, `settle`): Digest (two MD5s) and Basic
  with a clean record. A right answer with no failures counted for the account at the read is a success with
  no write at all (it comes before every failure that is counted later; one that was counted earlier is seen
  by the read); any other takes its slot then, a wrong one to count itself, a right one to clear the
  failures, and gets 429 over the limit, right or wrong alike, so a 429 never tells whether the guess was
  right. The common request, a success, thus costs one read of the cache (one SQL query).

A success gives the slots back and clears the account's counter. A locked attempt raises `Locked` (HTTP 429
with Retry-After)."""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


class Locked(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"locked for {retry_after} s")
        self.retry_after = retry_after


@dataclass
class Attempt:
    account_key: str
    address_key: str
    had_failures: bool
    reserved: bool = False


def clock() -> float:
    """The clock of the windows, read through one name so that tests move it instead of sleeping."""
    return time.time()


def _hash(text: str) -> str:
    # Keys stay short and plain whatever the client sent (the database cache's key column holds 255).
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def account_of(user_id: int | None, bare_name: str) -> str:
    """The account a login attempt counts against: the user's id, or the normalised name nobody owns."""
    return f"u{user_id}" if user_id is not None else f"n{_hash(bare_name.lower())}"


def _keys(address: str, account: str) -> tuple[str, str]:
    addr = _hash(address)
    return f"lockout:acct:{addr}:{account}", f"lockout:addr:{addr}"


def _since(key: str) -> str:
    return key + ":since"


def _limits(attempt: Attempt) -> tuple[tuple[str, int], tuple[str, int]]:
    return (
        (attempt.account_key, settings.LOCKOUT_MAX_PER_NAME),
        (attempt.address_key, settings.LOCKOUT_MAX_PER_ADDRESS),
    )


def _retry_after(key: str, started: float | None, now: float) -> int:
    window = settings.LOCKOUT_WINDOW_SECONDS
    started = now if started is None else started
    return max(1, int(started + window - now + 0.999))


def attempt(address: str, account: str) -> Attempt:
    """The attempt's counter keys, nothing read yet (`read` follows the check)."""
    account_key, address_key = _keys(address, account)
    return Attempt(account_key, address_key, had_failures=False)


def begin(address: str, account: str, now: float | None = None) -> Attempt:
    """One read of both counters: raises Locked when this address may not try this account now."""
    found = attempt(address, account)
    read(found, now=now)
    return found


def read(attempt: Attempt, also: tuple[str, ...] = (), now: float | None = None) -> dict:
    """One read (one get_many) of both counters and of the keys `also`; raises Locked when this address may not
    try this account now. Returns what was found."""
    now = now or clock()
    keys = [attempt.account_key, attempt.address_key, _since(attempt.account_key), _since(attempt.address_key)]
    found = cache.get_many([*keys, *also])
    for key, limit in _limits(attempt):
        if found.get(key, 0) >= limit:
            _note_failures(attempt, now)
            raise Locked(_retry_after(key, found.get(_since(key)), now))
    attempt.had_failures = bool(found.get(attempt.account_key))
    if attempt.had_failures or found.get(attempt.address_key):
        _note_failures(attempt, now)
    return found


def settle(attempt: Attempt, right: bool, now: float | None = None) -> None:
    """After a check made without a slot and the `read` that followed it: a right answer for an account with no
    failures is a success as it stands (nothing written); anything else takes its slot now and raises Locked
    over the limit, right or wrong alike. The caller then calls `succeeded` or counts on the slot taken."""
    if right and not attempt.had_failures:
        return
    if not right:
        _note_failures(attempt, now or clock())
    reserve(attempt, now)


# Process-local hint, never trusted for a decision: (address, account) and addresses for which this process
# saw failures lately. Basic then takes the slot before the hash is computed (a locked account costs no hash).
_SUSPECT: dict[str, float] = {}
_SUSPECT_MAX = 20_000


def _note_failures(attempt: Attempt, now: float) -> None:
    if len(_SUSPECT) >= _SUSPECT_MAX:
        _SUSPECT.clear()
    until = now + settings.LOCKOUT_WINDOW_SECONDS
    _SUSPECT[attempt.account_key] = _SUSPECT[attempt.address_key] = until


def suspect(attempt: Attempt, now: float | None = None) -> bool:
    """Whether this process saw failures for this account or this address within the window."""
    now = now or clock()
    return any(_SUSPECT.get(key, 0) > now for key in (attempt.account_key, attempt.address_key))


def _count(key: str, delta: int, now: float) -> int:
    """Adds `delta` to the counter in one atomic step; a missing counter starts a window of its own."""
    window = settings.LOCKOUT_WINDOW_SECONDS
    for _ in range(3):
        # The counter is its window: it expires with it (the database cache rounds down to a whole second).
        if delta > 0 and cache.add(key, delta, timeout=window):
            cache.add(_since(key), now, timeout=window)
            return delta
        try:
            return cache.incr(key, delta)
        except ValueError:  # expired between add and incr: start again
            if delta < 0:
                return 0
    return delta


def reserve(attempt: Attempt, now: float | None = None) -> None:
    """Takes this attempt's slot in both counters before its PIN is checked; Locked when over a limit."""
    now = now or clock()
    counts = [(key, limit, _count(key, 1, now)) for key, limit in _limits(attempt)]
    attempt.reserved = True
    for key, limit, count in counts:
        if count > limit:
            raise Locked(_retry_after(key, cache.get(_since(key)), now))


def failed(attempt: Attempt, now: float | None = None) -> None:
    """A wrong PIN: a reserved attempt has been counted already; any other is counted now."""
    _note_failures(attempt, now or clock())
    if not attempt.reserved:
        for key, _ in _limits(attempt):
            _count(key, 1, now or clock())


def release(attempt: Attempt) -> None:
    """Gives a reserved slot back (the credentials were right, the request failed for another reason)."""
    if attempt.reserved:
        attempt.reserved = False
        _count(attempt.address_key, -1, clock())
        _count(attempt.account_key, -1, clock())


def succeeded(attempt: Attempt) -> None:
    """The PIN was right: the address's slot is given back and the account's failures are forgotten."""
    if attempt.reserved:
        attempt.reserved = False
        _count(attempt.address_key, -1, clock())
        cache.delete_many([attempt.account_key, _since(attempt.account_key)])
    elif attempt.had_failures:
        cache.delete_many([attempt.account_key, _since(attempt.account_key)])


def client_address(request) -> str:
    """The client's address. Behind a trusted reverse proxy (TRUST_PROXY_HEADERS) every request comes from
    the proxy, so the address it appended last to X-Forwarded-For is the one that counts."""
    if settings.TRUST_PROXY_HEADERS:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
