"""The phones, autoAttendants and specialMode sections of the PBX data file."""

import pytest
from django.core.management.base import CommandError

from apps.attendants.models import AutoAttendant, SpecialMode
from apps.phones.models import Phone
from tests.pbxdata.helpers import doc, export, export_text

USERS = [{"userName": "200", "pin": "1234"}, {"userName": "201", "pin": "1234"}]
PHONES = [
    {"serialNumber": "0004F2A1B2C3", "model": "polycom335", "description": "Alice desk", "lines": ["200"]},
    {"serialNumber": "00:15:65:a1:b2:c3", "model": "yealinkPhoneT46", "version": "V86", "lines": ["200", "201"]},
]
ATTENDANTS = [
    {
        "name": "operator",
        "systemId": "operator",
        "menu": [{"key": "0", "action": "operator"}, {"key": "1", "action": "transfer_out", "parameter": "201"}],
    },
    {"name": "Night", "systemId": "afterhour", "menu": [{"key": "*", "action": "repeat_prompt"}]},
    {"name": "Sales menu", "menu": [{"key": "2", "action": "transfer_to_another_aa_menu", "parameter": "Night"}]},
]


def full():
    return doc(
        users=USERS, phones=PHONES, autoAttendants=ATTENDANTS, specialMode={"enabled": True, "attendant": "Sales menu"}
    )


def test_import_phones_attendants_special_mode(import_file):
    import_file(full())
    assert [(p.serial_number, p.model, p.version) for p in Phone.objects.all()] == [
        ("0004f2a1b2c3", "polycom335", None),
        ("001565a1b2c3", "yealinkPhoneT46", "V86"),
    ]
    assert [line.user.username for line in Phone.objects.get(serial_number="001565a1b2c3").lines.all()] == [
        "200",
        "201",
    ]
    night = AutoAttendant.objects.get(system_id="afterhour")
    assert night.name == "Night"  # the system attendant was renamed, not duplicated
    assert AutoAttendant.objects.count() == 3
    mode = SpecialMode.current()
    assert mode.enabled and mode.attendant.name == "Sales menu"


def test_round_trip_is_identical(import_file):
    import_file(full())
    first = export_text()
    import_file(export(), "--replace")
    assert export_text() == first


def test_merge_import_updates_by_serial_and_system_id(import_file):
    import_file(full())
    changed = full()
    changed["phones"][0]["description"] = "moved"
    changed["autoAttendants"][1]["name"] = "After hours"
    changed["autoAttendants"][2]["menu"][0]["parameter"] = "After hours"
    import_file(changed)
    assert Phone.objects.get(serial_number="0004f2a1b2c3").description == "moved"
    assert AutoAttendant.objects.get(system_id="afterhour").name == "After hours"
    assert Phone.objects.count() == 2 and AutoAttendant.objects.count() == 3


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["phones"][0].update(model="polycom999"), "phones[0].model"),
        (lambda d: d["phones"][0].update(serialNumber="xyz"), "phones[0].serialNumber"),
        (lambda d: d["phones"][1].update(serialNumber="0004f2a1b2c3"), "phones[1]"),
        (lambda d: d["phones"][0].update(version="99"), "phones[0].version"),
        (lambda d: d["phones"][0].update(lines=["nobody"]), "phones[0].lines[0]"),
        (lambda d: d["phones"][0].update(colour="red"), "phones[0].colour"),
        (
            lambda d: d["autoAttendants"][0]["menu"].append({"key": "x", "action": "operator"}),
            "autoAttendants[0].menu[2].key",
        ),
        (
            lambda d: d["autoAttendants"][0]["menu"].append({"key": "5", "action": "transfer_out"}),
            "autoAttendants[0].menu[2]",
        ),
        (lambda d: d["autoAttendants"][2]["menu"][0].update(parameter="Nowhere"), "autoAttendants[2].menu[0]"),
        (lambda d: d["autoAttendants"][2].update(systemId="operator"), "autoAttendants[2].systemId"),
        (lambda d: d["specialMode"].update(attendant="Nowhere"), "specialMode.attendant"),
        (lambda d: d["specialMode"].update(enabled="yes"), "specialMode.enabled"),
    ],
)
def test_bad_sections_name_the_path_and_import_nothing(import_file, mutate, path):
    document = full()
    mutate(document)
    with pytest.raises(CommandError) as info:
        import_file(document)
    assert path in str(info.value)
    assert Phone.objects.count() == 0
    assert set(AutoAttendant.objects.values_list("name", flat=True)) == {"operator", "After hours"}
    assert not SpecialMode.current().enabled


def test_replace_keeps_the_system_attendants(import_file):
    import_file(full())
    import_file(doc(users=USERS), "--replace")
    assert set(AutoAttendant.objects.values_list("system_id", flat=True)) == {"operator", "afterhour"}
    assert Phone.objects.count() == 0
    assert (SpecialMode.current().enabled, SpecialMode.current().attendant) == (False, None)


def test_failure_settings_are_optional_on_import_and_always_exported(import_file):
    document = full()
    document["autoAttendants"][2].update(digitTimeout=8, maxInvalid=2, onFailure="operator")
    import_file(document)
    sales = AutoAttendant.objects.get(name="Sales menu")
    assert (sales.digit_timeout, sales.max_invalid, sales.on_failure) == (8, 2, "operator")
    night = AutoAttendant.objects.get(system_id="afterhour")
    assert (night.digit_timeout, night.max_invalid, night.on_failure) == (5, 3, "disconnect")
    exported = {a["name"]: a for a in export()["autoAttendants"]}
    assert {k: exported["Sales menu"][k] for k in ("digitTimeout", "maxInvalid", "onFailure")} == {
        "digitTimeout": 8,
        "maxInvalid": 2,
        "onFailure": "operator",
    }
    assert (exported["Night"]["digitTimeout"], exported["Night"]["maxInvalid"]) == (5, 3)
    assert exported["Night"]["onFailure"] == "disconnect"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("digitTimeout", 0, "0 is not between 1 and 60"),
        ("digitTimeout", "5", "expected a whole number"),
        ("maxInvalid", 11, "11 is not between 1 and 10"),
        ("onFailure", "transfer", "is not one of"),
    ],
)
def test_bad_failure_settings_name_the_path(import_file, key, value, message):
    document = full()
    document["autoAttendants"][0][key] = value
    with pytest.raises(CommandError) as info:
        import_file(document)
    assert f"autoAttendants[0].{key}" in str(info.value) and message in str(info.value)
