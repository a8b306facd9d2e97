"""/provision/ over HTTP as phones use it: the credential (Basic and Digest, the lockout), unknown MACs, polling with
ETag and Last-Modified, and which files a change reaches."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from apps.phonebooks import services as phonebook_services
from apps.phonebooks.models import Phonebook
from apps.phones.models import Phone
from apps.phones.services import PhoneData, update_phone
from apps.provisioning import files, services
from apps.provisioning.families import FAMILIES
from apps.provisioning.models import PhoneFile, UnknownPhone
from apps.users.models import User
from sipxweb.rest.challenges import split_challenges
from tests.conftest import basic, count_queries
from tests.provisioning.conftest import (
    AASTRA,
    CISCO,
    GRANDSTREAM,
    POLYCOM,
    SNOM,
    YEALINK,
    basic_auth,
    digest_auth,
    fetch,
)

MASTER = f"/provision/{POLYCOM}.cfg"


# ---- the credential -------------------------------------------------------------------------------------------


def test_no_credential_is_401_with_a_digest_and_a_basic_challenge(client, demo):
    response = client.get(MASTER)
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"
    challenges = split_challenges(response["WWW-Authenticate"])
    assert [c.split()[0] for c in challenges] == ["Digest", "Basic"]
    assert all('realm="example.org"' in c for c in challenges)
    assert b"provisioning credential" in response.content


def test_basic_and_digest_both_fetch_the_file(client, demo):
    by_basic = client.get(MASTER, **basic_auth())
    by_digest = client.get(MASTER, **digest_auth(client, MASTER))
    assert by_basic.status_code == by_digest.status_code == 200
    assert by_basic.content == by_digest.content and b"CONFIG_FILES" in by_basic.content


def test_a_wrong_digest_answer_is_401(client, demo):
    assert client.get(MASTER, **digest_auth(client, MASTER, password="prov12345")).status_code == 401


def test_wrong_credentials_are_counted_by_the_lockout(client, demo, settings):
    settings.LOCKOUT_MAX_PER_NAME = 3
    for _ in range(3):
        response = client.get(MASTER, **basic_auth(password="guess"))
        assert response.status_code == 401
        assert b"provisioning user name or password is wrong" in response.content
    locked = client.get(MASTER, **basic_auth())  # the right password, once locked out: 429, as for a user's PIN
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0


def test_a_users_pin_is_not_the_credential(client, demo):
    assert client.get(MASTER, **basic("alice", "1234")).status_code == 401
    assert client.get(MASTER, **digest_auth(client, MASTER, "200", "1234")).status_code == 401


def test_the_credential_reaches_no_rest_uri(client, demo):
    assert client.get("/sipxconfig/rest/my/logindetails", **basic_auth()).status_code == 401


# ---- which files ----------------------------------------------------------------------------------------------


def test_unknown_mac_is_404_and_listed(client, demo):
    for agent in ("FileTransport PolycomVVX-VVX_400-UA/5.9.0", "FileTransport PolycomVVX-VVX_400-UA/6.3.0"):
        assert fetch(client, "0004F2FFFFFF.cfg", HTTP_USER_AGENT=agent).status_code == 404
    assert fetch(client, f"{POLYCOM}.cfg").status_code == 200
    unknown = UnknownPhone.objects.get()
    assert (unknown.mac, unknown.file_name, unknown.count) == ("0004f2ffffff", "0004f2ffffff.cfg", 2)
    assert unknown.user_agent.endswith("/6.3.0") and unknown.address == "127.0.0.1"


def test_without_the_credential_an_unknown_mac_is_not_listed(client, demo):
    assert client.get("/provision/0004f2ffffff.cfg").status_code == 401
    assert not UnknownPhone.objects.exists()


def test_polycoms_default_file_is_not_an_unknown_phone(client, demo):
    assert fetch(client, "000000000000.cfg").status_code == 404
    assert not UnknownPhone.objects.exists()


def test_the_unknown_list_is_bounded(client, demo, settings):
    settings.PROVISIONING_UNKNOWN_MAX = 3
    for n in range(6):
        assert fetch(client, f"0004f2ffff0{n}.cfg").status_code == 404
    assert sorted(UnknownPhone.objects.values_list("mac", flat=True)) == [f"0004f2ffff0{n}" for n in (3, 4, 5)]


@pytest.mark.parametrize(
    "name",
    [
        f"{YEALINK}-phone.cfg",  # a Polycom file name, for a Yealink phone
        f"cfg{POLYCOM}.xml",  # a Grandstream one, for a Polycom
        f"{POLYCOM}.cfg.bak",
        "index.html",
        "../settings.py",
    ],
)
def test_a_file_the_phone_does_not_have_is_404(client, demo, name):
    response = fetch(client, name)
    assert response.status_code == 404 and response["Cache-Control"] == "no-store"
    assert not UnknownPhone.objects.exists()


def test_mac_in_upper_case_is_the_same_file(client, demo):
    lower, upper = fetch(client, f"{YEALINK}.cfg"), fetch(client, f"{YEALINK.upper()}.cfg")
    assert upper.status_code == 200 and upper.content == lower.content and upper["ETag"] == lower["ETag"]
    assert list(PhoneFile.objects.values_list("name", flat=True)) == [f"{YEALINK}.cfg"]


def test_only_get_and_head(client, demo):
    assert client.post(MASTER, **basic_auth()).status_code == 405
    assert client.head(MASTER, **basic_auth()).status_code == 200


def test_a_fetch_is_recorded(client, demo):
    fetch(client, f"{SNOM}.xml", HTTP_USER_AGENT="Mozilla/4.0 (compatible; snom720-SIP 10.1.33.33)")
    row = PhoneFile.objects.get()
    assert (row.phone.serial_number, row.name, row.status, row.address) == (SNOM, f"{SNOM}.xml", 200, "127.0.0.1")
    assert "snom720" in row.user_agent and row.fetched is not None


# ---- polling ------------------------------------------------------------------------------------------------


def test_if_none_match_is_304_without_building_the_file(client, demo, monkeypatch):
    first = fetch(client, f"{YEALINK}-phonebook.xml")
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"

    def build(*args):
        raise AssertionError("built although nothing changed")

    monkeypatch.setattr(files, "build", build)
    again = fetch(client, f"{YEALINK}-phonebook.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "no-store"
    assert PhoneFile.objects.get().status == 304
    assert fetch(client, f"{YEALINK}-phonebook.xml", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}").status_code == 304


def test_if_modified_since_is_304_until_the_content_changes(client, demo):
    first = fetch(client, f"{YEALINK}.cfg")
    since = first["Last-Modified"]
    assert fetch(client, f"{YEALINK}.cfg", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    earlier = http_date(PhoneFile.objects.get().modified.timestamp() - 60)
    assert fetch(client, f"{YEALINK}.cfg", HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110): another ETag is a full answer.
    other = fetch(client, f"{YEALINK}.cfg", HTTP_IF_MODIFIED_SINCE=since, HTTP_IF_NONE_MATCH='"other"')
    assert other.status_code == 200


def test_a_304_costs_a_constant_few_queries(client, demo):
    etag = fetch(client, f"{YEALINK}-phonebook.xml")["ETag"]
    # The credential, the lockout counters, the phone with its stored file and the count of writes, the fetch.
    queries = count_queries(fetch, client, f"{YEALINK}-phonebook.xml", HTTP_IF_NONE_MATCH=etag, status=304)
    assert queries == 4


T46S = "Yealink SIP-T46S 66.86.0.15"


def test_a_repeated_304_is_a_read_and_is_recorded_again_after_a_minute(client, demo):
    name = f"{YEALINK}-phonebook.xml"
    etag = fetch(client, name)["ETag"]
    assert fetch(client, name, HTTP_IF_NONE_MATCH=etag).status_code == 304  # 200 -> 304: recorded
    first = PhoneFile.objects.get()
    # The same client's next poll changes nothing the admin sees: no write, one query fewer.
    assert count_queries(fetch, client, name, HTTP_IF_NONE_MATCH=etag, status=304) == 3
    assert PhoneFile.objects.get().fetched == first.fetched
    # Another user agent (a new firmware, another phone behind the address) is written at once.
    assert fetch(client, name, HTTP_IF_NONE_MATCH=etag, HTTP_USER_AGENT=T46S).status_code == 304
    assert "T46S" in PhoneFile.objects.get().user_agent
    # A minute after the recorded fetch the poll is written again, so "last fetched" stays at most a minute old.
    PhoneFile.objects.update(fetched=timezone.now() - services.FETCH_RECORD_INTERVAL - timedelta(seconds=1))
    assert fetch(client, name, HTTP_IF_NONE_MATCH=etag, HTTP_USER_AGENT=T46S).status_code == 304
    assert timezone.now() - PhoneFile.objects.get().fetched < timedelta(seconds=5)


ALL_FILES = [
    kind.file_name(mac)
    for family, mac in (
        ("polycom", POLYCOM),
        ("yealink", YEALINK),
        ("snom", SNOM),
        ("grandstream", GRANDSTREAM),
        ("cisco", CISCO),
        ("aastra", AASTRA),
    )
    for kind in FAMILIES[family].files
]


def etags(client) -> dict[str, str]:
    found = {}
    for name in ALL_FILES:
        response = fetch(client, name)
        assert response.status_code == 200, (name, response.content)
        found[name] = response["ETag"]
    return found


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


DIRECTORIES_OF_SUPPORT = {  # the phones whose first line user (202, 203) sees the support phonebook
    f"{SNOM}.xml",
    f"{GRANDSTREAM}/phonebook.xml",
    f"spa{CISCO}-directory.xml",
    f"{AASTRA}-directory.csv",
}


def test_a_changed_sip_password_changes_exactly_the_files_holding_it(client, demo):
    before = etags(client)
    bob = User.objects.get(username="201")
    bob.sip_password = "a-new-secret"
    bob.save()
    assert changed(before, etags(client)) == {f"{YEALINK}.cfg"}
    # A bulk write (no signal, no save()) is seen too: Dave is on the Grandstream, the Cisco's line 2 and the Aastra.
    User.objects.filter(username="203").update(sip_password="another")
    after = etags(client)
    assert changed(before, after) == {f"{YEALINK}.cfg", f"cfg{GRANDSTREAM}.xml", f"spa{CISCO}.xml", f"{AASTRA}.cfg"}


def test_a_changed_line_changes_exactly_the_files_holding_it(client, demo):
    before = etags(client)
    update_phone(Phone.objects.get(serial_number=YEALINK), PhoneData(YEALINK, "yealinkPhoneT46", lines=["201", "200"]))
    assert changed(before, etags(client)) == {f"{YEALINK}.cfg"}  # the phonebook is still Bob's


def test_a_changed_phonebook_entry_changes_exactly_the_directories_showing_it(client, demo):
    before = etags(client)
    support = Phonebook.objects.get(name="support")
    phonebook_services.add_entries([{"first_name": "Linus", "last_name": "T", "number": "555"}], phonebook=support)
    assert changed(before, etags(client)) == DIRECTORIES_OF_SUPPORT
    before = etags(client)
    alice = User.objects.get(username="200")
    entry = alice.private_phonebook.entries.get(last_name="Lovelace")
    phonebook_services.update_private_entry(alice, entry, {"first_name": "Ada", "last_name": "King", "number": "1"})
    assert changed(before, etags(client)) == {f"{POLYCOM}-directory.xml"}


def test_a_renamed_colleague_changes_the_directories_and_lines_holding_the_name(client, demo):
    before = etags(client)
    carol = User.objects.get(username="202")
    carol.last_name = "Black"
    carol.save()
    expected = DIRECTORIES_OF_SUPPORT | {f"{SNOM}.xml", f"spa{CISCO}.xml"}  # Carol's display name on her lines
    assert changed(before, etags(client)) == expected


def test_a_changed_time_zone_changes_exactly_the_files_holding_it(client, demo, settings):
    before = etags(client)
    settings.PHONE_TIME_ZONE = "America/New_York"
    assert changed(before, etags(client)) == {
        "sipxweb-shared.cfg",
        f"{YEALINK}.cfg",
        f"{SNOM}.xml",
        f"cfg{GRANDSTREAM}.xml",
        f"spa{CISCO}.xml",
        f"{AASTRA}.cfg",
    }


def test_a_write_no_file_shows_keeps_every_etag_and_last_modified(client, demo):
    fetch(client, f"{YEALINK}.cfg")
    modified = PhoneFile.objects.get(name=f"{YEALINK}.cfg").modified
    before = etags(client)
    User.objects.filter(username="superadmin").update(first_name="Root")  # counted, but in no file
    assert changed(before, etags(client)) == set()
    assert PhoneFile.objects.get(name=f"{YEALINK}.cfg").modified == modified


def test_building_a_directory_costs_the_same_queries_for_any_size(client, demo):
    bob = User.objects.get(username="201")
    book = phonebook_services.private_phonebook(bob, create=True)

    def grow_to(n):
        have = book.entries.count()
        phonebook_services.add_entries(
            [{"first_name": "P", "last_name": f"{i:05d}", "number": f"7{i:05d}"} for i in range(have, n)], private=book
        )
        return count_queries(fetch, client, f"{YEALINK}-phonebook.xml")

    small, large = grow_to(10), grow_to(400)
    assert small == large
