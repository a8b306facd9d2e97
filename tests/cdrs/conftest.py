"""Fixtures of the call-record tests, shared with the call controller's (tests/callcontrol/conftest.py)."""

import pytest


@pytest.fixture
def users(make_user, admin_user):
    """The parties of the call URI tests: user3 and user4 (the names of the compatibility samples), bob, the
    administrator."""
    return {
        "user3": make_user("user3", sip_password="sip3"),
        "user4": make_user("user4"),
        "bob": make_user("201", aliases=["bob"], sip_password="bobsip201"),
        "admin": admin_user,
    }
