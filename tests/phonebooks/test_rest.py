"""REST behaviour of the phonebook URIs beyond the golden bytes: roles, methods, bodies, D2, D4, D10, 404s,
406, POST/DELETE /my/phonebook, and constant query counts from 10 to 2,000 entries for every list endpoint."""

import json

import pytest

from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry, PrivatePhonebook
from apps.users.models import UserGroup
from tests.conftest import REST, count_queries
from tests.phonebooks.conftest import body, rest

ENTRY = (
    "<entry><first-name>Grace</first-name><last-name>Kelly</last-name><number>+15550002222</number>"
    "<contact-information><emailAddress>grace@example.com</emailAddress>"
    "<homeAddress><city>Monaco</city></homeAddress></contact-information></entry>"
)


@pytest.fixture
def users(make_user, admin_user):
    return make_user("200", aliases=["alice"]), make_user("201", aliases=["bob"])


def new_entry(client, user="alice", data=ENTRY):
    response = rest(client, "POST", "/my/phonebook/entry/new", user=user, data=data)
    assert response.status_code == 200, response.content
    return int(response["Location"].rsplit("/", 1)[1])


def test_roles_and_methods(client, users):
    assert rest(client, "GET", "/phonebook").status_code == 403
    assert rest(client, "GET", "/phonebook/x").status_code == 403
    assert client.get(REST + "/my/phonebook").status_code == 401
    response = rest(client, "PUT", "/my/phonebook", data="<phonebook/>")
    assert response.status_code == 405 and "GET" in response["Allow"]
    assert rest(client, "POST", "/phonebook", user="superadmin", pin="admin1234", data="<x/>").status_code == 405
    assert rest(client, "POST", "/my/pagedphonebook", data="<phonebook/>").status_code == 405
    assert rest(client, "GET", "/my/phonebook", HTTP_ACCEPT="image/png").status_code == 406
    assert (
        rest(client, "GET", "/phonebook/x", user="superadmin", pin="admin1234", HTTP_ACCEPT="text/html").status_code
        == 406
    )


def test_entry_crud_json_and_d4(client, users):
    entry_id = new_entry(client)
    doc = json.loads(rest(client, "GET", f"/my/phonebook/entry/{entry_id}", HTTP_ACCEPT="application/json").content)
    assert doc["entry"]["contact-information"]["homeAddress"] == {"city": "Monaco"}
    update = {"entry": {"first-name": "Grace", "last-name": "Kelly", "number": "555", "contact-information": {}}}
    response = rest(
        client, "PUT", f"/my/phonebook/entry/{entry_id}", data=json.dumps(update), content_type="application/json"
    )
    assert response.status_code == 200 and response.content == b""
    entry = PhonebookEntry.objects.get(pk=entry_id)
    assert (entry.number, entry.email_address, entry.home_address) == ("555", None, {})  # PUT replaces
    # D4: another user's entry is not found, for every method; DELETE stays 200 and deletes nothing.
    assert rest(client, "GET", f"/my/phonebook/entry/{entry_id}", user="bob").status_code == 404
    assert rest(client, "PUT", f"/my/phonebook/entry/{entry_id}", user="bob", data=ENTRY).status_code == 404
    assert rest(client, "DELETE", f"/my/phonebook/entry/{entry_id}", user="bob").status_code == 200
    assert PhonebookEntry.objects.filter(pk=entry_id).exists()
    for bad in ("abc", "-1", "0", "99999999999999999999", "1.5"):
        assert rest(client, "GET", f"/my/phonebook/entry/{bad}").status_code == 404
    assert rest(client, "DELETE", f"/my/phonebook/entry/{entry_id}").status_code == 200
    assert not PhonebookEntry.objects.filter(pk=entry_id).exists()


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        ("<entry><first-name>A</first-name><number>1</number></entry>", "text/xml", "cannot be Null"),
        (
            "<entry><first-name>A</first-name><last-name>B</last-name><number>1</number><contact-information>"
            "<emailAddress>not-an-address</emailAddress></contact-information></entry>",
            "text/xml",
            "Invalid Email Address",
        ),
        ("<entry><first-name>A</first-name><nickname>x</nickname></entry>", "text/xml", "Unknown field"),
        ("<entry><first-name>A</first-name>", "text/xml", "not well-formed"),
        ("<phonebook/>", "text/xml", "root element"),
        ('{"entry": {"first-name": ["a", "b"]}}', "application/json", "first-name"),
        ('{"entry": 5}', "application/json", ""),
        (
            "<entry><contact-information><homeAddress><town>x</town></homeAddress></contact-information></entry>",
            "text/xml",
            "Unknown address field",
        ),
        ("<entry><first-name>" + "x" * 300 + "</first-name></entry>", "text/xml", "255"),
    ],
)
def test_bad_entry_bodies_are_400(client, users, data, content_type, message):
    response = rest(client, "POST", "/my/phonebook/entry/new", data=data, content_type=content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_d2_duplicate_of_a_visible_entry(client, users):
    group = UserGroup.objects.create(name="g")
    users[0].groups.add(group)
    book = Phonebook.objects.create(name="b")
    book.consumers.add(group)
    services.add_entries([{"first_name": "Grace", "last_name": "Kelly", "number": "+15550002222"}], phonebook=book)
    response = rest(client, "POST", "/my/phonebook/entry/new", data=ENTRY)
    assert response.status_code == 409
    assert response.json() == {
        "error": "Duplicate Entry: you already have an entry with this name and number.",
        "type": "conflict",
    }
    first = new_entry(client, data=ENTRY.replace("Kelly", "Other"))
    second = new_entry(client, data=ENTRY.replace("Kelly", "Third"))
    assert rest(client, "PUT", f"/my/phonebook/entry/{second}", data=ENTRY.replace("Kelly", "Other")).status_code == 409
    assert rest(client, "PUT", f"/my/phonebook/entry/{first}", data=ENTRY.replace("Kelly", "Other")).status_code == 200


def test_post_and_delete_whole_phonebook(client, users):
    bulk = (
        "<phonebook><entry><first-name>A</first-name><last-name>B</last-name><number>1</number></entry>"
        "<entry><first-name>A</first-name><last-name>B</last-name><number>1</number></entry>"
        "<entry><number>2</number></entry></phonebook>"
    )
    assert rest(client, "POST", "/my/phonebook", data=bulk).status_code == 200
    assert PhonebookEntry.objects.filter(private_phonebook__user=users[0]).count() == 3  # no validation, no dup check
    assert body(rest(client, "GET", "/my/phonebook")).count(b"<entry>") == 2  # the view de-duplicates
    one = '{"phonebook": {"entry": {"first-name": "C", "last-name": "D", "number": "3"}}}'
    assert rest(client, "POST", "/my/phonebook", data=one, content_type="application/json").status_code == 200
    assert rest(client, "POST", "/my/phonebook", data="<phonebook/>").status_code == 200
    assert rest(client, "POST", "/my/phonebook", data="<phonebook><x/></phonebook>").status_code == 400
    assert rest(client, "DELETE", "/my/phonebook").status_code == 200
    assert not PrivatePhonebook.objects.filter(user=users[0]).exists()
    assert rest(client, "GET", "/my/pagedphonebook").content.count(b"<show-on-phone>n/a</show-on-phone>") == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("start=0&end=100", 200),
        ("end=5&start=2", 200),
        ("", 200),
        ("start=3&end=1", 400),
        ("start=-1&end=4", 400),
        ("start=a&end=4", 400),
        ("start=0&end=1e3", 400),
        ("start=0&end=99999999999", 400),
        ("filter=null", 200),
        ("filter=%25", 200),
    ],
)
def test_d10_paging_parameters(client, users, query, status):
    response = rest(client, "GET", f"/my/pagedphonebook?{query}")
    assert response.status_code == status
    if status == 400:
        assert response.json()["type"] == "invalid"


def test_search_without_query_is_404_and_unknown_phonebook_404(client, users):
    assert rest(client, "GET", "/my/search/phonebook").status_code == 404
    assert rest(client, "GET", "/my/search/phonebook?query=").content == b"<phonebook/>"
    admin = {"user": "superadmin", "pin": "admin1234"}
    assert rest(client, "GET", "/phonebook/nosuch", **admin).status_code == 404
    assert rest(client, "GET", "/phonebook/%00", **admin).status_code == 404


def _world(make_user, n_entries: int):
    group = UserGroup.objects.create(name="g")
    reader = make_user("500", aliases=["reader"])
    reader.groups.add(group)
    for i in range(3):
        make_user(f"6{i:02d}").groups.add(group)
    book = Phonebook.objects.create(name="big")
    book.members.add(group)
    book.consumers.add(group)
    services.add_entries(
        [{"first_name": f"F{i}", "last_name": f"L{i}", "number": f"7{i:05d}"} for i in range(n_entries)], phonebook=book
    )
    services.add_entries(
        [{"first_name": "P", "last_name": f"Q{i}", "number": f"8{i:03d}"} for i in range(min(n_entries, 50))],
        private=services.private_phonebook(reader, create=True),
    )
    return reader


LIST_URIS = [
    ("/phonebook", {"user": "superadmin", "pin": "admin1234"}, {}),
    ("/phonebook/big", {"user": "superadmin", "pin": "admin1234"}, {}),
    ("/phonebook/big", {"user": "superadmin", "pin": "admin1234"}, {"HTTP_ACCEPT": "text/xml"}),
    ("/my/phonebook", {"user": "reader"}, {}),
    ("/my/phonebook", {"user": "reader"}, {"HTTP_ACCEPT": "application/json"}),
    ("/my/phonebook", {"user": "reader"}, {"HTTP_ACCEPT": "text/csv"}),
    ("/my/phonebook", {"user": "reader"}, {"HTTP_ACCEPT": "text/vcard"}),
    ("/my/pagedphonebook?start=0&end=100", {"user": "reader"}, {}),
    ("/my/pagedphonebook?start=0&end=50&filter=1", {"user": "reader"}, {}),
    ("/my/search/phonebook?query=l1", {"user": "reader"}, {}),
    ("/my/search/phonebook?query=7", {"user": "reader"}, {}),
]


def test_constant_queries_10_and_2000_entries(client, make_user, admin_user):
    """Every list URI costs as many queries with 2,000 entries as with 10. Each world is built once for all the
    URIs (a world of 2,000 costs seconds), and they are asked in the same order in both."""

    def queries():
        return [
            (path, headers, count_queries(rest, client, "GET", path, **who, **headers))
            for path, who, headers in LIST_URIS
        ]

    _world(make_user, 10)
    small = queries()
    Phonebook.objects.all().delete()
    PrivatePhonebook.objects.all().delete()
    UserGroup.objects.all().delete()
    from apps.users.models import User

    User.objects.exclude(username="superadmin").delete()
    _world(make_user, 2000)
    assert queries() == small
