"""The files themselves: golden copies per vendor file kind built from the demo PBX, their syntax (every XML file
well-formed, every key-value file only keys its vendor knows), the phonebook each directory format carries, and
escaping of what users type."""

import csv
import re
from pathlib import Path

import pytest
from defusedxml import ElementTree

from apps.phonebooks import readmodel
from apps.phonebooks import services as phonebook_services
from apps.phones.models import Phone
from apps.phones.services import PhoneData, update_phone
from apps.provisioning import services
from apps.provisioning.families import FAMILIES, KEY_VALUE, XML
from apps.users.models import User
from tests.provisioning.conftest import AASTRA, CISCO, GRANDSTREAM, POLYCOM, SNOM, YEALINK, fetch

GOLDEN = Path(__file__).parent / "golden"
MAC_OF = {"polycom": POLYCOM, "yealink": YEALINK, "snom": SNOM, "grandstream": GRANDSTREAM, "cisco": CISCO}
MAC_OF["aastra"] = AASTRA

# Every file kind of every family, with the demo phone that fetches it.
KINDS = [(family.name, kind) for family in FAMILIES.values() for kind in family.files]


def file_name(family: str, kind) -> str:
    return kind.file_name(MAC_OF[family])


@pytest.mark.parametrize(("family", "kind"), KINDS, ids=lambda v: v if isinstance(v, str) else v.template)
def test_golden(client, demo, family, kind):
    """The demo phone's file, byte for byte. A missing golden copy is written and the test fails: look at it, then
    commit it."""
    response = fetch(client, file_name(family, kind))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == kind.content_type
    golden = GOLDEN / family / kind.template
    if not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(response.content)
        pytest.fail(f"wrote {golden}: review it and commit it")
    assert response.content == golden.read_bytes()


def test_every_golden_copy_belongs_to_a_file_kind():
    """A golden copy whose file kind is gone would never be compared again."""
    known = {f"{family}/{kind.template}" for family, kind in KINDS}
    stored = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert stored <= known


XML_KINDS = [(f, k) for f, k in KINDS if k.syntax == XML]
KEY_VALUE_KINDS = [(f, k) for f, k in KINDS if k.syntax == KEY_VALUE]


def ids(kinds) -> list[str]:
    return [f"{family}/{kind.template}" for family, kind in kinds]


@pytest.mark.parametrize(("family", "kind"), XML_KINDS, ids=ids(XML_KINDS))
def test_every_xml_file_is_well_formed(client, demo, family, kind, nasty_names):
    root = ElementTree.fromstring(fetch(client, file_name(family, kind)).content)
    assert root.tag


# What each vendor documents, as patterns of whole keys: a key the templates write that is not here is a typo the
# phone would ignore silently.
KNOWN_KEYS = {
    "yealink": [
        r"account\.\d+\.(enable|label|display_name|auth_name|user_name|password)",
        r"account\.\d+\.(sip_server\.1\.address|outbound_proxy_enable|outbound_proxy\.1\.(address|port))",
        r"local_time\.(ntp_server1|time_zone|summer_time|dst_time_type|start_time|end_time|offset_time)",
        r"lang\.(gui|wui)",
        r"remote_phonebook\.data\.1\.(url|name)",
        r"static\.firmware\.url",
    ],
    "aastra": [
        r"sip line\d+ (auth name|password|user name|display name|screen name|proxy ip|registrar ip)",
        r"sip outbound proxy( port)?",
        r"time server disabled|time server1|time zone name|time zone minutes",
        r"dst config|dst minutes|dst \[start\|end\] relative date|dst (start|end) (month|week|day|hour)",
        r"language( 1)?",
        r"directory 1",
    ],
}
SEPARATOR = {"yealink": re.compile(r"^([^=#\s][^=]*?)\s*=\s?(.*)$"), "aastra": re.compile(r"^([^:#][^:]*):\s?(.*)$")}


def key_values(family: str, body: bytes) -> dict[str, str]:
    """The keys and values of a key-value file; fails on a line that is neither a comment nor a key and value."""
    found = {}
    for line in body.decode().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = SEPARATOR[family].match(line)
        assert match, f"not a key and value: {line!r}"
        assert match.group(1) not in found, f"{match.group(1)} twice"
        found[match.group(1)] = match.group(2)
    return found


@pytest.mark.parametrize(("family", "kind"), KEY_VALUE_KINDS, ids=ids(KEY_VALUE_KINDS))
def test_key_value_files_have_only_known_keys(client, demo, family, kind, firmware_everywhere, nasty_names):
    body = fetch(client, file_name(family, kind)).content
    if family == "yealink":
        assert body.startswith(b"#!version:1.0.0.1\n")  # the first line, or the phone ignores the file
    keys = key_values(family, body)
    unknown = [k for k in keys if not any(re.fullmatch(p, k) for p in KNOWN_KEYS[family])]
    assert keys and not unknown


# ---- the phonebook ------------------------------------------------------------------------------------------

TRICKY = [
    ("Zoë", "Ünsal-Łukasz", "+49 30 1234"),
    ("李", "小龍", "8613800000000"),
    ('Tom & "Jerry"', "<Cat>", "+1 (555) 010-0001"),
    ("", "", "sip:lobby@example.org"),
    ("Only", "", "4242"),
]


@pytest.fixture
def tricky_entries(demo):
    """Bob's private phonebook (shown on his phone) gets names with non-ASCII text and XML's special characters."""
    bob = User.objects.get(username="201")
    book = phonebook_services.private_phonebook(bob, create=True)
    phonebook_services.add_entries(
        [{"first_name": f, "last_name": last, "number": n} for f, last, n in TRICKY], private=book
    )
    # Bob's Yealink shows his phonebook; Carol's Snom, Dave's Grandstream, Aastra and the Cisco show theirs: give every
    # phone's first line user the same entries, so that each format is read back.
    for name in ("200", "202", "203"):
        user = User.objects.get(username=name)
        phonebook_services.add_entries(
            [{"first_name": f, "last_name": last, "number": n} for f, last, n in TRICKY],
            private=phonebook_services.private_phonebook(user, create=True),
        )


def _text(element, tag) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def read_directory(family: str, body: bytes) -> list[tuple[str, str]]:
    """(name as the phone shows it, number) of each entry, read back with a parser of the format."""
    if family == "aastra":
        rows = [line for line in body.decode().splitlines() if line and not line.startswith("#")]
        return [(name, number) for name, number in csv.reader(rows, skipinitialspace=True)]
    root = ElementTree.fromstring(body)
    if family == "polycom":
        return [
            (" ".join(p for p in (_text(i, "fn"), _text(i, "ln")) if p) or _text(i, "ct"), _text(i, "ct"))
            for i in root.iter("item")
        ]
    if family in ("yealink", "cisco"):
        return [(_text(e, "Name"), _text(e, "Telephone")) for e in root.iter("DirectoryEntry")]
    if family == "snom":
        return [(_text(e, "name"), _text(e, "number")) for e in root.find("tbook").iter("item")]
    if family == "grandstream":
        return [
            (
                " ".join(p for p in (_text(c, "FirstName"), _text(c, "LastName")) if p),
                _text(c.find("Phone"), "phonenumber"),
            )
            for c in root.iter("Contact")
        ]
    raise AssertionError(family)


PHONEBOOK_KINDS = [(f, k) for f, k in KINDS if k.phonebook]


@pytest.mark.parametrize(("family", "kind"), PHONEBOOK_KINDS, ids=ids(PHONEBOOK_KINDS))
def test_directory_round_trips_the_merged_view(client, tricky_entries, family, kind):
    """Each directory format, read back, is the merged view of the phone's first line user (/my/phonebook's rows
    and order): names, numbers, UTF-8 and & < > " intact (the quoted CSV of Aastra has no escape for ", which
    becomes ')."""
    phone = Phone.objects.get(serial_number=MAC_OF[family])
    owner = phone.lines.order_by("position").first().user
    expected = []
    for row in readmodel.iter_merged(owner, on_phone=True):
        name = " ".join(p for p in (row.first_name, row.last_name) if p) or row.number
        expected.append((name.replace('"', "'") if family == "aastra" else name, row.number))
    assert len(expected) > len(TRICKY)
    assert read_directory(family, fetch(client, file_name(family, kind)).content) == expected


def test_private_entries_reach_the_phone_only_with_show_on_phone(client, demo):
    alice = User.objects.get(username="200")
    assert b"Lovelace" in fetch(client, f"{POLYCOM}-directory.xml").content
    phonebook_services.set_show_on_phone(alice, False)
    directory = fetch(client, f"{POLYCOM}-directory.xml").content
    assert b"Lovelace" not in directory and b"Jones" in directory  # the colleagues stay


# ---- what users type ---------------------------------------------------------------------------------------


@pytest.fixture
def nasty_names(demo):
    """Line users whose names try to break out of their value: a line end with a key after it, XML markup, control
    characters."""
    for name in ("200", "201", "202", "203"):
        User.objects.filter(username=name).update(
            first_name='Eve\naccount.1.sip_server.1.address = evil.example\r\n<x a="', last_name="&\x01\x7f\u2028"
        )


def test_a_value_cannot_start_a_line_of_its_own(client, nasty_names):
    yealink = key_values("yealink", fetch(client, f"{YEALINK}.cfg").content)
    assert yealink["account.1.sip_server.1.address"] == "example.org"
    assert yealink["account.1.display_name"].startswith("Eve account.1.sip_server.1.address = evil.example")
    aastra = key_values("aastra", fetch(client, f"{AASTRA}.cfg").content)
    assert aastra["sip line1 display name"].startswith("Eve account.1")
    polycom = ElementTree.fromstring(fetch(client, f"{POLYCOM}-phone.cfg").content)
    assert (
        polycom.find("reg").get("reg.1.displayName") == 'Eve account.1.sip_server.1.address = evil.example  <x a=" &   '
    )


# ---- lines and firmware --------------------------------------------------------------------------------------


def test_a_line_taken_away_is_written_as_off(client, demo):
    update_phone(Phone.objects.get(serial_number=CISCO), PhoneData(CISCO, "ciscoSpa504g", lines=["202"]))
    body = fetch(client, f"spa{CISCO}.xml").content
    assert b"<User_ID_1_" in body and b"<User_ID_2_" not in body
    assert b'<Line_Enable_2_ ua="na">No</Line_Enable_2_>' in body


def test_a_disabled_user_has_no_line(client, demo):
    User.objects.filter(username="201").update(is_active=False)
    keys = key_values("yealink", fetch(client, f"{YEALINK}.cfg").content)
    assert "account.1.password" not in keys and keys["account.1.enable"] == "0"


@pytest.fixture
def firmware_everywhere(demo):
    """Every demo phone on its model's newest version, with an image uploaded for it."""
    from django.core.files.base import ContentFile

    images = {}
    for phone in Phone.objects.all():
        phone.version = phone.model_info.default_version
        phone.save()
        image = services.save_firmware(phone.model, phone.version, ContentFile(b"image", name=f"{phone.model}.bin"))
        images[phone.serial_number] = image
    return images


FIRMWARE_FILES = {
    "polycom": "{mac}.cfg",
    "yealink": "{mac}.cfg",
    "snom": "{mac}.xml",
    "grandstream": "cfg{mac}.xml",
    "cisco": "spa{mac}.xml",
}


@pytest.mark.parametrize("family", FIRMWARE_FILES)
def test_uploaded_firmware_is_named_by_the_file(client, firmware_everywhere, family):
    mac = MAC_OF[family]
    image = firmware_everywhere[mac]
    path = f"firmware/{image.pk}/{image.filename}"
    body = fetch(client, FIRMWARE_FILES[family].format(mac=mac)).content.decode()
    assert path in body or f"firmware/{image.pk}<" in body  # Grandstream names the folder; the phone adds its file
    download = fetch(client, path)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"image"


def test_no_firmware_no_url(client, demo):
    assert b"firmware" not in fetch(client, f"{YEALINK}.cfg").content
    assert b'APP_FILE_PATH="sip.ld"' in fetch(client, f"{POLYCOM}.cfg").content
