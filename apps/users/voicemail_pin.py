"""Checking a voicemail PIN (`User.voicemail_pin_hash`) under the users' lockout (apps/users/lockout.py), for
whoever asks for it: the media server's voicemail retrieval by phone today, REST tomorrow. Every attempt counts
against the same account and address counters as the portal PIN, so guessing by phone and guessing over HTTP add
up, and a locked account is locked for both."""

from django.contrib.auth.hashers import check_password

from apps.users import lockout
from apps.users.models import User


def has_voicemail_pin(user: User | None) -> bool:
    """A user without a voicemail PIN cannot log in to the mailbox by phone (there is nothing to check)."""
    return user is not None and bool(user.voicemail_pin_hash)


def check_voicemail_pin(user: User | None, pin: str, address: str, name: str = "") -> bool:
    """Whether `pin` is the voicemail PIN of `user`, tried from `address` (the client's address: the phone's SIP
    source). `user` None (a mailbox number that belongs to nobody, or a disabled user) is checked like a wrong
    PIN and counted against `name`, so a caller cannot tell a missing mailbox from a wrong PIN.

    Slot first (lockout.reserve before the hash check), like the HTML login: parallel calls never check more PINs
    than the limit. Raises lockout.Locked when this address may not try this account now, right PIN or not."""
    if user is not None and not user.is_active:
        user = None
    account = lockout.account_of(user.pk if user is not None else None, user.username if user else name)
    attempt = lockout.begin(address or "unknown", account)
    lockout.reserve(attempt)
    # check_password without a setter: a hash upgrade is not written from here (the PIN is not the portal PIN).
    right = has_voicemail_pin(user) and check_password(pin, user.voicemail_pin_hash)
    if right:
        lockout.succeeded(attempt)
    else:
        lockout.failed(attempt)
    return right
