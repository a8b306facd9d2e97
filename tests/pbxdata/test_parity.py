"""Parity: every rule the data file can express for phones, auto-attendants, special mode, users (login names, PINs,
the SIP password, contact information, forwarding) and groups gives the same answer whichever way the input
arrives — REST (where a URI exists, with real admin Basic credentials), the HTML pages (logged in as an
administrator) and import_pbx. Each row of a table is run once per channel on its own database; an accepted input
stores the same thing, a refused one stores nothing. Where one channel cannot express a row's input at all, the
row says which channels run it and why."""

import json
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management.base import CommandError
from django.urls import reverse

from apps.attendants import services as attendants
from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode
from apps.conferences.models import Conference
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Phone
from apps.users import addressbook
from apps.users import services as users
from apps.users.models import User, UserGroup, UserProfile
from tests.conftest import REST, basic, count_queries
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
        spent = count_queries(run_import, tmp_path, doc(phones=phones))
        assert Phone.objects.count() == count
        return spent

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


@pytest.mark.parametrize("channel", ["rest", "file"])
def test_special_mode_on_with_nothing_selected_selects_afterhour(admin_client_in, tmp_path, channel):
    assert turn_on(channel, admin_client_in, tmp_path) is True
    assert special_state() == (True, "After hours")


def test_the_page_asks_for_the_special_attendant_first(admin_client_in, tmp_path):
    """The page shows the choice, so it does not make it silently (D11 stays the URI's and the file's)."""
    assert turn_on("page", admin_client_in, tmp_path) is False
    assert special_state() == (False, None)


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


# ---- users -------------------------------------------------------------------------------------------------
# The subject of the /my rows (contact information, forwarding, voicemail PIN) is the administrator: REST is called
# with its real Basic credentials, the portal pages logged in as it, and the data file carries its whole record.

ABSENT = object()  # a key the row leaves out of the data file's record
ADMIN_RECORD = {"userName": "superadmin", "pin": "admin1234", "admin": True, "aliases": ["8642"]}


@pytest.fixture
def users_pbx(pbx):
    """pbx plus a conference on extension 8000, a group "sales" and the alias 8642 for the administrator."""
    Conference.objects.create(name="team", extension="8000")
    UserGroup.objects.create(name="sales", description="Sales team")
    users.save_user(pbx, aliases=["8642"])
    return pbx


@pytest.fixture
def admin_in(client, users_pbx):
    client.force_login(users_pbx)
    return client


def users_state():
    """Everything a refused user input must leave as it was."""
    rows = User.objects.prefetch_related("login_names", "groups", "rings").select_related("profile")
    return sorted(
        (
            u.username,
            sorted((n.name, n.kind, n.digest_ha1) for n in u.login_names.all()),
            u.password,
            u.voicemail_pin_hash,
            u.sip_password,
            u.first_name,
            u.last_name,
            u.call_forward_timer,
            [(r.number, r.expiration, r.type, r.enabled) for r in u.rings.all()],
            sorted(g.name for g in u.groups.all()),
            repr(stored_contact(u)),
        )
        for u in rows
    )


def file_with(record: dict) -> dict:
    return doc(users=[{k: v for k, v in record.items() if v is not ABSENT}])


def accepted_by(accepted, channel) -> bool:
    """A row's answer: the same for every channel, or per channel where one cannot express the input alike."""
    return accepted[channel] if isinstance(accepted, dict) else accepted


# ---- a user's own values: the admin user page and the data file (no REST URI creates users) -------------------

USER = {"userName": "300", "pin": "5812"}
LOGIN_300 = [("300", "username")]

# (id, keys over USER as the data file writes them, accepted?, stored values when accepted (see stored_user))
USERS = [
    ("plain", {}, True, {}),
    ("aliases", {"aliases": ["carol", "c.white"]}, True, {"aliases": ["carol", "c.white"]}),
    ("user name padded", {"userName": " 300 "}, True, {}),
    ("user name of 255 characters", {"userName": "3" * 255}, True, {"userName": "3" * 255}),
    ("user name too long", {"userName": "3" * 256}, False, None),
    ("user name with a space", {"userName": "3 00"}, False, None),
    ("user name with @", {"userName": "300@example.org"}, False, None),
    ("user name with NUL", {"userName": "30\x000"}, False, None),
    ("user name is an alias in another case", {"userName": "ALICE"}, False, None),
    ("user name is an enabled IM id", {"userName": "alice.im"}, False, None),
    ("user name is a disabled IM id", {"userName": "Bob.IM"}, False, None),
    ("user name is a conference extension", {"userName": "8000"}, False, None),
    ("alias is a user name", {"aliases": ["201"]}, False, None),
    ("alias is an alias in another case", {"aliases": ["Alice"]}, False, None),
    ("alias is an IM id", {"aliases": ["alice.im"]}, False, None),
    ("alias is a conference extension", {"aliases": ["8000"]}, False, None),
    ("alias repeats the user name", {"aliases": ["300"]}, False, None),
    ("alias twice ignoring case", {"aliases": ["carol", "CAROL"]}, False, None),
    ("alias with @", {"aliases": ["carol@example.org"]}, False, None),
    ("alias too long", {"aliases": ["c" * 256]}, False, None),
    # The page reads aliases as a list typed with spaces or commas between them: it cannot express this one.
    ("alias with a space", {"aliases": ["carol white"]}, {"file": False}, None),
    ("IM id enabled", {"imId": "carol.im", "imEnabled": True}, True, {"imId": "carol.im", "imEnabled": True}),
    ("IM id disabled", {"imId": "carol.im"}, True, {"imId": "carol.im"}),
    ("IM id repeats an own alias", {"aliases": ["carol"], "imId": "Carol", "imEnabled": True}, True, {}),
    ("IM id is an IM id in another case", {"imId": "ALICE.im"}, False, None),
    ("IM id is a disabled IM id", {"imId": "bob.im", "imEnabled": True}, False, None),
    ("IM id is an alias", {"imId": "alice"}, False, None),
    ("IM id is a user name", {"imId": "201"}, False, None),
    ("IM id with a space", {"imId": "carol white"}, False, None),
    ("IM id with @", {"imId": "carol@im.example.org"}, False, None),
    ("IM id too long", {"imId": "c" * 256}, False, None),
    # Nobody dials an IM id: it shares no namespace with conference extensions.
    ("IM id is a conference extension", {"imId": "8000", "imEnabled": True}, True, {"imId": "8000", "imEnabled": True}),
    ("IM display name", {"imDisplayName": "Carol W."}, True, {"imDisplayName": "Carol W."}),
    ("IM display name too long", {"imDisplayName": "c" * 256}, False, None),
    ("names", {"firstName": "Carol", "lastName": "White"}, True, {"firstName": "Carol", "lastName": "White"}),
    (
        "names padded",
        {"firstName": " Carol ", "lastName": "White  "},
        True,
        {"firstName": "Carol", "lastName": "White"},
    ),
    ("first name too long", {"firstName": "c" * 256}, False, None),
    ("last name with NUL", {"lastName": "Wh\x00ite"}, False, None),
    ("PIN", {"pin": "9731"}, True, {"pin": "9731"}),
    # The portal PIN policy is the pages' and the APIs'; the file restores a PIN as written (docs/operations.md).
    ("PIN of a run of digits", {"pin": "9876"}, {"page": False, "file": True}, {"pin": "9876"}),
    ("PIN of one digit", {"pin": "1"}, {"page": False, "file": True}, {"pin": "1"}),
    ("PIN is the user name", {"pin": "300"}, {"page": False, "file": True}, {"pin": "300"}),
    ("PIN with spaces in it", {"pin": " 98 76 "}, True, {"pin": " 98 76 "}),
    ("PIN of spaces only", {"pin": "   "}, False, None),
    ("PIN too long", {"pin": "1" * 256}, False, None),
    ("PIN with NUL", {"pin": "12\x0034"}, False, None),
    # A new user needs a PIN on the page; a restore may hold a user who has none (exported without pinHash).
    ("no PIN", {"pin": ABSENT}, {"page": False, "file": True}, {"pin": None}),
    ("voicemail PIN", {"voicemailPin": "2580"}, True, {"voicemailPin": "2580"}),
    ("voicemail PIN is an own alias", {"aliases": ["2580"], "voicemailPin": "2580"}, False, None),
    ("voicemail PIN is the user name", {"userName": "3579", "voicemailPin": "3579"}, False, None),
    ("voicemail PIN too short", {"voicemailPin": "258"}, False, None),
    ("voicemail PIN one digit", {"voicemailPin": "7777"}, False, None),
    ("SIP password", {"sipPassword": "s3cret!"}, True, {"sipPassword": "s3cret!"}),
    ("SIP password with spaces", {"sipPassword": "  pass word "}, True, {"sipPassword": "  pass word "}),
    ("SIP password of 255 characters", {"sipPassword": "p" * 255}, True, {"sipPassword": "p" * 255}),
    ("SIP password too long", {"sipPassword": "p" * 256}, False, None),
    ("SIP password with NUL", {"sipPassword": "pa\x00ss"}, False, None),
    ("member of a group", {"groups": ["sales"]}, True, {"groups": ["sales"]}),
    ("member of an unknown group", {"groups": ["nobody"]}, False, None),
    (
        "administrator and attendant admin",
        {"admin": True, "permissions": ["attendant-admin"]},
        True,
        {"admin": True, "permissions": ["attendant-admin"]},
    ),
    ("no permissions", {"permissions": []}, True, {"permissions": []}),
]


def stored_user(username: str) -> dict:
    user = User.objects.prefetch_related("login_names", "groups").get(username=username)
    return {
        "userName": user.username,
        "aliases": user.aliases,
        "logins": sorted((n.name, n.kind) for n in user.login_names.all()),
        "imId": user.im_id,
        "imEnabled": user.im_enabled,
        "imDisplayName": user.im_display_name,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "sipPassword": user.sip_password,
        "admin": user.is_admin,
        "permissions": user.permission_names,
        "groups": sorted(g.name for g in user.groups.all()),
    }


def expected_user(record: dict, stored: dict) -> dict:
    """stored_user() of an accepted row: the defaults, what the row says it stores, and the login names."""
    expected = {
        "userName": "300",
        "aliases": [],
        "imId": "",
        "imEnabled": False,
        "imDisplayName": None,
        "firstName": "",
        "lastName": "",
        "sipPassword": "",
        "admin": False,
        "permissions": ["voicemail"],
        "groups": [],
        **{k: v for k, v in stored.items() if k not in ("pin", "voicemailPin")},
    }
    if "aliases" in record:
        expected["aliases"] = record["aliases"]
    if "imId" in record:
        expected["imId"], expected["imEnabled"] = record["imId"], record.get("imEnabled", False)
    logins = [(expected["userName"], "username")] + [(a, "alias") for a in expected["aliases"]]
    if record.get("imEnabled"):
        logins.append((expected["imId"], "im"))
    expected["logins"] = sorted(logins)
    return expected


def post_user(client, record: dict, pk=None):
    """The admin user page with the record's values; returns the response."""
    form = {
        "username": record["userName"],
        "first_name": record.get("firstName", ""),
        "last_name": record.get("lastName", ""),
        "aliases": ", ".join(record.get("aliases", [])),
        "pin": "" if record.get("pin", ABSENT) is ABSENT else record["pin"],
        "voicemail_pin": record.get("voicemailPin", ""),
        "sip_password": record.get("sipPassword", ""),
        "im_id": record.get("imId", ""),
        "im_display_name": record.get("imDisplayName", ""),
        "groups": [
            UserGroup.objects.filter(name=g).values_list("pk", flat=True).first() or 99999
            for g in record.get("groups", [])
        ],
        "is_active": "on",
    }
    flags = {
        "im_enabled": record.get("imEnabled", False),
        "is_admin": record.get("admin", False),
        "perm_voicemail": "voicemail" in record.get("permissions", ["voicemail"]),
        "perm_attendant_admin": "attendant-admin" in record.get("permissions", []),
    }
    form.update({name: "on" for name, on in flags.items() if on})
    url = reverse("users:user_edit", args=[pk]) if pk else reverse("users:user_add")
    response = client.post(url, form)
    assert response.status_code in (200, 302)
    return response


def send_user(channel: str, record: dict, client, tmp_path) -> bool:
    if channel == "page":
        return post_user(client, record).status_code == 302
    return file_accepts(tmp_path, file_with(record))


def user_cases():
    for name, fields, accepted, stored in USERS:
        for channel in ("page", "file"):
            if not isinstance(accepted, dict) or channel in accepted:
                yield pytest.param(channel, fields, accepted_by(accepted, channel), stored, id=f"{name}-{channel}")


@pytest.mark.parametrize(("channel", "fields", "accepted", "stored"), list(user_cases()))
def test_user_rule(admin_in, tmp_path, channel, fields, accepted, stored):
    record = {**USER, **fields}
    before = users_state()
    assert send_user(channel, record, admin_in, tmp_path) is accepted
    if not accepted:
        assert users_state() == before
        return
    expected = expected_user(record, stored)
    assert stored_user(expected["userName"]) == expected
    user = User.objects.get(username=expected["userName"])
    pin = stored.get("pin", record["pin"])
    if pin is None or pin is ABSENT:
        assert not user.has_usable_password()
        assert all(not n.digest_ha1 for n in user.login_names.all())
    else:
        assert user.check_password(pin)
        assert {n.name: n.digest_ha1 for n in user.login_names.all()} == {
            n.name: users.digest_ha1(n.name, pin) for n in user.login_names.all()
        }
    if "voicemailPin" in stored:
        assert check_password(stored["voicemailPin"], user.voicemail_pin_hash)
    else:
        assert user.voicemail_pin_hash == ""


def test_user_file_and_page_match_existing_users_differently(admin_in, tmp_path):
    """The page refuses a user name that is stored; the file matches users by name and replaces that user."""
    record = {"userName": "201", "pin": "1234", "firstName": "Robert"}
    assert send_user("page", record, admin_in, tmp_path) is False
    assert send_user("file", record, admin_in, tmp_path) is True
    assert stored_user("201")["firstName"] == "Robert" and stored_user("201")["imId"] == ""


@pytest.mark.parametrize(
    ("records", "path"),
    [
        ([{"userName": "300", "aliases": ["carol"]}, {"userName": "301", "imId": "CAROL"}], "users[1].imId"),
        ([{"userName": "300", "imId": "carol"}, {"userName": "301", "aliases": ["carol"]}], "users[1].aliases[0]"),
        ([{"userName": "300", "imId": "carol"}, {"userName": "301", "imId": "Carol"}], "users[1].imId"),
        (
            [{"userName": "300"}, {"userName": "301", "contactInformation": {"emailAddress": "x"}}],
            "users[1].contactInformation.emailAddress",
        ),
        ([{"userName": "300", "sipPassword": "p" * 256}], "users[0].sipPassword"),
        ([{"userName": "300", "callForwarding": {"rings": [{"number": "1"}] * 11}}], "users[0].callForwarding.rings"),
        ([{"userName": "300", "groups": ["sales", "nobody"]}], "users[0].groups[1]"),
        ([{"userName": "8642"}], "users[0].userName"),
    ],
)
def test_file_names_the_path_of_a_refused_user(users_pbx, tmp_path, records, path):
    before = users_state()
    with pytest.raises(CommandError) as info:
        run_import(tmp_path, doc(users=records))
    assert f"{path}: " in str(info.value)
    assert users_state() == before


# ---- contact information: PUT /my/contact-information, the portal page and the data file ----------------------

# Address-book fields every channel writes (the portal page has no salutation; REST keeps manager and employee id).
TEXTS = [f for f in addressbook.PROFILE_FIELDS if f.kind in (addressbook.TEXT, addressbook.EMAIL)]
TEXTS = [f for f in TEXTS if f.model not in ("manager", "employee_id")]
PARTS = {key: f"{key} value" for key in addressbook.ADDRESS_KEYS}

# (id, contact fields by wire name (firstName/lastName: the user's names), accepted?, stored model values)
CONTACTS = [
    ("nothing", {}, True, {}),
    ("job title", {"jobTitle": "Boss"}, True, {"job_title": "Boss"}),
    (
        "every text field",
        {f.wire: f"{f.wire}@example.org" if f.kind == addressbook.EMAIL else f.wire for f in TEXTS},
        True,
        {f.model: f"{f.wire}@example.org" if f.kind == addressbook.EMAIL else f.wire for f in TEXTS},
    ),
    ("text padded", {"jobTitle": "  Boss ", "faxNumber": " 555 "}, True, {"job_title": "Boss", "fax_number": "555"}),
    ("text of 255 characters", {"companyName": "c" * 255}, True, {"company_name": "c" * 255}),
    ("text too long", {"companyName": "c" * 256}, False, None),
    ("text with NUL", {"location": "Floor\x003"}, False, None),
    ("e-mail", {"emailAddress": "carol@example.org"}, True, {"email_address": "carol@example.org"}),
    ("e-mail padded", {"emailAddress": " carol@example.org "}, True, {"email_address": "carol@example.org"}),
    ("e-mail without domain", {"emailAddress": "carol"}, False, None),
    ("e-mail with two @", {"emailAddress": "carol@home@example.org"}, False, None),
    ("alternate e-mail without user", {"alternateEmailAddress": "@example.org"}, False, None),
    ("e-mail too long", {"emailAddress": "c" * 250 + "@example.org"}, False, None),
    (
        "address",
        {"officeAddress": {"street": "1 Main St", "city": "Boston", "zip": "02110"}},
        True,
        {"office_address": {"street": "1 Main St", "city": "Boston", "zip": "02110"}},
    ),
    ("address with every part", {"homeAddress": PARTS}, True, {"home_address": PARTS}),
    (
        "address part of 255 characters",
        {"branchAddress": {"city": "c" * 255}},
        True,
        {"branch_address": {"city": "c" * 255}},
    ),
    ("address part too long", {"branchAddress": {"city": "c" * 256}}, False, None),
    ("address part with NUL", {"homeAddress": {"street": "1\x00 Main St"}}, False, None),
    # The page has one box per address part: it cannot name another.
    ("address with an unknown part", {"officeAddress": {"town": "Boston"}}, {"rest": False, "file": False}, None),
    (
        "branch address used",
        {"useBranchAddress": True, "branchName": "East"},
        True,
        {"use_branch_address": True, "branch_name": "East"},
    ),
    ("names", {"firstName": "Super", "lastName": "Admin"}, True, {"first_name": "Super", "last_name": "Admin"}),
    (
        "names padded",
        {"firstName": " Super", "lastName": "Admin "},
        True,
        {"first_name": "Super", "last_name": "Admin"},
    ),
    ("first name too long", {"firstName": "f" * 256}, False, None),
    ("last name with NUL", {"lastName": "Ad\x00min"}, False, None),
]


def stored_contact(user: User) -> dict:
    profile = UserProfile.objects.filter(user=user).first()
    values = {f.model: getattr(profile, f.model) for f in addressbook.PROFILE_FIELDS} if profile else {}
    return {**values, "first_name": user.first_name, "last_name": user.last_name}


def send_contact(channel: str, fields: dict, client, tmp_path) -> bool:
    if channel == "rest":
        body = json.dumps({"contact-information": fields})
        response = client.put(f"{REST}/my/contact-information", body, "application/json", **ADMIN)
        assert response.status_code in (200, 400), response.content
        return response.status_code == 200
    if channel == "page":
        form = {"first_name": fields.get("firstName", ""), "last_name": fields.get("lastName", "")}
        for f in addressbook.PROFILE_FIELDS:
            value = fields.get(f.wire)
            if f.kind == addressbook.ADDRESS:
                form.update({f"{f.model}-{key}": part for key, part in (value or {}).items()})
            elif f.kind == addressbook.BOOL:
                if value:
                    form[f.model] = "on"
            elif value is not None:
                form[f.model] = value
        response = client.post(reverse("portal:contact"), form)
        assert response.status_code in (200, 302)
        return response.status_code == 302
    names = {k: v for k, v in fields.items() if k in ("firstName", "lastName")}
    contact = {k: v for k, v in fields.items() if k not in names}
    return file_accepts(tmp_path, file_with({**ADMIN_RECORD, **names, "contactInformation": contact}))


def channel_cases(table, channels):
    for name, fields, accepted, stored in table:
        for channel in channels:
            if not isinstance(accepted, dict) or channel in accepted:
                yield pytest.param(channel, fields, accepted_by(accepted, channel), stored, id=f"{name}-{channel}")


@pytest.mark.parametrize(("channel", "fields", "accepted", "stored"), list(channel_cases(CONTACTS, CHANNELS)))
def test_contact_rule(admin_in, tmp_path, channel, fields, accepted, stored):
    before = users_state()
    assert send_contact(channel, fields, admin_in, tmp_path) is accepted
    if not accepted:
        assert users_state() == before
        return
    admin = User.objects.get(username="superadmin")
    defaults = {**users.contact_defaults(), "first_name": "", "last_name": ""}
    assert stored_contact(admin) == {**defaults, **stored}
    assert admin.profile.timestamp > 0


# ---- call forwarding: PUT /my/forward, the portal page and the data file -----------------------------------------


def ring(number="5551234", expiration=30, type="If no response", enabled=True) -> dict:
    return {"number": number, "expiration": expiration, "type": type, "enabled": enabled}


def as_stored(rings) -> list:
    return [(r["number"], r["expiration"], r["type"], r["enabled"]) for r in rings]


TEN = [ring(f"70{i:02d}") for i in range(10)]

# (id, (timer, rings), accepted?, stored (timer, rings) when accepted)
FORWARDS = [
    ("one ring", (20, [ring()]), True, (20, as_stored([ring()]))),
    (
        "rings in order, both types",
        (25, [ring("201", 10, "At the same time", False), ring("sip:a@example.org")]),
        True,
        (25, as_stored([ring("201", 10, "At the same time", False), ring("sip:a@example.org")])),
    ),
    ("no rings", (20, []), True, (20, [])),
    ("ten rings", (20, TEN), True, (20, as_stored(TEN))),
    ("eleven rings", (20, [*TEN, ring()]), False, None),
    ("ring of 1 second", (20, [ring(expiration=1)]), True, (20, as_stored([ring(expiration=1)]))),
    ("ring of 999 seconds", (20, [ring(expiration=999)]), True, (20, as_stored([ring(expiration=999)]))),
    ("ring of 0 seconds", (20, [ring(expiration=0)]), False, None),
    ("ring of 1000 seconds", (20, [ring(expiration=1000)]), False, None),
    ("ring type unknown", (20, [ring(type="sometimes")]), False, None),
    ("number padded", (20, [ring(" 5551234 ")]), True, (20, as_stored([ring()]))),
    ("number of 255 characters", (20, [ring("5" * 255)]), True, (20, as_stored([ring("5" * 255)]))),
    ("number too long", (20, [ring("5" * 256)]), False, None),
    ("number with NUL", (20, [ring("555\x001234")]), False, None),
    # The page skips a row left blank (it is its spare row): it cannot send an empty number.
    ("number empty", (20, [ring("")]), {"rest": False, "file": False}, None),
    ("timer of 1 second", (1, []), True, (1, [])),
    ("timer of 999 seconds", (999, []), True, (999, [])),
    ("timer of 0 seconds", (0, []), False, None),
    ("timer of 1000 seconds", (1000, []), False, None),
]


def send_forward(channel: str, timer: int, rings: list, client, tmp_path) -> bool:
    if channel == "rest":
        body = json.dumps({"call-sequence": {"rings": rings, "expiration": timer}})
        response = client.put(f"{REST}/my/forward", body, "application/json", **ADMIN)
        assert response.status_code in (200, 400), response.content
        return response.status_code == 200
    if channel == "page":
        form = {"timer": str(timer), "rings-TOTAL_FORMS": str(len(rings)), "rings-INITIAL_FORMS": "0"}
        for i, r in enumerate(rings):
            form |= {f"rings-{i}-number": r["number"], f"rings-{i}-expiration": str(r["expiration"])}
            form |= {f"rings-{i}-type": r["type"], f"rings-{i}-ORDER": str(i + 1)}
            if r["enabled"]:
                form[f"rings-{i}-enabled"] = "on"
        response = client.post(reverse("portal:forward"), form)
        assert response.status_code in (200, 302)
        return response.status_code == 302
    forwarding = {"expiration": timer, "rings": rings}
    return file_accepts(tmp_path, file_with({**ADMIN_RECORD, "callForwarding": forwarding}))


@pytest.mark.parametrize(("channel", "value", "accepted", "stored"), list(channel_cases(FORWARDS, CHANNELS)))
def test_forwarding_rule(admin_in, tmp_path, channel, value, accepted, stored):
    before = users_state()
    assert send_forward(channel, *value, admin_in, tmp_path) is accepted
    if not accepted:
        assert users_state() == before
        return
    admin = User.objects.get(username="superadmin")
    rings = [(r.number, r.expiration, r.type, r.enabled) for r in admin.rings.order_by("position")]
    assert (admin.call_forward_timer, rings) == stored


# ---- the voicemail PIN: PUT /my/voicemail/pin/{pin}, the portal page, the admin user page, the data file -------

# (id, PIN, accepted?); the administrator's own extension is its alias 8642.
VOICEMAIL_PINS = [
    ("4 digits", "2580", True),
    ("10 digits", "2580135790", True),
    ("3 digits", "258", False),
    ("11 digits", "25801357902", False),
    ("a letter", "25a0", False),
    ("padded", " 2580", False),
    ("other digits than ASCII", "\u0662\u0665\u0668\u0660", False),
    ("one digit repeated", "7777", False),
    ("the own alias", "8642", False),
]


def send_voicemail_pin(channel: str, pin: str, client, tmp_path, admin) -> bool:
    if channel == "rest":
        response = client.put(f"{REST}/my/voicemail/pin/{quote(pin)}", **ADMIN)
        assert response.status_code in (200, 400), response.content
        return response.status_code == 200
    if channel == "portal page":
        response = client.post(reverse("portal:voicemail_pin"), {"new_pin": pin, "confirm_pin": pin})
        assert response.status_code in (200, 302)
        return response.status_code == 302
    if channel == "page":
        return post_user(client, {**ADMIN_RECORD, "pin": "", "voicemailPin": pin}, pk=admin.pk).status_code == 302
    return file_accepts(tmp_path, file_with({**ADMIN_RECORD, "voicemailPin": pin}))


@pytest.mark.parametrize("channel", ["rest", "portal page", "page", "file"])
@pytest.mark.parametrize(("pin", "accepted"), [pytest.param(*row[1:], id=row[0]) for row in VOICEMAIL_PINS])
def test_voicemail_pin_rule(admin_in, users_pbx, tmp_path, channel, pin, accepted):
    before = users_state()
    assert send_voicemail_pin(channel, pin, admin_in, tmp_path, users_pbx) is accepted
    if not accepted:
        assert users_state() == before
        return
    assert check_password(pin, User.objects.get(username="superadmin").voicemail_pin_hash)


# ---- groups: the group page and the data file -------------------------------------------------------------------

# (id, the group as the data file writes it, accepted?, stored groups (name, description) when accepted)
SALES = ("sales", "Sales team")
GROUPS = [
    ("group", {"name": "support", "description": "Support"}, True, [SALES, ("support", "Support")]),
    ("no description", {"name": "support"}, True, [SALES, ("support", "")]),
    ("padded", {"name": "  support ", "description": " Support "}, True, [SALES, ("support", "Support")]),
    ("name of 255 characters", {"name": "s" * 255}, True, [SALES, ("s" * 255, "")]),
    ("name empty", {"name": ""}, False, None),
    ("name of spaces only", {"name": "   "}, False, None),
    ("name too long", {"name": "s" * 256}, False, None),
    ("name with NUL", {"name": "sup\x00port"}, False, None),
    ("description too long", {"name": "support", "description": "d" * 256}, False, None),
    # The page creates a group and refuses a taken name; the file matches groups by name and updates that one.
    (
        "name of a stored group",
        {"name": "sales", "description": "New"},
        {"page": False, "file": True},
        [("sales", "New")],
    ),
]


def stored_groups():
    return list(UserGroup.objects.order_by("name").values_list("name", "description"))


def send_group(channel: str, group: dict, client, tmp_path) -> bool:
    if channel == "page":
        response = client.post(reverse("users:group_add"), {"description": "", **group})
        assert response.status_code in (200, 302)
        return response.status_code == 302
    return file_accepts(tmp_path, doc(groups=[group]))


@pytest.mark.parametrize(("channel", "group", "accepted", "stored"), list(channel_cases(GROUPS, ["page", "file"])))
def test_group_rule(admin_in, tmp_path, channel, group, accepted, stored):
    before = stored_groups()
    assert send_group(channel, group, admin_in, tmp_path) is accepted
    assert stored_groups() == (stored if accepted else before)


def test_file_users_cost_a_fixed_number_of_queries(users_pbx, tmp_path):
    """save_users checks each user like the other channels but writes in bulk: the same queries for 5 and 60."""

    def queries(count: int) -> int:
        User.objects.filter(username__startswith="4").delete()
        records = [
            {
                "userName": f"4{i:03d}",
                "aliases": [f"u{i}"],
                "pinHash": "md5$salt$0123456789abcdef0123456789abcdef",
                "imId": f"im{i}",
                "imEnabled": True,
                "groups": ["sales"],
                "contactInformation": {"emailAddress": f"u{i}@example.org", "homeAddress": {"city": "Boston"}},
                "callForwarding": {"rings": [ring()]},
            }
            for i in range(count)
        ]
        spent = count_queries(run_import, tmp_path, doc(users=records))
        assert User.objects.filter(username__startswith="4").count() == count
        return spent

    assert queries(5) == queries(60)

    def merged(count: int) -> int:  # a merge that replaces them: the same again
        records = [{"userName": f"4{i:03d}", "groups": ["sales"]} for i in range(count)]
        return count_queries(run_import, tmp_path, doc(users=records))

    assert merged(5) == merged(60)
