"""Golden tests of the phonebook URIs (docs/compatibility.md B.2.1, B.2.2, B.3.5-B.3.8; A.6, D2, D4, D10, D16): every
URI x
every variant, byte for byte, with the demo PBX of docs/pbx-data.md and with the spec's samples.

Golden files have no trailing newline unless the format has one (CSV lines end in \\n, vCard lines in \\r\\n)."""

import pytest

from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry, PhonebookSettings
from apps.users.models import User, UserGroup
from tests.conftest import golden
from tests.phonebooks.conftest import body, demo, rest  # noqa: F401 - demo is a fixture

ADMIN = {"user": "superadmin", "pin": "admin1234"}


@pytest.mark.parametrize(
    ("path", "accept", "who", "golden_file", "content_type"),
    [
        ("/phonebook", None, ADMIN, "phonebook-list.xml", "text/xml; charset=utf-8"),
        ("/phonebook", "text/xml", ADMIN, "phonebook-list.xml", "text/xml; charset=utf-8"),
        ("/phonebook", "application/xml", ADMIN, "phonebook-list.xml", "application/xml; charset=utf-8"),
        ("/phonebook/sales", None, ADMIN, "phonebook-sales.csv", "text/comma-separated-values; charset=utf-8"),
        ("/phonebook/sales", "text/csv", ADMIN, "phonebook-sales.csv", "text/csv; charset=utf-8"),
        ("/phonebook/sales", "text/xml", ADMIN, "phonebook-sales.xml", "text/xml; charset=utf-8"),
        ("/phonebook/sales", "application/*+xml", ADMIN, "phonebook-sales.xml", "application/xml; charset=utf-8"),
        ("/phonebook/support", None, ADMIN, "phonebook-support.csv", "text/comma-separated-values; charset=utf-8"),
        ("/my/phonebook", None, {}, "phonebook-my-alice.xml", "text/xml; charset=utf-8"),
        ("/my/phonebook", "application/json", {}, "phonebook-my-alice.json", "application/json; charset=utf-8"),
        ("/my/phonebook", "text/csv", {}, "phonebook-my-alice.csv", "text/csv; charset=utf-8"),
        ("/my/phonebook", "text/plain", {}, "phonebook-my-alice.csv", "text/plain; charset=utf-8"),
        ("/my/phonebook", "text/vcard", {}, "phonebook-my-alice.vcf", "text/vcard; charset=utf-8"),
        ("/my/phonebook", "application/json", {"user": "carol"}, "phonebook-my-carol.json", None),
        ("/my/pagedphonebook", None, {}, "phonebook-paged-alice.xml", "text/xml; charset=utf-8"),
        ("/my/pagedphonebook?start=1&end=3", "application/json", {}, "phonebook-paged-alice-1-3.json", None),
        ("/my/pagedphonebook?end=3&start=1", "application/json", {}, "phonebook-paged-alice-1-3.json", None),
        ("/my/pagedphonebook?filter=ada", None, {}, "phonebook-paged-alice-filter.xml", None),
        ("/my/pagedphonebook?start=0&end=2", None, {"user": "dave"}, "phonebook-paged-dave.xml", None),
        ("/my/search/phonebook?query=lov", None, {}, "phonebook-search-lov.xml", "text/xml; charset=utf-8"),
        ("/my/search/phonebook?query=lov", "application/json", {}, "phonebook-search-lov.json", None),
        ("/my/search/phonebook?query=bob", None, {}, "phonebook-search-bob.xml", None),
    ],
)
def test_golden_demo(client, demo, path, accept, who, golden_file, content_type):  # noqa: F811
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = rest(client, "GET", path, **who, **headers)
    assert response.status_code == 200, body(response)
    # Private entries carry their database ids, which depend on the database's sequences.
    ids = dict(PhonebookEntry.objects.filter(private_phonebook__isnull=False).values_list("first_name", "pk"))
    expected = golden(golden_file).replace(b"@ADA@", str(ids["Ada"]).encode())
    assert body(response) == expected.replace(b"@CHARLES@", str(ids["Charles"]).encode())
    if content_type:
        assert response["Content-Type"] == content_type
    assert "Accept" in response["Vary"]


def test_phonebook_list_any_xml_variant_has_no_representation(client, demo):  # noqa: F811
    response = rest(client, "GET", "/phonebook", **ADMIN, HTTP_ACCEPT="application/*+xml")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_empty_lists(client, admin_user, make_user):
    assert rest(client, "GET", "/phonebook", **ADMIN).content == (
        b'<?xml version="1.0" encoding="UTF-8"?><phonebooks/>'
    )
    Phonebook.objects.create(name="empty")
    assert body(rest(client, "GET", "/phonebook/empty", **ADMIN)) == b'"First name","Last name","Number"\n'
    xml = body(rest(client, "GET", "/phonebook/empty", **ADMIN, HTTP_ACCEPT="text/xml"))
    assert xml == b'<?xml version="1.0" encoding="UTF-8"?><phonebook/>'
    make_user("300")
    assert body(rest(client, "GET", "/my/phonebook", user="300")) == b"<phonebook/>"
    assert body(rest(client, "GET", "/my/phonebook", user="300", HTTP_ACCEPT="application/json")) == (
        b'{"phonebook": []}'
    )
    assert rest(client, "GET", "/my/search/phonebook?query=x", user="300").content == b"<phonebook/>"
    assert rest(client, "GET", "/my/pagedphonebook", user="300").content == golden("phonebook-paged-empty.xml")


def test_d16_rfc4180_quoting_and_names(client, admin_user):
    book = Phonebook.objects.create(name="q&a <1>")
    services.add_entries(
        [{"first_name": 'Say "hi"', "last_name": "O'Brien, Jr", "number": "1\\2"}, {"number": "5"}], phonebook=book
    )
    assert body(rest(client, "GET", "/phonebook/q&a <1>", **ADMIN)) == (
        b'"First name","Last name","Number"\n"","","5"\n"Say ""hi""","O\'Brien, Jr","1\\2"\n'
    )
    assert body(rest(client, "GET", "/phonebook/q&a <1>", **ADMIN, HTTP_ACCEPT="text/xml")) == (
        b'<?xml version="1.0" encoding="UTF-8"?><phonebook><entry><first-name/><last-name/><number>5</number></entry>'
        b'<entry><first-name>Say "hi"</first-name><last-name>O\'Brien, Jr</last-name><number>1\\2</number></entry>'
        b"</phonebook>"
    )
    assert b'<phonebook name="q&amp;a &lt;1>"/>' in rest(client, "GET", "/phonebook", **ADMIN).content


@pytest.fixture
def spec_user(make_user):
    """The spec's samples: a user who consumes a phonebook whose file entries are the samples' entries."""
    user = make_user("jdoe")
    group = UserGroup.objects.create(name="g")
    user.groups.add(group)
    book = Phonebook.objects.create(name="spec")
    book.consumers.add(group)
    services.add_entries(
        [
            {"first_name": "FirstName1", "last_name": "LastName1", "number": "200"},
            {"first_name": "FirstName2", "last_name": "LastName2", "number": "201"},
        ],
        phonebook=book,
    )
    return user


def test_spec_samples(client, spec_user):
    assert rest(client, "GET", "/my/search/phonebook?query=firstname1", user="jdoe").content == golden(
        "phonebook-search-spec.xml"
    )
    entry = services.create_private_entry(
        spec_user, {"first_name": "name", "last_name": "lastName", "number": "200", "job_title": "title"}
    )
    entry.timestamp = None
    entry.save()
    response = rest(client, "GET", f"/my/phonebook/entry/{entry.pk}", user="jdoe")
    assert response.content == golden("phonebook-entry-spec.xml")
    response = rest(client, "GET", f"/my/phonebook/entry/{entry.pk}", user="jdoe", HTTP_ACCEPT="application/json")
    assert response.content == golden("phonebook-entry-spec.json")


SPEC_POST = (
    "<entry>\n  <first-name>Ada</first-name>\n  <last-name>Lovelace</last-name>\n  <number>+15551234567</number>\n"
    "  <contact-information>\n    <emailAddress>ada@example.com</emailAddress>\n"
    "    <cellPhoneNumber>+15557654321</cellPhoneNumber>\n  </contact-information>\n</entry>"
)


def test_create_entry_location_and_d2_conflict(client, make_user):
    make_user("300")
    response = rest(client, "POST", "/my/phonebook/entry/anything", user="300", data=SPEC_POST)
    assert response.status_code == 200
    assert response.content == b""
    assert "Content-Type" not in response
    location = response["Location"]
    entry_id = location.rsplit("/", 1)[1]
    assert location == f"http://testserver/sipxconfig/rest/my/phonebook/entry/{entry_id}"
    got = rest(client, "GET", f"/my/phonebook/entry/{entry_id}", user="300").content.decode()
    assert "<emailAddress>ada@example.com</emailAddress>" in got and "<timestamp>" in got
    again = rest(client, "POST", "/my/phonebook/entry/x", user="300", data=SPEC_POST)
    assert again.status_code == 409
    assert again.json()["type"] == "conflict"


def test_private_key_alias(client, demo, settings):  # noqa: F811
    settings.FEED_KEY_FULL_ACCESS = True  # sipXconfig 4.6's whole /private/{key}/... (compatibility switch)
    key = User.objects.get(username="200").feed_key
    response = client.get(f"/sipxconfig/rest/private/{key}/search/phonebook?query=ada")
    assert response.status_code == 200 and b"Lovelace" in response.content


def test_paged_shows_google_domain_and_show_on_phone(client, demo):  # noqa: F811
    PhonebookSettings.objects.update_or_create(pk=1, defaults={"google_domain": "mydomain.com"})
    xml = rest(client, "GET", "/my/pagedphonebook?end=0").content.decode()
    assert "<show-on-phone>true</show-on-phone>\n  <google-domain>mydomain.com</google-domain>\n  <entries/>" in xml
    services.set_show_on_phone(User.objects.get(username="200"), False)
    assert "<show-on-phone>false</show-on-phone>" in rest(client, "GET", "/my/pagedphonebook").content.decode()
