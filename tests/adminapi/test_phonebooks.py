"""/api/v1/phonebooks as an integration uses it (JSON over HTTP with a real token, files as multipart/form-data):
shared phonebooks with their member and consumer groups, their entries at /phonebooks/{name}/entries (one or a list,
all or nothing), and CSV/vCard imports at /phonebooks/{name}/import by the phonebook page's rules; refusals name the
field or the file's line; who may do what; filters, search, pages, ETags; the audit log of every channel that
writes phonebooks; a flat number of queries."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from apps.audit.models import AuditEntry
from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry, PrivatePhonebook
from apps.users.models import UserGroup
from tests.adminapi.conftest import V1
from tests.conftest import REST, basic, count_queries, listed
from tests.pbxdata.helpers import doc, run_import

FILES = Path(__file__).resolve().parents[1] / "phonebooks" / "files"

CONTACT_KEYS = [
    "jobTitle",
    "jobDept",
    "companyName",
    "assistantName",
    "location",
    "homeAddress",
    "officeAddress",
    "branchAddress",
    "cellPhoneNumber",
    "homePhoneNumber",
    "assistantPhoneNumber",
    "faxNumber",
    "didNumber",
    "imId",
    "imDisplayName",
    "alternateImId",
    "emailAddress",
    "alternateEmailAddress",
]
ADDRESSES = ("homeAddress", "officeAddress", "branchAddress")


def contact(**given) -> dict:
    """A whole contactInformation as the API shows it: every key, addresses {} and the others null when not set."""
    return {key: given.get(key, {} if key in ADDRESSES else None) for key in CONTACT_KEYS}


@pytest.fixture
def groups(db):
    return {name: UserGroup.objects.create(name=name) for name in ("sales", "support", "staff")}


@pytest.fixture
def sales(groups) -> Phonebook:
    book = services.save_phonebook(Phonebook(name="sales", description="Sales team"), [groups["sales"]], [])
    services.add_entries(
        [
            {"first_name": "Ada", "last_name": "Lovelace", "number": "1001", "company_name": "Analytical"},
            {"first_name": "Alan", "last_name": "Turing", "number": "1002", "email_address": "alan@example.org"},
            {"first_name": "Grace", "last_name": "Hopper", "number": "1003", "company_name": "US Navy"},
        ],
        phonebook=book,
    )
    return book


def entry_id(book: Phonebook, last_name: str) -> int:
    return PhonebookEntry.objects.get(phonebook=book, last_name=last_name).pk


def audit(kind: str, **filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind, **filters).order_by("id"))


def refused(response, path: str) -> str:
    """The message of a 400 that names exactly `path`."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "invalid" and list(body["fields"]) == [path], body
    return body["fields"][path][0]


def upload(api, name: str, content: bytes, filename: str = "contacts.csv", **fields):
    """POST /phonebooks/{name}/import as a browser or curl -F sends it: multipart/form-data with the field `file`."""
    data = {"file": SimpleUploadedFile(filename, content), **fields}
    return api.client.post(f"{V1}/phonebooks/{name}/import", data, **api.headers)


# ---- phonebooks: create, read, change, delete ------------------------------------------------------------------


def test_phonebook_create_read_change_delete(api, groups):
    new = {"name": "Support", "description": "Helpdesk", "members": ["support"], "consumers": ["support", "sales"]}
    response = api.post("/phonebooks", new)
    assert response.status_code == 201, response.content
    assert response["Location"] == "/api/v1/phonebooks/Support"
    stored = {**new, "consumers": ["sales", "support"]}
    assert response.json() == stored  # no entries: they are /phonebooks/Support/entries
    book = Phonebook.objects.get(name="Support")
    assert sorted(g.name for g in book.consumers.all()) == ["sales", "support"]

    read = api.get("/phonebooks/Support")
    assert read.status_code == 200 and read.json() == stored and read["ETag"] == response["ETag"]

    changed = api.patch("/phonebooks/Support", {"members": ["staff"]}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**stored, "members": ["staff"]} and changed["ETag"] != read["ETag"]

    replaced = api.put("/phonebooks/Support", {"consumers": ["staff"]})
    assert replaced.json() == {"name": "Support", "description": "", "members": [], "consumers": ["staff"]}

    assert api.delete("/phonebooks/Support").status_code == 204
    assert api.get("/phonebooks/Support").status_code == 404
    assert not Phonebook.objects.exists()


def test_changing_a_phonebook_keeps_its_entries(api, sales):
    assert api.put("/phonebooks/sales", {"description": "New"}).status_code == 200
    assert api.patch("/phonebooks/sales", {"consumers": ["staff"]}).status_code == 200
    assert sales.entries.count() == 3
    assert api.get("/phonebooks/sales/entries").json()["count"] == 3


def test_list_shows_every_phonebook(api, sales, groups):
    services.save_phonebook(Phonebook(name="all"), [], [groups["staff"]])
    body = api.get("/phonebooks").json()
    assert body["count"] == 2
    assert body["results"] == [
        {"name": "all", "description": "", "members": [], "consumers": ["staff"]},
        {"name": "sales", "description": "Sales team", "members": ["sales"], "consumers": []},
    ]


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ({"name": ""}, "name", "may not be empty"),
        ({"name": "x", "members": ["sales", "nobody"]}, "members[1]", 'there is no group "nobody"'),
        ({"name": "x", "consumers": ["sales", "sales"]}, "consumers[1]", "listed twice"),
        ({"name": "x", "description": "d" * 256}, "description", "longer than 255"),
        ({"name": "x", "entries": []}, "entries", "unknown key"),
        ({"name": "x", "member": []}, "member", 'did you mean "members"'),
        ({"description": "no name"}, "name", "is required"),
        ({"name": 7}, "name", "expected a string"),
    ],
)
def test_bad_phonebook_is_refused_by_field(api, groups, body, path, words):
    assert words in refused(api.post("/phonebooks", body), path)
    assert not Phonebook.objects.exists() and not audit("phonebook")


def test_an_existing_name_is_a_conflict(api, sales):
    response = api.post("/phonebooks", {"name": "sales"})
    assert response.status_code == 409 and "exists already" in response.json()["error"]
    both = api.post("/phonebooks", [{"name": "new"}, {"name": "new"}])
    assert "already exists" in refused(both, "[1].name")
    assert list(Phonebook.objects.values_list("name", flat=True)) == ["sales"]


def test_bulk_phonebooks_all_or_nothing(api, groups):
    bad = api.post("/phonebooks", [{"name": "a"}, {"name": "b", "members": ["ghost"]}])
    assert 'no group "ghost"' in refused(bad, "[1].members[0]")
    assert not Phonebook.objects.exists()
    good = api.post("/phonebooks", [{"name": "a"}, {"name": "b", "members": ["sales"]}])
    assert good.status_code == 201 and [b["name"] for b in good.json()] == ["a", "b"]
    assert [e.key for e in audit("phonebook", action="create")] == ["a", "b"]


# ---- entries: create, read, change, delete -------------------------------------------------------------------


def test_entry_create_read_change_delete(api, sales):
    new = {"firstName": "Linus", "lastName": "Torvalds", "number": "+358401234567"}
    new["contactInformation"] = {"emailAddress": "linus@example.org", "officeAddress": {"city": "Portland"}}
    response = api.post("/phonebooks/sales/entries", new)
    assert response.status_code == 201, response.content
    pk = PhonebookEntry.objects.get(last_name="Torvalds").pk
    assert response["Location"] == f"/api/v1/phonebooks/sales/entries/{pk}"
    stored = {
        "id": pk,
        "firstName": "Linus",
        "lastName": "Torvalds",
        "number": "+358401234567",
        "internalId": None,
        "contactInformation": contact(emailAddress="linus@example.org", officeAddress={"city": "Portland"}),
    }
    assert response.json() == stored

    read = api.get(f"/phonebooks/sales/entries/{pk}")
    assert read.status_code == 200 and read.json() == stored and read["ETag"] == response["ETag"]

    # PATCH: the keys given replace those stored; the others stay
    changed = api.patch(f"/phonebooks/sales/entries/{pk}", {"number": "5550000"}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**stored, "number": "5550000"} and changed["ETag"] != read["ETag"]
    # the read form goes back as it is (its id included)
    again = api.put(f"/phonebooks/sales/entries/{pk}", changed.json(), headers={"If-Match": changed["ETag"]})
    assert again.status_code == 200 and again.json() == changed.json()

    # PUT: what the body leaves out is at its default
    replaced = api.put(f"/phonebooks/sales/entries/{pk}", {"number": "5551111", "lastName": "T"})
    assert replaced.json() == {
        "id": pk,
        "firstName": "",
        "lastName": "T",
        "number": "5551111",
        "internalId": None,
        "contactInformation": contact(),
    }
    entry = PhonebookEntry.objects.get(pk=pk)
    assert (entry.first_name, entry.number, entry.email_address, entry.office_address) == ("", "5551111", None, {})
    # the search words follow the change (the merged view and the sipXconfig search read them)
    assert set(entry.words.values_list("word", flat=True)) == {"t", "5551111"}

    assert api.delete(f"/phonebooks/sales/entries/{pk}").status_code == 204
    assert api.get(f"/phonebooks/sales/entries/{pk}").status_code == 404
    assert sales.entries.count() == 3


def test_entries_of_the_admin_page_and_the_api_are_the_same(api, admin_client, sales):
    """The API's entries are the file entries the phonebook page lists and GET /phonebook/{name} serves."""
    assert api.post("/phonebooks/sales/entries", {"firstName": "Ken", "number": "5551000"}).status_code == 201
    numbers = sorted(e["number"] for e in api.get("/phonebooks/sales/entries").json()["results"])
    assert sorted(listed(admin_client, f"/phonebooks/{sales.pk}/", "number")) == numbers
    csv = admin_client.get(f"{REST}/phonebook/sales", **basic("superadmin", "admin1234"))
    assert b"Ken" in b"".join(csv.streaming_content)


def test_unknown_phonebook_and_entry_are_404(api, sales):
    assert api.get("/phonebooks/nobody").status_code == 404
    assert api.get("/phonebooks/nobody/entries").status_code == 404
    assert api.post("/phonebooks/nobody/entries", {"number": "1"}).status_code == 404
    for pk in ("999999", "abc", "0", "-1", "1" * 30, "²"):
        response = api.get(f"/phonebooks/sales/entries/{pk}")
        assert response.status_code == 404 and "no entry" in response.json()["error"], pk
    other = services.save_phonebook(Phonebook(name="other"), [], [])
    services.add_entries([{"number": "42"}], phonebook=other)
    foreign = other.entries.get().pk  # an entry of another phonebook is not this one's
    assert api.get(f"/phonebooks/sales/entries/{foreign}").status_code == 404
    assert api.delete(f"/phonebooks/sales/entries/{foreign}").status_code == 404
    assert other.entries.count() == 1


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ({"firstName": "No number"}, "number", "is required"),
        ({"number": "  "}, "number", "it has no phone number"),
        ({"number": 5551000}, "number", "expected a string"),
        ({"number": "1", "contactInformation": {"emailAddress": 7}}, "contactInformation.emailAddress", "string"),
        (
            {"number": "1", "contactInformation": {"homeAddress": {"town": "x"}}},
            "contactInformation.homeAddress.town",
            "unknown key",
        ),
        ({"number": "1", "contactInformation": {"avatar": "x"}}, "contactInformation.avatar", "unknown key"),
        ({"number": "1", "lastName": "x" * 256}, "lastName", "longer than 255"),
        ({"number": "1", "id": 5}, "id", "given by the server"),
        ({"number": "1", "first-name": "x"}, "first-name", 'did you mean "firstName"'),
        ([], "body", "the list is empty"),
        ('"text"', "body", "expected an object"),
    ],
)
def test_bad_entry_is_refused_by_field(api, sales, body, path, words):
    raw = {"content_type": "application/json"} if isinstance(body, str) else {}  # a JSON string as it is
    assert words in refused(api.post("/phonebooks/sales/entries", body, **raw), path)
    assert sales.entries.count() == 3 and not audit("phonebook entry")


def test_bad_change_changes_nothing(api, sales):
    pk = entry_id(sales, "Turing")
    before = api.get(f"/phonebooks/sales/entries/{pk}").json()
    assert "it has no phone number" in refused(api.patch(f"/phonebooks/sales/entries/{pk}", {"number": ""}), "number")
    assert "cannot change" in refused(api.put(f"/phonebooks/sales/entries/{pk}", {"id": pk + 1, "number": "1"}), "id")
    assert "is required" in refused(api.put(f"/phonebooks/sales/entries/{pk}", {"firstName": "x"}), "number")
    assert "expected an object" in refused(api.patch(f"/phonebooks/sales/entries/{pk}", [1]), "body")
    assert api.get(f"/phonebooks/sales/entries/{pk}").json() == before
    assert not audit("phonebook entry")


# ---- many entries at once: all or nothing -------------------------------------------------------------------


def test_bulk_entries(api, sales):
    batch = [{"firstName": "A", "number": "2001"}, {"firstName": "B", "number": "2002"}, {"number": "2003"}]
    response = api.post("/phonebooks/sales/entries", batch)
    assert response.status_code == 201, response.content
    created = response.json()
    assert [e["number"] for e in created] == ["2001", "2002", "2003"]
    assert all(api.get(f"/phonebooks/sales/entries/{e['id']}").json() == e for e in created)
    assert sales.entries.count() == 6
    assert len(audit("phonebook entry", action="create")) == 3


@pytest.mark.parametrize(
    ("second", "path"),
    [({"number": ""}, "[1].number"), ({"number": "1", "colour": "red"}, "[1].colour"), ("x", "[1]")],
)
def test_one_bad_entry_stores_none(api, sales, second, path):
    refused(api.post("/phonebooks/sales/entries", [{"number": "2001"}, second, {"number": "2003"}]), path)
    assert sales.entries.count() == 3 and not audit("phonebook entry")


def test_too_many_entries_at_once(api, sales):
    message = refused(api.post("/phonebooks/sales/entries", [{"number": str(i)} for i in range(1001)]), "body")
    assert "at most 1000" in message and "import a file" in message
    assert sales.entries.count() == 3


# ---- who may ------------------------------------------------------------------------------------------------


def test_anonymous_and_users_are_refused(api, alice, sales):
    pk = entry_id(sales, "Turing")
    anonymous, as_alice = api.anonymous(), api.as_pin("alice", "1234")
    for who, code in ((anonymous, 401), (as_alice, 403)):
        assert who.get("/phonebooks").status_code == code
        assert who.post("/phonebooks", {"name": "x"}).status_code == code
        assert who.get("/phonebooks/sales/entries").status_code == code
        assert who.post("/phonebooks/sales/entries", {"number": "1"}).status_code == code
        assert who.delete(f"/phonebooks/sales/entries/{pk}").status_code == code
        assert upload(who, "sales", (FILES / "sipxconfig.csv").read_bytes()).status_code == code
    assert api.as_pin("superadmin", "admin1234").get("/phonebooks/sales/entries").status_code == 200
    assert Phonebook.objects.count() == 1 and sales.entries.count() == 3


def test_read_only_token_reads_only(api, sales, read_token):
    pk = entry_id(sales, "Turing")
    reader = api.as_token(read_token)
    assert reader.get("/phonebooks/sales").status_code == 200
    assert reader.get(f"/phonebooks/sales/entries/{pk}").status_code == 200
    assert reader.patch("/phonebooks/sales", {"description": "x"}).status_code == 403
    assert reader.delete("/phonebooks/sales").status_code == 403
    assert reader.post("/phonebooks/sales/entries", {"number": "1"}).status_code == 403
    assert reader.put(f"/phonebooks/sales/entries/{pk}", {"number": "1"}).status_code == 403
    assert reader.delete(f"/phonebooks/sales/entries/{pk}").status_code == 403
    response = upload(reader, "sales", (FILES / "sipxconfig.csv").read_bytes())
    assert response.status_code == 403 and "read-only" in response.json()["error"]
    assert sales.entries.count() == 3 and Phonebook.objects.get().description == "Sales team"


# ---- filters, search, pages, order --------------------------------------------------------------------------


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["results"]]


def last_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["lastName"] for e in response.json()["results"]]


def test_phonebook_search_and_filter_are_the_list_pages(api, admin_client, sales, groups):
    services.save_phonebook(Phonebook(name="helpdesk", description="Support line"), [], [groups["support"]])
    services.save_phonebook(Phonebook(name="board"), [groups["staff"]], [groups["staff"]])
    for query, found in [("team", ["sales"]), ("SUPPORT", ["helpdesk"]), ("b", ["board"]), ("zzz", [])]:
        assert names(api.get(f"/phonebooks?q={query}")) == found
        assert listed(admin_client, f"/phonebooks/?q={query}") == found
    assert names(api.get("/phonebooks?group=staff")) == ["board"]
    assert names(api.get("/phonebooks?group=sales")) == ["sales"]
    assert names(api.get("/phonebooks?group=support&q=line")) == ["helpdesk"]
    assert names(api.get("/phonebooks?ordering=-name&limit=2")) == ["sales", "helpdesk"]
    assert "at most 255 characters" in refused(api.get("/phonebooks?group=" + "g" * 300), "group")


def test_entry_search_and_filter_are_the_phonebook_page(api, admin_client, sales):
    page = f"/phonebooks/{sales.pk}/"
    for query, found in [("ada", ["Lovelace"]), ("alan@", ["Turing"]), ("100", ["Hopper", "Lovelace", "Turing"])]:
        assert last_names(api.get(f"/phonebooks/sales/entries?q={query}")) == found
        assert listed(admin_client, f"{page}?q={query}", "last_name") == found
    assert last_names(api.get("/phonebooks/sales/entries?company=navy")) == ["Hopper"]
    assert listed(admin_client, f"{page}?company=navy", "last_name") == ["Hopper"]
    assert last_names(api.get("/phonebooks/sales/entries?company=a&q=lovelace")) == ["Lovelace"]


def test_entry_pages_and_order(api, sales):
    page = api.get("/phonebooks/sales/entries?limit=2&offset=1").json()
    assert page["count"] == 3 and [e["lastName"] for e in page["results"]] == ["Lovelace", "Turing"]
    assert page["next"] is None and "limit=2" in page["previous"]
    assert last_names(api.get("/phonebooks/sales/entries?ordering=-number")) == ["Hopper", "Turing", "Lovelace"]
    assert last_names(api.get("/phonebooks/sales/entries?ordering=firstName")) == ["Lovelace", "Turing", "Hopper"]
    assert 'cannot order by "colour"' in refused(api.get("/phonebooks/sales/entries?ordering=colour"), "ordering")


# ---- ETags -------------------------------------------------------------------------------------------------


def test_stale_if_match_is_412_and_writes_nothing(api, sales):
    pk = entry_id(sales, "Turing")
    url = f"/phonebooks/sales/entries/{pk}"
    tag = api.get(url)["ETag"]
    assert api.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert api.patch(url, {"firstName": "Alan M."}, headers={"If-Match": tag}).status_code == 200
    stale = api.patch(url, {"number": "9"}, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["type"] == "precondition_failed"
    assert api.put(url, {"number": "9"}, headers={"If-Match": tag}).status_code == 412
    assert api.delete(url, headers={"If-Match": tag}).status_code == 412
    entry = PhonebookEntry.objects.get(pk=pk)
    assert (entry.first_name, entry.number) == ("Alan M.", "1002")
    assert [e.action for e in audit("phonebook entry")] == ["update"]

    book_tag = api.get("/phonebooks/sales")["ETag"]
    assert api.patch("/phonebooks/sales", {"description": "x"}, headers={"If-Match": '"stale"'}).status_code == 412
    assert api.delete("/phonebooks/sales", headers={"If-Match": book_tag}).status_code == 204


# ---- file imports ----------------------------------------------------------------------------------------------


def test_csv_import(api, sales):
    response = upload(api, "sales", (FILES / "sipxconfig.csv").read_bytes())
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 2, "layout": "sipXconfig CSV"}
    assert sales.entries.count() == 5
    torvalds = api.get(f"/phonebooks/sales/entries/{entry_id(sales, 'Torvalds')}").json()
    assert torvalds["contactInformation"]["officeAddress"] == {
        "street": "1 Kernel Way",
        "city": "Portland",
        "country": "US",
        "state": "OR",
        "zip": "97201",
        "officeDesignation": "B2",
    }
    replaced = upload(api, "sales", (FILES / "outlook.csv").read_bytes(), replace="true")
    assert replaced.json() == {"imported": 2, "layout": "Outlook CSV"}
    assert sorted(sales.entries.values_list("last_name", flat=True)) == ["Hamilton", "Liskov"]


def test_vcard_import(api, sales):
    response = upload(api, "sales", (FILES / "contacts-3.0.vcf").read_bytes(), "contacts.vcf", replace="false")
    assert response.status_code == 200 and response.json() == {"imported": 2, "layout": "vCard"}
    knuth = api.get(f"/phonebooks/sales/entries/{entry_id(sales, 'Knuth')}").json()
    assert (knuth["number"], knuth["contactInformation"]["cellPhoneNumber"]) == ("+1 650 555 0100", "+1 650 555 0101")
    assert sales.entries.count() == 5


@pytest.mark.parametrize(
    ("file", "lines"),
    [
        ("bad-row.csv", [(3, "it has no phone number"), (5, "4 fields, but the header has 3")]),
        ("bad-card.vcf", [(6, "it has no phone number")]),
    ],
)
def test_a_bad_file_names_its_lines_and_imports_nothing(api, sales, file, lines):
    logged = AuditEntry.objects.count()
    for replace in ("false", "true"):
        response = upload(api, "sales", (FILES / file).read_bytes(), file, replace=replace)
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["type"] == "invalid" and body["error"].startswith(f"Nothing imported: {len(lines)} bad row")
        assert f"line {lines[0][0]}: {lines[0][1]}" in body["error"]
        assert body["fields"] == {"file": [f"line {line}: {reason}" for line, reason in lines]}
        assert body["lines"] == [{"line": line, "error": reason} for line, reason in lines]
        assert sorted(sales.entries.values_list("last_name", flat=True)) == ["Hopper", "Lovelace", "Turing"]
    assert AuditEntry.objects.count() == logged


@pytest.mark.parametrize(
    ("content", "fields", "path", "words"),
    [
        ((FILES / "unknown-layout.csv").read_bytes(), {}, "file", "Line 1: the header row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", {}, "file", "not UTF-8"),
        (b"", {}, "file", "empty"),
        (b"Number\n1\n", {"replace": "yes"}, "replace", '"yes" is not true or false'),
    ],
)
def test_an_unreadable_file_is_refused(api, sales, content, fields, path, words):
    assert words in refused(upload(api, "sales", content, **fields), path)
    assert sales.entries.count() == 3


def test_import_needs_a_multipart_file(api, sales):
    assert "multipart/form-data" in refused(api.post("/phonebooks/sales/import", {"file": "x"}), "file")
    assert api.post("/phonebooks/sales/import", b"Number\n1\n").status_code == 415
    assert upload(api, "nobody", b"Number\n1\n").status_code == 404
    assert sales.entries.count() == 3


# ---- the audit log --------------------------------------------------------------------------------------------


def test_api_changes_are_audited(api, groups):
    api.post("/phonebooks", {"name": "ops", "members": ["staff"]})
    api.patch("/phonebooks/ops", {"description": "Operations"})
    pk = api.post("/phonebooks/ops/entries", {"firstName": "Ada", "number": "1001"}).json()["id"]
    api.patch(f"/phonebooks/ops/entries/{pk}", {"contactInformation": {"emailAddress": "ada@example.org"}})
    api.delete(f"/phonebooks/ops/entries/{pk}")
    upload(api, "ops", (FILES / "sipxconfig.csv").read_bytes())
    upload(api, "ops", (FILES / "contacts-4.0.vcf").read_bytes(), "c.vcf", replace="true")
    api.delete("/phonebooks/ops")

    books = audit("phonebook")
    assert [(e.action, e.key, e.changes) for e in books] == [
        (
            "create",
            "ops",
            {"name": [None, "ops"], "description": [None, ""], "members": [None, ["staff"]], "consumers": [None, []]}
            | {"entries": [None, 0]},
        ),
        ("update", "ops", {"description": ["", "Operations"]}),
        ("update", "ops", {"entries": [0, 2]}),  # an import: the count, not 2 entries of their own
        ("update", "ops", {"entries": [2, 1]}),
        ("delete", "ops", {}),
    ]
    entries = audit("phonebook entry")
    assert [(e.action, e.key) for e in entries] == [("create", f"ops/{pk}")] + [("update", f"ops/{pk}")] + [
        ("delete", f"ops/{pk}")
    ]
    assert entries[0].changes["first_name"] == [None, "Ada"] and entries[0].changes["number"] == [None, "1001"]
    assert entries[1].changes == {"email_address": [None, "ada@example.org"]}
    assert {(e.actor, e.channel) for e in books + entries} == {("superadmin", "api")}


def test_page_changes_are_audited(admin_client, groups):
    data = {"name": "ops", "description": "", "members": [groups["staff"].pk], "consumers": []}
    assert admin_client.post("/phonebooks/add/", data).status_code == 302
    book = Phonebook.objects.get()
    data = {"name": "ops2", "description": "Ops", "members": [], "consumers": [groups["sales"].pk]}
    assert admin_client.post(f"/phonebooks/{book.pk}/edit/", data).status_code == 302
    upload_page = {"file": SimpleUploadedFile("c.csv", (FILES / "sipxconfig.csv").read_bytes())}
    preview = admin_client.post(f"/phonebooks/{book.pk}/import/", upload_page)  # writes nothing
    assert (
        admin_client.post(f"/phonebooks/{book.pk}/import/confirm/", preview.context["confirm"].initial).status_code
        == 302
    )
    assert admin_client.post(f"/phonebooks/{book.pk}/delete/").status_code == 302
    assert admin_client.post("/phonebooks/settings/", {"everyone": "on", "google_domain": "example.org"}).status_code
    changes = [(e.action, e.key, e.channel) for e in audit("phonebook")]
    assert changes == [
        ("create", "ops", "page"),
        ("update", "ops2", "page"),
        ("update", "ops2", "page"),
        ("delete", "ops2", "page"),
    ]
    assert audit("phonebook")[1].changes == {
        "name": ["ops", "ops2"],
        "description": ["", "Ops"],
        "members": [["staff"], []],
        "consumers": [[], ["sales"]],
    }
    assert audit("phonebook")[2].changes == {"entries": [0, 2]}
    assert audit("phonebook settings")[-1].changes["everyone"] == [False, True]
    assert not Phonebook.objects.exists()


def test_private_phonebook_changes_are_audited(client, alice):
    """The portal's pages and the sipXconfig URIs write a user's private phonebook through the services too."""
    client.force_login(alice)
    entry = {"first_name": "Bob", "last_name": "B", "number": "201"}
    assert client.post("/portal/phonebook/add/", entry).status_code == 302
    pk = PhonebookEntry.objects.get().pk
    assert client.post(f"/portal/phonebook/{pk}/delete/").status_code == 302
    assert client.post("/portal/phonebook/show-on-phone/", {}).status_code == 302
    alice_rest = basic("alice", "1234")
    body = "<phonebook><entry><first-name>C</first-name><number>300</number></entry><entry><number>301</number></entry>"
    assert client.post(f"{REST}/my/phonebook", body + "</phonebook>", "text/xml", **alice_rest).status_code == 200
    rest_pk = PhonebookEntry.objects.get(number="300").pk
    assert client.delete(f"{REST}/my/phonebook/entry/{rest_pk}", **alice_rest).status_code == 200
    assert client.delete(f"{REST}/my/phonebook", **alice_rest).status_code == 200

    assert [(e.action, e.key, e.channel) for e in audit("private phonebook entry")] == [
        ("create", f"200/{pk}", "page"),
        ("delete", f"200/{pk}", "page"),
        ("delete", f"200/{rest_pk}", "rest"),
    ]
    assert [(e.action, e.changes, e.channel) for e in audit("private phonebook")] == [
        ("update", {"show_on_phone": [True, False]}, "page"),
        ("update", {"entries": [0, 2]}, "rest"),
        ("delete", {}, "rest"),
    ]
    assert {e.actor for e in AuditEntry.objects.filter(kind__startswith="private phonebook")} == {"200"}
    assert not PrivatePhonebook.objects.exists()


def test_data_file_and_command_changes_are_audited(tmp_path, groups):
    """import_pbx writes phonebooks and private phonebooks in bulk: one audit entry per phonebook, with counts."""
    book = {"name": "ops", "members": ["sales"], "entries": [{"number": "1"}, {"number": "2"}]}
    private = {"showOnPhone": False, "entries": [{"number": "7"}]}
    document = doc(users=[{"userName": "300", "privatePhonebook": private}, {"userName": "301"}], phonebooks=[book])
    run_import(tmp_path, document)
    run_import(tmp_path, doc(phonebooks=[{**book, "entries": [{"number": "3"}]}]))
    run_import(tmp_path, doc(users=[{"userName": "300"}]))  # a user of the file without the key has none
    call_command("import_phonebook", "ops", str(FILES / "sipxconfig.csv"), "--as", "carol", stdout=io.StringIO())

    assert [(e.action, e.key, e.channel, e.changes) for e in audit("phonebook")] == [
        (
            "create",
            "ops",
            "import",
            {"name": [None, "ops"], "description": [None, ""], "members": [None, ["sales"]], "consumers": [None, []]}
            | {"entries": [None, 2]},
        ),
        ("update", "ops", "import", {"entries": [2, 1]}),
        ("update", "ops", "import", {"entries": [1, 3]}),
    ]
    assert [(e.action, e.key, e.changes) for e in audit("private phonebook")] == [
        ("create", "300", {"show_on_phone": [None, False], "entries": [None, 1]}),
        ("delete", "300", {}),
    ]
    assert audit("phonebook")[-1].actor == "carol"
    assert not audit("phonebook entry") and not audit("private phonebook entry")


# ---- the number of queries --------------------------------------------------------------------------------------


def test_phonebook_list_costs_the_same_queries_for_10_and_2000(api, groups, settings):
    settings.API_THROTTLE_RATE = "0/min"  # no throttle counter: its window may roll over between the two counts

    def listing(count: int) -> int:
        Phonebook.objects.all().delete()
        books = Phonebook.objects.bulk_create(Phonebook(name=f"book{i:05d}") for i in range(count))
        Phonebook.members.through.objects.bulk_create(
            Phonebook.members.through(phonebook=b, usergroup=groups["sales"]) for b in books
        )
        Phonebook.consumers.through.objects.bulk_create(
            Phonebook.consumers.through(phonebook=b, usergroup=g)
            for b in books
            for g in (groups["support"], groups["staff"])
        )
        api.get("/phonebooks")  # the token's last use is written at most once a minute: not in the count
        spent = count_queries(api.get, "/phonebooks?limit=1000")
        last = api.get("/phonebooks?limit=1000").json()["results"][-1]
        assert last["members"] == ["sales"] and last["consumers"] == ["staff", "support"]
        return spent

    assert listing(10) == listing(2000)


def test_entry_list_costs_the_same_queries_for_10_and_2000(api, sales, settings):
    settings.API_THROTTLE_RATE = "0/min"

    def listing(count: int) -> int:
        services.replace_file_entries(
            sales,
            (
                {"first_name": f"F{i}", "last_name": f"L{i:05d}", "number": f"{i}", "home_address": {"city": "X"}}
                for i in range(count)
            ),
        )
        api.get("/phonebooks/sales/entries")
        spent = count_queries(api.get, "/phonebooks/sales/entries?limit=1000&q=f&company=")
        results = api.get("/phonebooks/sales/entries?limit=1000&offset=0").json()["results"]
        assert len(results) == min(count, 1000) and results[0]["contactInformation"]["homeAddress"] == {"city": "X"}
        return spent

    assert listing(10) == listing(2000)
