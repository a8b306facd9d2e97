"""Keys that hold "/" in the admin JSON API, as an integration sends them (one path segment, "/" as %2F; Django sees
the decoded path): a phonebook "Sales/EU" with its entries and import, a user "ops/alice" and her mailbox, a group
and an attendant; a name that ends like a sub-resource ("Sales/entries") stays addressable; links the server writes
keep the key in one segment; the audit key of an entry of such a phonebook still splits into phonebook and id."""

import json
import re
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEntry
from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry
from apps.users.models import User, UserGroup
from tests.adminapi.conftest import V1

EU = quote("Sales/EU", safe="")  # Sales%2FEU
CSV = b"First name,Last name,Number\r\nAda,Lovelace,1001\r\nAlan,Turing,1002\r\n"


def book(name: str, *entries: tuple[str, str]) -> Phonebook:
    stored = services.save_phonebook(Phonebook(name=name), [], [])
    services.add_entries([{"first_name": f, "number": n} for f, n in entries], phonebook=stored)
    return stored


def upload(api, path: str, content: bytes):
    return api.client.post(f"{V1}{path}", {"file": SimpleUploadedFile("contacts.csv", content)}, **api.headers)


def test_a_phonebook_named_with_a_slash_is_read_changed_and_deleted(api, db):
    created = api.post("/phonebooks", {"name": "Sales/EU", "description": "Europe"})
    assert created.status_code == 201, created.content
    assert created["Location"] == f"/api/v1/phonebooks/{EU}"

    read = api.get(f"/phonebooks/{EU}")
    assert read.status_code == 200, read.content
    assert read.json()["name"] == "Sales/EU" and read["ETag"] == created["ETag"]
    assert api.get(f"/phonebooks/{EU}", headers={"If-None-Match": read["ETag"]}).status_code == 304

    changed = api.patch(f"/phonebooks/{EU}", {"description": "EMEA"}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200, changed.content
    assert Phonebook.objects.get(name="Sales/EU").description == "EMEA"
    stale = api.put(f"/phonebooks/{EU}", {"description": "x"}, headers={"If-Match": read["ETag"]})
    assert stale.status_code == 412
    assert api.put(f"/phonebooks/{EU}", {"description": "Europe"}).json()["description"] == "Europe"

    assert api.delete(f"/phonebooks/{EU}").status_code == 204
    assert not Phonebook.objects.filter(name="Sales/EU").exists()
    missing = api.get(f"/phonebooks/{EU}")
    assert missing.status_code == 404 and missing.json()["error"] == 'There is no phonebook "Sales/EU".'


def test_the_entries_and_the_import_of_a_phonebook_named_with_a_slash(api, db):
    eu = book("Sales/EU", ("Grace", "1003"))
    book("Sales", ("Other", "2000"))  # the phonebook "Sales" is not "Sales/EU"

    new = api.post(f"/phonebooks/{EU}/entries", {"firstName": "Linus", "number": "1004"})
    assert new.status_code == 201, new.content
    pk = new.json()["id"]
    assert PhonebookEntry.objects.get(pk=pk).phonebook == eu
    assert new["Location"] == f"/api/v1/phonebooks/{EU}/entries/{pk}"

    page = api.get(f"/phonebooks/{EU}/entries?limit=1&ordering=number")
    assert page.status_code == 200, page.content
    body = page.json()
    assert body["count"] == 2 and [e["firstName"] for e in body["results"]] == ["Grace"]
    # the page link names the same phonebook, its "/" kept inside the segment
    assert f"/api/v1/phonebooks/{EU}/entries?" in body["next"]
    assert [e["firstName"] for e in api.get(body["next"]).json()["results"]] == ["Linus"]

    read = api.get(f"/phonebooks/{EU}/entries/{pk}")
    assert read.status_code == 200 and read.json()["number"] == "1004"
    changed = api.patch(f"/phonebooks/{EU}/entries/{pk}", {"number": "1005"}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200, changed.content
    assert api.delete(f"/phonebooks/{EU}/entries/{pk}").status_code == 204
    assert not PhonebookEntry.objects.filter(pk=pk).exists()

    imported = upload(api, f"/phonebooks/{EU}/import", CSV)
    assert imported.status_code == 200, imported.content
    assert sorted(eu.entries.values_list("first_name", flat=True)) == ["Ada", "Alan", "Grace"]
    assert list(Phonebook.objects.get(name="Sales").entries.values_list("first_name", flat=True)) == ["Other"]


def test_a_name_that_ends_like_a_sub_resource_is_still_its_phonebook(api, db):
    """The whole path is the key when that phonebook exists; otherwise the sub-resource of the shorter key."""
    sales = book("Sales", ("Ada", "1001"))
    # only "Sales" exists: /phonebooks/Sales/entries is its entries, however the "/" is written
    assert api.get(f"/phonebooks/{quote('Sales/entries', safe='')}").json()["count"] == 1

    named = api.post("/phonebooks", {"name": "Sales/entries", "description": "odd"})
    assert named.status_code == 201, named.content
    odd = f"/phonebooks/{quote('Sales/entries', safe='')}"
    assert named["Location"] == f"/api/v1{odd}"
    read = api.get(odd)
    assert read.status_code == 200 and read.json()["name"] == "Sales/entries", read.content
    assert api.patch(odd, {"description": "odder"}).json()["description"] == "odder"
    # its own entries, and its import
    assert api.post(f"{odd}/entries", {"firstName": "Eve", "number": "3001"}).status_code == 201
    assert api.get(f"{odd}/entries").json()["count"] == 1
    assert upload(api, f"{odd}/import", CSV).status_code == 200
    assert Phonebook.objects.get(name="Sales/entries").entries.count() == 3
    # a POST is never the phonebook itself: it still adds to "Sales"
    assert api.post("/phonebooks/Sales/entries", {"firstName": "Bob", "number": "1002"}).status_code == 201
    assert sales.entries.count() == 2
    assert api.delete(odd).status_code == 204
    # gone: the path is "Sales"'s entries again
    assert api.get("/phonebooks/Sales/entries").json()["count"] == 2

    # a phonebook "Sales/import": read at its path, while a POST there imports into "Sales"
    assert api.post("/phonebooks", {"name": "Sales/import"}).status_code == 201
    assert api.get(f"/phonebooks/{quote('Sales/import', safe='')}").json()["name"] == "Sales/import"
    assert upload(api, "/phonebooks/Sales/import", CSV).status_code == 200
    assert sales.entries.count() == 4
    assert not Phonebook.objects.get(name="Sales/import").entries.exists()


def test_unknown_keys_with_a_slash_are_404_naming_what_was_meant(api, db):
    response = api.get(f"/phonebooks/{quote('Nope/EU', safe='')}")
    assert response.status_code == 404 and response.json()["error"] == 'There is no phonebook "Nope/EU".'
    response = api.get("/phonebooks/Nope/entries")
    assert response.status_code == 404 and response.json()["error"] == 'There is no phonebook "Nope".'
    response = api.put(f"/phonebooks/{quote('Nope/entries', safe='')}", {"description": "x"})
    assert response.status_code == 404 and response.json()["error"] == 'There is no phonebook "Nope/entries".'
    assert api.post(f"/phonebooks/{EU}", {"description": "x"}).status_code == 405
    assert not Phonebook.objects.exists()


def test_a_user_group_and_attendant_named_with_a_slash(api, db):
    ops = quote("ops/alice", safe="")
    created = api.post("/users", {"userName": "ops/alice", "firstName": "Alice", "pin": "8642"})
    assert created.status_code == 201, created.content
    assert created["Location"] == f"/api/v1/users/{ops}"
    assert api.get(f"/users/{ops}").json()["firstName"] == "Alice"
    assert api.patch(f"/users/{ops}", {"lastName": "Ops"}).status_code == 200
    # her mailbox and its messages, keyed by the same name
    mailbox = api.get(f"/mailboxes/{ops}")
    assert mailbox.status_code == 200 and mailbox.json()["userName"] == "ops/alice", mailbox.content
    messages = api.get(f"/mailboxes/{ops}/messages")
    assert messages.status_code == 200 and messages.json()["count"] == 0, messages.content
    assert api.delete(f"/users/{ops}").status_code == 204
    assert not User.objects.filter(username="ops/alice").exists()

    night = quote("ops/night", safe="")
    assert api.post("/groups", {"name": "ops/night"}).status_code == 201
    assert api.put(f"/groups/{night}", {"description": "Night shift"}).json()["description"] == "Night shift"
    assert api.delete(f"/groups/{night}").status_code == 204
    assert not UserGroup.objects.filter(name="ops/night").exists()

    assert api.post("/attendants", {"name": "Sales/EU"}).status_code == 201
    assert api.get(f"/attendants/{EU}").json()["name"] == "Sales/EU"
    prompt = api.get(f"/attendants/{EU}/prompt")
    assert prompt.status_code == 404 and "Sales/EU" in prompt.json()["error"], prompt.content
    assert api.delete(f"/attendants/{EU}").status_code == 204


def test_a_read_token_reads_a_slashed_key_but_cannot_write_it(api, read_token, db):
    book("Sales/EU", ("Ada", "1001"))
    reader = api.as_token(read_token)
    assert reader.get(f"/phonebooks/{EU}").status_code == 200
    assert reader.get(f"/phonebooks/{EU}/entries").status_code == 200
    assert reader.delete(f"/phonebooks/{EU}").status_code == 403
    assert reader.post(f"/phonebooks/{EU}/entries", {"firstName": "X", "number": "1"}).status_code == 403
    assert api.anonymous().get(f"/phonebooks/{EU}").status_code == 401
    assert Phonebook.objects.get(name="Sales/EU").entries.count() == 1


def test_the_audit_key_of_an_entry_splits_at_its_last_slash(api, db):
    """The key "<phonebook>/<entry id>": the id is all digits, so the phonebook is what comes before the last "/",
    whatever "/" the phonebook's name holds; and the kind tells an entry from a phonebook whose name ends in
    "/<digits>"."""
    book("Sales/EU")
    pk = api.post(f"/phonebooks/{EU}/entries", {"firstName": "Ada", "number": "1001"}).json()["id"]
    assert api.post("/phonebooks", {"name": f"Sales/EU/{pk}"}).status_code == 201
    entry = AuditEntry.objects.get(kind=services.ENTRY)
    phonebook, _, entry_id = entry.key.rpartition("/")
    assert (phonebook, entry_id) == ("Sales/EU", str(pk))
    listed = api.get(f"/audit?key={quote(entry.key)}").json()["results"]
    assert {(e["kind"], e["key"]) for e in listed} == {
        (services.ENTRY, f"Sales/EU/{pk}"),
        (services.PHONEBOOK, f"Sales/EU/{pk}"),
    }
    # and that phonebook is read at its whole name, not as the entry
    assert api.get(f"/phonebooks/{quote(f'Sales/EU/{pk}', safe='')}").json()["name"] == f"Sales/EU/{pk}"


def test_the_description_offers_keys_with_a_slash(api, client, admin_token):
    description = json.loads(
        client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Bearer {admin_token}").content
    )

    def path_parameter(path, name):
        operation = description["paths"][path]["get"]
        return next(p for p in operation["parameters"] if p["in"] == "path" and p["name"] == name)

    for path, name in [
        ("/api/v1/phonebooks/{key}", "key"),
        ("/api/v1/users/{key}", "key"),
        ("/api/v1/mailboxes/{userName}", "userName"),
        ("/api/v1/mailboxes/{userName}/messages", "userName"),
        ("/api/v1/phonebooks/{name}/entries", "name"),
        ("/api/v1/attendants/{name}/prompt", "name"),
    ]:
        parameter = path_parameter(path, name)
        assert re.search(parameter["schema"]["pattern"], "Sales/EU"), (path, parameter)
        assert not re.search(parameter["schema"]["pattern"], ".."), (path, parameter)
        assert "%2F" in parameter["description"], (path, parameter)
    new_user = description["components"]["schemas"]["V1UserNew"]["properties"]["userName"]
    assert re.search(new_user["pattern"], "ops/alice")
