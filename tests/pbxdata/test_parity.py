"""Parity: every rule the data file can express for phones, auto-attendants and special mode gives the same answer
whichever way the input arrives — REST (where a URI exists, with real admin Basic credentials), the admin HTML
pages (logged in as an administrator) and import_pbx. Each row of a table is run once per channel on its own
database; an accepted input stores the same thing, a refused one stores nothing."""

import json

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.attendants import services as attendants
from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Phone
from tests.conftest import REST, basic
from tests.pbxdata.helpers import doc, run_import

ADMIN = basic("superadmin", "admin1234")
SERIAL = "0004f2a1b2c3"


@pytest.fixture
def pbx(make_user, admin_user):
    """200 (alias alice, enabled IM id alice.im), 201 (IM id bob.im, not enabled) and an attendant "Sales"."""
    make_user("200", aliases=["alice"], im_id="alice.im", im_enabled=True)
    make_user("201", im_id="bob.im", im_enabled=False)
    attendants.save_attendant(AutoAttendant(name="Sales"), [("0", "operator", "")])
    return admin_user


@pytest.fixture
def admin_client_in(client, pbx):
    """The admin logged in to the pages. Not named `page`: pytest-playwright treats any test asking for a
    fixture of that name as a browser test and moves it, and the tests around it, into the browser group."""
    client.force_login(pbx)
    return client


def file_accepts(tmp_path, document) -> bool:
    try:
        run_import(tmp_path, document)
    except CommandError:
        return False
    return True


# ---- phones ------------------------------------------------------------------------------------------------

NEWEST = object()  # REST and the pages store the model's newest version when none is given; a restore stores none

# (id, the phone as the data file writes it, accepted?, stored (model, version, lines) when accepted)
PHONES = [
    ("plain", {"model": "polycom335"}, True, ("polycom335", NEWEST, [])),
    (
        "serial with colons",
        {"serialNumber": "00:04:F2:A1:B2:C3", "model": "snom720"},
        True,
        ("snom720", NEWEST, []),
    ),
    ("serial too short", {"serialNumber": "0004f2a1b2", "model": "snom720"}, False, None),
    ("serial not hex", {"serialNumber": "0004f2a1b2zz", "model": "snom720"}, False, None),
    ("serial empty", {"serialNumber": "", "model": "snom720"}, False, None),
    ("model unknown", {"model": "polycom999"}, False, None),
    ("model in another case", {"model": "Polycom335"}, False, None),
    ("version exact", {"model": "polycom335", "version": "4.0.X"}, True, ("polycom335", "4.0.X", [])),
    ("version by substring", {"model": "polycom335", "version": "4.1"}, True, ("polycom335", "4.1.X", [])),
    ("version first containing", {"model": "yealinkPhoneT46", "version": "8"}, True, ("yealinkPhoneT46", "V81", [])),
    ("version unknown", {"model": "polycom335", "version": "99"}, False, None),
    ("version in another case", {"model": "yealinkPhoneT46", "version": "v86"}, False, None),
    ("version of a model with none", {"model": "counterpathBria", "version": "1"}, False, None),
    ("description too long", {"model": "snom720", "description": "d" * 256}, False, None),
    ("line by user name", {"model": "snom720", "lines": ["200"]}, True, ("snom720", NEWEST, ["200"])),
    ("line by alias", {"model": "snom720", "lines": ["alice"]}, True, ("snom720", NEWEST, ["200"])),
    ("line by enabled IM id", {"model": "snom720", "lines": ["alice.im"]}, True, ("snom720", NEWEST, ["200"])),
    ("line by disabled IM id", {"model": "snom720", "lines": ["bob.im"]}, False, None),
    ("line by unknown user", {"model": "snom720", "lines": ["nobody"]}, False, None),
    ("lines in order", {"model": "snom720", "lines": ["201", "alice"]}, True, ("snom720", NEWEST, ["201", "200"])),
    ("same user twice by alias", {"model": "snom720", "lines": ["200", "alice"]}, False, None),
    ("more lines than the model", {"model": "polycom5000", "lines": ["200", "201"]}, False, None),
]


def phone_record(fields: dict) -> dict:
    return {"serialNumber": SERIAL, **fields}


def post_phones(client, phones: list[dict]):
    body = json.dumps({"phones": {"phone": phones}})
    return client.post(f"{REST}/phone", body, "application/json", HTTP_ACCEPT="application/json", **ADMIN)


def send_phone(channel: str, record: dict, client, tmp_path) -> bool:
    """Sends one phone by `channel`; returns whether it was accepted."""
    if channel == "rest":
        body = {k: v for k, v in record.items() if k != "lines"}
        response = post_phones(client, [body])
        if response.status_code == 400:  # the serializer refuses the whole request (an empty serial)
            assert response.json()["error"]
            return False
        assert response.status_code == 200, response.content
        result = response.json()["phones-result"]
        assert len(result["created"]) + len(result["skipped"]) == 1
        return bool(result["created"])
    if channel == "page":
        form = {
            "serial_number": record["serialNumber"],
            "model": record["model"],
            "version": record.get("version") or "",
            "description": record.get("description", ""),
            "lines": ", ".join(record.get("lines", [])),
        }
        response = client.post(reverse("phones:phone_add"), form)
        assert response.status_code in (200, 302)
        return response.status_code == 302
    return file_accepts(tmp_path, doc(phones=[record]))


def phone_cases():
    for name, fields, accepted, stored in PHONES:
        # POST /phone has no lines: the rows about lines go through the page and the file only.
        channels = ["page", "file"] if "lines" in fields else ["rest", "page", "file"]
        for channel in channels:
            yield pytest.param(channel, fields, accepted, stored, id=f"{name}-{channel}")


@pytest.mark.parametrize(("channel", "fields", "accepted", "stored"), list(phone_cases()))
def test_phone_rule(admin_client_in, tmp_path, channel, fields, accepted, stored):
    record = phone_record(fields)
    assert send_phone(channel, record, admin_client_in, tmp_path) is accepted
    if not accepted:
        assert not Phone.objects.exists()
        return
    phone = Phone.objects.get(serial_number=SERIAL)
    model, version, lines = stored
    if version is NEWEST:
        version = None if channel == "file" else CATALOGUE[model].default_version
    assert (phone.model, phone.version) == (model, version)
    assert [line.user.username for line in phone.lines.order_by("position")] == lines


@pytest.mark.parametrize("channel", ["rest", "page"])
def test_serial_already_stored_is_refused_on_create(admin_client_in, tmp_path, channel):
    send_phone("page", phone_record({"model": "snom720", "description": "first"}), admin_client_in, tmp_path)
    assert send_phone(channel, phone_record({"model": "polycom335"}), admin_client_in, tmp_path) is False
    assert list(Phone.objects.values_list("model", "description")) == [("snom720", "first")]


def test_file_merges_a_stored_serial_by_the_same_rules(admin_client_in, tmp_path):
    """The file matches phones by serial: a stored one is changed, through the rules of the phone editor."""
    send_phone("page", phone_record({"model": "snom720"}), admin_client_in, tmp_path)
    assert file_accepts(tmp_path, doc(phones=[phone_record({"model": "polycom335", "version": "99"})])) is False
    assert Phone.objects.get().model == "snom720"
    assert file_accepts(tmp_path, doc(phones=[phone_record({"model": "polycom335", "lines": ["alice.im"]})]))
    phone = Phone.objects.get()
    assert phone.model == "polycom335" and [line.user.username for line in phone.lines.all()] == ["200"]


def test_serial_twice_in_one_input(admin_client_in, tmp_path):
    """POST /phone takes each phone on its own (the second is skipped); the file is all or nothing."""
    twice = [phone_record({"model": "snom720"}), {"serialNumber": "00-04-F2-A1-B2-C3", "model": "polycom335"}]
    response = post_phones(admin_client_in, twice)
    assert response.status_code == 200
    result = response.json()["phones-result"]
    assert result["created"] == [SERIAL] and [s["serialNumber"] for s in result["skipped"]] == [SERIAL]
    Phone.objects.all().delete()
    with pytest.raises(CommandError, match=r"phones\[1\]\.serialNumber: .*given twice"):
        run_import(tmp_path, doc(phones=twice))
    assert not Phone.objects.exists()


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"serialNumber": "xyz", "model": "snom720"}, "phones[1].serialNumber"),
        ({"model": "polycom999"}, "phones[1].model"),
        ({"model": "polycom335", "version": "99"}, "phones[1].version"),
        ({"model": "snom720", "lines": ["200", "nobody"]}, "phones[1].lines[1]"),
        ({"model": "polycom5000", "lines": ["200", "201"]}, "phones[1].lines"),
    ],
)
def test_file_names_the_path_of_a_refused_phone(pbx, tmp_path, fields, path):
    good = {"serialNumber": "001565000001", "model": "snom720"}
    with pytest.raises(CommandError) as info:
        run_import(tmp_path, doc(phones=[good, phone_record(fields)]))
    assert f"{path}: " in str(info.value)
    assert not Phone.objects.exists()  # the good phone before it is rolled back too


def test_file_phones_cost_a_fixed_number_of_queries(pbx, tmp_path):
    """upsert_phones checks each phone like the other channels but writes in bulk and looks each name up once."""

    def queries(count: int) -> int:
        Phone.objects.all().delete()
        phones = [
            {"serialNumber": f"0004f2{i:06x}", "model": "snom720", "version": "10", "lines": ["alice", "201"]}
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            run_import(tmp_path, doc(phones=phones))
        assert Phone.objects.count() == count
        return len(captured)

    assert queries(5) == queries(60)


# ---- auto-attendant menus ----------------------------------------------------------------------------------

# (id, the attendant's fields, its menu rows (key, action, parameter), accepted?)
MENUS = [
    ("no parameter actions", {}, [("0", "operator", ""), ("9", "dial_by_name", ""), ("*", "repeat_prompt", "")], True),
    ("all keys", {}, [(k, "disconnect", "") for k in MenuItem.Key.values], True),
    ("invalid key", {}, [("x", "operator", "")], False),
    ("two-character key", {}, [("10", "operator", "")], False),
    ("key twice", {}, [("1", "operator", ""), ("1", "dial_by_name", "")], False),
    ("unknown action", {}, [("1", "fly", "")], False),
    ("parameter on an action without one", {}, [("0", "operator", "5")], False),
    ("transfer out without parameter", {}, [("1", "transfer_out", "")], False),
    ("transfer out to an extension", {}, [("1", "transfer_out", "5551234")], True),
    ("transfer out to a user alias", {}, [("1", "transfer_out", "alice")], True),
    ("transfer out to a SIP URI", {}, [("1", "transfer_out", "sip:bob@example.org")], True),
    ("transfer out to nonsense", {}, [("1", "transfer_out", "not a uri")], False),
    ("voicemail deposit by user name", {}, [("2", "voicemail_deposit", "200")], True),
    ("voicemail deposit by alias", {}, [("2", "voicemail_deposit", "alice")], True),
    ("voicemail deposit unknown user", {}, [("2", "voicemail_deposit", "999")], False),
    ("voicemail deposit without parameter", {}, [("2", "voicemail_deposit", "")], False),
    ("to a stored attendant", {}, [("3", "transfer_to_another_aa_menu", "Sales")], True),
    ("to a system attendant", {}, [("3", "transfer_to_another_aa_menu", "operator")], True),
    ("to itself", {}, [("3", "transfer_to_another_aa_menu", "Support")], True),
    ("to an unknown attendant", {}, [("3", "transfer_to_another_aa_menu", "Nowhere")], False),
    ("empty name", {"name": ""}, [], False),
    ("name of a system attendant", {"name": "operator"}, [], False),
    ("name of another attendant", {"name": "Sales"}, [], "file merges"),
    ("language too long", {"language": "x" * 17}, [], False),
    ("description too long", {"description": "d" * 256}, [], False),
]


def send_attendant(channel: str, fields: dict, rows, client, tmp_path) -> bool:
    attendant = {"name": "Support", "description": "", "language": "en", **fields}
    if channel == "page":
        form = {**attendant, "menu-TOTAL_FORMS": len(rows), "menu-INITIAL_FORMS": 0}
        for i, (key, action, parameter) in enumerate(rows):
            form.update({f"menu-{i}-key": key, f"menu-{i}-action": action, f"menu-{i}-parameter": parameter})
        response = client.post(reverse("attendants:attendant_add"), form)
        assert response.status_code in (200, 302)
        return response.status_code == 302
    attendant["menu"] = [{"key": k, "action": a, **({"parameter": p} if p else {})} for k, a, p in rows]
    return file_accepts(tmp_path, doc(autoAttendants=[attendant]))


def stored_attendants():
    return sorted(
        (a.name, a.system_id, a.description, a.language, [(m.key, m.action, m.parameter) for m in a.menu.all()])
        for a in AutoAttendant.objects.prefetch_related("menu")
    )


@pytest.mark.parametrize("channel", ["page", "file"])
@pytest.mark.parametrize(("fields", "rows", "accepted"), [pytest.param(*m[1:], id=m[0]) for m in MENUS])
def test_attendant_rule(admin_client_in, tmp_path, channel, fields, rows, accepted):
    before = stored_attendants()
    if accepted == "file merges":  # the page refuses a taken name; the file matches attendants by name
        accepted = channel == "file"
    assert send_attendant(channel, fields, rows, admin_client_in, tmp_path) is accepted
    if not accepted:
        assert stored_attendants() == before
        return
    name = fields.get("name", "Support")
    saved = AutoAttendant.objects.get(name=name)
    assert sorted((m.key, m.action, m.parameter) for m in saved.menu.all()) == sorted(rows)


def test_file_names_the_path_of_a_refused_menu_row(pbx, tmp_path):
    menu = [{"key": "1", "action": "operator"}, {"key": "2", "action": "transfer_out"}]
    with pytest.raises(CommandError, match=r"autoAttendants\[0\]\.menu\[1\]\.parameter: key 2: action transfer_out"):
        run_import(tmp_path, doc(autoAttendants=[{"name": "Support", "menu": menu}]))
    with pytest.raises(CommandError, match=r"autoAttendants\[0\]\.menu\[0\]\.key: key \"x\""):
        run_import(tmp_path, doc(autoAttendants=[{"name": "Support", "menu": [{"key": "x", "action": "operator"}]}]))
    assert not AutoAttendant.objects.filter(name="Support").exists()


# ---- special mode ------------------------------------------------------------------------------------------


def special_state():
    mode = SpecialMode.current()
    return mode.enabled, mode.attendant.name if mode.attendant else None


def turn_on(channel, client, tmp_path, attendant=None) -> bool:
    if channel == "rest":
        return client.put(f"{REST}/auto-attendant/specialmode", **ADMIN).status_code == 204
    if channel == "page":
        client.post(reverse("attendants:special_mode"), {"enabled": "on"})
        return SpecialMode.current().enabled
    return file_accepts(tmp_path, doc(specialMode={"enabled": True, "attendant": attendant}))


def select(channel, name, client, tmp_path) -> bool:
    if channel == "rest":
        status = client.put(f"{REST}/auto-attendant/{name}/special", **ADMIN).status_code
        assert status in (204, 404)
        return status == 204
    if channel == "page":
        found = AutoAttendant.objects.filter(name=name).first()
        client.post(reverse("attendants:special_attendant"), {"attendant": found.pk if found else 99999})
        return special_state()[1] == name
    return file_accepts(tmp_path, doc(specialMode={"enabled": False, "attendant": name}))


CHANNELS = ["rest", "page", "file"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_special_mode_on_with_nothing_selected_selects_afterhour(admin_client_in, tmp_path, channel):
    assert turn_on(channel, admin_client_in, tmp_path) is True
    assert special_state() == (True, "After hours")


@pytest.mark.parametrize("channel", CHANNELS)
def test_special_mode_on_keeps_the_selection(admin_client_in, tmp_path, channel):
    assert select(channel, "Sales", admin_client_in, tmp_path) is True
    assert turn_on(channel, admin_client_in, tmp_path, attendant="Sales") is True
    assert special_state() == (True, "Sales")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("name", ["Sales", "operator", "After hours"])
def test_select_special_attendant(admin_client_in, tmp_path, channel, name):
    assert select(channel, name, admin_client_in, tmp_path) is True
    assert special_state() == (False, name)


@pytest.mark.parametrize("channel", CHANNELS)
def test_select_unknown_special_attendant_is_refused(admin_client_in, tmp_path, channel):
    attendants.select_special(AutoAttendant.objects.get(name="Sales"))
    assert select(channel, "Nowhere", admin_client_in, tmp_path) is False
    assert special_state() == (False, "Sales")
