"""Attendant rules: menu validation, system attendants, name resolution."""

import pytest
from django.core.exceptions import ValidationError

from apps.attendants import services
from apps.attendants.models import AutoAttendant, SpecialMode


@pytest.fixture
def sales(db):
    return AutoAttendant.objects.create(name="Sales menu")


def test_migration_creates_the_system_attendants_and_mode(db):
    assert set(AutoAttendant.objects.values_list("system_id", "name")) == {
        ("operator", "operator"),
        ("afterhour", "After hours"),
    }
    mode = SpecialMode.current()
    assert (mode.enabled, mode.attendant) == (False, None)


@pytest.mark.parametrize(
    ("key", "action", "parameter"),
    [
        ("0", "operator", ""),
        ("1", "transfer_out", "201"),
        ("2", "transfer_out", "sip:bob@example.org"),
        ("3", "transfer_out", "alice"),
        ("4", "transfer_out", "+15551234567"),
        ("5", "voicemail_deposit", "202"),
        ("6", "transfer_to_another_aa_menu", "operator"),
        ("*", "repeat_prompt", ""),
        ("#", "disconnect", ""),
        ("9", "dial_by_name", ""),
        ("8", "voicemail_access", ""),
    ],
)
def test_valid_menu_items(make_user, sales, key, action, parameter):
    make_user("200", aliases=["alice"])
    make_user("202")
    services.set_menu(sales, [(key, action, parameter)])
    assert list(sales.menu.values_list("key", "action", "parameter")) == [(key, action, parameter)]


@pytest.mark.parametrize(
    ("key", "action", "parameter", "fragment"),
    [
        ("x", "operator", "", "key"),
        ("10", "operator", "", "key"),
        ("1", "fly", "", "action"),
        ("1", "operator", "201", "takes no parameter"),
        ("1", "transfer_out", "", "needs"),
        ("1", "transfer_out", "not a number", "neither"),
        ("1", "transfer_out", "sip:nohost", "neither"),
        ("1", "voicemail_deposit", "999", "mailbox"),
        ("1", "transfer_to_another_aa_menu", "Nowhere", "no attendant"),
    ],
)
def test_invalid_menu_items_change_nothing(sales, key, action, parameter, fragment):
    services.set_menu(sales, [("0", "operator", "")])
    with pytest.raises(ValidationError) as info:
        services.set_menu(sales, [("2", "dial_by_name", ""), (key, action, parameter)])
    assert fragment in " ".join(info.value.messages)
    assert list(sales.menu.values_list("key", flat=True)) == ["0"]


def test_duplicate_keys_are_refused(sales):
    with pytest.raises(ValidationError, match="twice"):
        services.set_menu(sales, [("1", "operator", ""), ("1", "dial_by_name", "")])


def test_system_attendants_cannot_be_deleted(sales):
    for attendant in AutoAttendant.objects.filter(system_id__isnull=False):
        with pytest.raises(ValidationError):
            services.delete_attendant(attendant)
    services.delete_attendant(sales)
    assert not AutoAttendant.objects.filter(name="Sales menu").exists()


def test_deleting_the_selected_attendant_clears_the_selection(sales):
    services.select_special(sales)
    sales.delete()
    assert SpecialMode.current().attendant is None


def test_resolve(sales):
    assert services.resolve("operator").system_id == "operator"
    assert services.resolve("afterhour").name == "After hours"
    assert services.resolve(f"xcf{sales.pk}") == sales
    assert services.resolve("Sales menu") == sales
    assert services.resolve("xcf") is None and services.resolve("") is None


def test_the_special_attendant_cannot_be_deleted_while_special_mode_is_on(sales):
    services.select_special(sales)
    services.special_mode_on()
    with pytest.raises(ValidationError, match="special mode"):
        services.delete_attendant(sales)
    services.special_mode_off()
    services.delete_attendant(sales)
