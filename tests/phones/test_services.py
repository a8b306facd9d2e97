"""The phone catalogue and phone creation rules."""

import pytest
from django.core.exceptions import ValidationError

from apps.phones import services
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Line, Phone, normalise_serial


def test_catalogue_covers_the_required_families():
    vendors = {m.vendor for m in CATALOGUE.values()}
    assert {"Polycom", "Yealink", "Snom", "Grandstream", "Cisco", "Aastra", "Mitel", "CounterPath"} <= vendors
    labels = " ".join(m.label for m in CATALOGUE.values())
    for family in ("SoundPoint IP", "VVX", "T4", "T5", "GXP", "SPA"):
        assert family in labels
    for model_id in (
        "polycom335",
        "polycomVVX400",
        "yealinkPhoneT46",
        "snomD735",
        "grandstreamGXP2170",
        "ciscoSpa504g",
    ):
        assert model_id in CATALOGUE
    assert all(m.lines >= 1 for m in CATALOGUE.values())


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("0004F2A1B2C3", "0004f2a1b2c3"), ("00:04:f2:a1:b2:c3", "0004f2a1b2c3"), ("00-04-F2-A1-B2-C3", "0004f2a1b2c3")],
)
def test_serial_normalisation(raw, clean):
    assert normalise_serial(raw) == clean


def test_create_phone_with_lines(make_user):
    make_user("200", aliases=["alice"])
    make_user("201")
    phone = services.create_phone(
        services.PhoneData("0004F2A1B2C3", "polycom335", "Alice desk", "4.0", ["alice", "201"])
    )
    assert phone.serial_number == "0004f2a1b2c3" and phone.version == "4.0.X"
    assert [line.user.username for line in phone.lines.all()] == ["200", "201"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (services.PhoneData("0004f2a1b2c", "polycom335"), "12 hexadecimal"),
        (services.PhoneData("0004f2a1b2cg", "polycom335"), "12 hexadecimal"),
        (services.PhoneData("0004f2a1b2c3", "polycom999"), "unknown phone model"),
        (services.PhoneData("0004f2a1b2c3", "polycom335", version="1.0"), "no firmware version"),
        (services.PhoneData("0004f2a1b2c3", "polycom335", lines=["nobody"]), "no user"),
        (services.PhoneData("0004f2a1b2c3", "sipxSoftPhone", lines=["200", "201"]), "1 lines"),
    ],
)
def test_bad_phones_leave_nothing(make_user, data, fragment):
    make_user("200")
    make_user("201")
    with pytest.raises(ValidationError) as info:
        services.create_phone(data)
    assert fragment in " ".join(info.value.messages)
    assert Phone.objects.count() == 0 and Line.objects.count() == 0


def test_a_user_twice_is_named_as_such(make_user):
    make_user("200", aliases=["alice"])
    with pytest.raises(ValidationError, match="has a line on this phone already"):
        services.create_phone(services.PhoneData("0004f2a1b2c3", "polycom335", lines=["200", "alice"]))


def test_update_phone_replaces_lines_in_order(make_user):
    make_user("200")
    make_user("201")
    phone = services.create_phone(services.PhoneData("0004f2a1b2c3", "polycom335", lines=["200"]))
    services.update_phone(phone, services.PhoneData(phone.serial_number, "polycom450", "moved", "3.2", ["201", "200"]))
    phone.refresh_from_db()
    assert (phone.model, phone.version, phone.description) == ("polycom450", "3.2.X", "moved")
    assert [line.user.username for line in phone.lines.all()] == ["201", "200"]
    with pytest.raises(ValidationError):
        services.update_phone(phone, services.PhoneData(phone.serial_number, "sipxSoftPhone", lines=["200", "201"]))
    assert phone.lines.count() == 2
