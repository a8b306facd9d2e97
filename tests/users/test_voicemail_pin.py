"""The voicemail PIN check (apps/users/voicemail_pin.py): right and wrong PINs, no PIN, unknown mailboxes, and the
lockout it shares with the portal PIN over REST (D7)."""

import pytest

from apps.users import lockout, services
from apps.users.voicemail_pin import check_voicemail_pin, has_voicemail_pin
from tests.conftest import REST, basic

URI = f"{REST}/my/feed/voicemail/inbox"
PHONE = "10.1.2.3"


@pytest.fixture
def bob(make_user):
    user = make_user("201", aliases=["bob"])
    services.set_voicemail_pin(user, "2580")
    return user


def test_right_and_wrong_pin(bob):
    assert check_voicemail_pin(bob, "2580", PHONE)
    assert not check_voicemail_pin(bob, "2581", PHONE)
    assert not check_voicemail_pin(bob, "", PHONE)


def test_no_pin_and_disabled_user_never_log_in(make_user, bob):
    carol = make_user("202")
    assert not has_voicemail_pin(carol) and not has_voicemail_pin(None)
    assert not check_voicemail_pin(carol, "", PHONE)
    bob.is_active = False
    assert not check_voicemail_pin(bob, "2580", PHONE)


def test_wrong_pins_lock_the_account_for_that_address_only(bob, settings):
    settings.LOCKOUT_MAX_PER_NAME = 3
    for _ in range(3):
        assert not check_voicemail_pin(bob, "0000", PHONE)
    with pytest.raises(lockout.Locked):
        check_voicemail_pin(bob, "2580", PHONE)  # even the right PIN, while locked
    assert check_voicemail_pin(bob, "2580", "10.9.9.9")


def test_a_right_pin_forgets_the_failures(bob, settings):
    settings.LOCKOUT_MAX_PER_NAME = 3
    for _ in range(2):
        check_voicemail_pin(bob, "0000", PHONE)
    assert check_voicemail_pin(bob, "2580", PHONE)
    for _ in range(2):
        check_voicemail_pin(bob, "0000", PHONE)
    assert check_voicemail_pin(bob, "2580", PHONE)


def test_phone_and_rest_count_toward_one_lockout(client, bob, settings):
    """Wrong voicemail PINs by phone and wrong portal PINs over REST, from one address, lock one account."""
    settings.LOCKOUT_MAX_PER_NAME = 4
    for _ in range(2):
        assert not check_voicemail_pin(bob, "0000", "127.0.0.1")
    for _ in range(2):
        assert client.get(URI, **basic("bob", "wrong")).status_code == 401
    assert client.get(URI, **basic("201", "1234")).status_code == 429
    with pytest.raises(lockout.Locked):
        check_voicemail_pin(bob, "2580", "127.0.0.1")


def test_unknown_mailbox_counts_like_a_wrong_pin(db, settings):
    settings.LOCKOUT_MAX_PER_NAME = 2
    assert not check_voicemail_pin(None, "1234", PHONE, name="999")
    assert not check_voicemail_pin(None, "1234", PHONE, name="999")
    with pytest.raises(lockout.Locked):
        check_voicemail_pin(None, "1234", PHONE, name="999")
