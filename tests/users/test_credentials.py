"""The login lookup behind every credential check (apps/users/credentials.py): one SQL statement, and the user
it returns is the same as the ORM's (every field, datetimes aware on SQLite too)."""

import pytest

from apps.users import services
from apps.users.credentials import authenticate_pin, find_login
from apps.users.models import User

pytestmark = pytest.mark.django_db


def test_the_user_found_equals_the_orms(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        login = find_login("ALICE")
    assert (login.name, login.kind) == ("alice", "alias")
    orm = User.objects.get(pk=alice.pk)
    for field in User._meta.concrete_fields:
        assert getattr(login.user, field.attname) == getattr(orm, field.attname), field.name
    assert login.user.date_joined.tzinfo is not None


def test_user_name_alias_and_im_id(alice, make_user):
    assert find_login("200").user == alice
    assert find_login("alice").kind == "alias"
    assert find_login("nobody") is None and find_login("") is None


def test_disabled_user_and_disabled_im_id_are_not_found(alice, make_user):
    bob = make_user("201", aliases=["bob"], im_id="bobim", im_enabled=False)
    assert find_login("bobim") is None
    bob.im_enabled = True
    services.save_user(bob)
    assert find_login("bobim").user == bob
    bob.is_active = False
    services.save_user(bob)
    assert find_login("201") is None


def test_authenticate_pin_forms(alice, settings):
    assert authenticate_pin("alice@" + settings.SIPX_DOMAIN, "1234") == alice
    assert authenticate_pin("alice@elsewhere.example", "1234") is None
    assert authenticate_pin("alice", "4321") is None
