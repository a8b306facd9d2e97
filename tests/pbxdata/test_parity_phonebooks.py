"""Parity: every phonebook rule the data file can express gives the same answer whichever way the input arrives —
REST (with real Basic credentials: the administrator, or the user for their own phonebook), the HTML pages (the
admin's phonebook editor and file import, the user's portal phonebook) and import_pbx. Each row of a table runs
once per channel on its own database; an accepted input stores the same thing (read back through export_pbx and
through REST), a refused one stores nothing.

The REST API has no URI that writes a shared phonebook (sipXconfig's are read-only), so shared phonebooks go
through the pages and the file and are read back through GET /phonebook/{name}. A user's private phonebook has
two sets of rules: the whole-list ones (POST /my/phonebook appends "without checks", B.3.5), which the file's
`privatePhonebook` follows, and the stricter single-entry ones (POST /my/phonebook/entry/{id} and the portal
page: names required, the e-mail form, no duplicate), which the file cannot express; a row runs through those
channels only where the single-entry rules give the same answer."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.phonebooks.models import Phonebook, PhonebookEntry, PrivatePhonebook
from apps.users.models import User, UserGroup
from tests.conftest import REST, basic
from tests.pbxdata.helpers import doc, export
from tests.pbxdata.test_parity import ADMIN, admin_client_in, file_accepts, pbx  # noqa: F401 (fixtures)

ALICE = basic("alice", "1234")  # user 200 of the `pbx` fixture
LONG = "x" * 256


@pytest.fixture
def groups(pbx):  # noqa: F811
    """The groups "sales" and "support"."""
    return {name: UserGroup.objects.create(name=name) for name in ("sales", "support")}


def rest_phonebook(name: str) -> list[tuple[str, str, str]]:
    """The (first, last, number) rows GET /phonebook/{name} lists (CSV, the administrator's Basic credentials)."""
    response = Client().get(f"{REST}/phonebook/{name}", **ADMIN)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["First name", "Last name", "Number"]
    return sorted(tuple(row) for row in rows[1:])


def keys(entries: list[dict]) -> list[tuple[str, str, str]]:
    """The distinct (first, last, number) of file entries: what a phonebook listing shows of them."""
    return sorted({(e.get("firstName", ""), e.get("lastName", ""), e["number"]) for e in entries})


def table(rows) -> list:
    """pytest parameters of a table whose rows start with their id."""
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


# A shared phonebook is written by the admin pages and the file (REST has no URI that writes one).
SHARED_CHANNELS = pytest.mark.parametrize("channel", ["page", "file"])


def answered(given: bool, accepted: bool, model) -> bool:
    """Asserts the channel's answer is the expected one and, for a refusal, that no `model` row was stored;
    returns whether there is a stored result to compare."""
    assert given is accepted
    if not accepted:
        assert not model.objects.exists()
    return accepted


def exported_phonebooks() -> list[dict]:
    return export().get("phonebooks", [])


def canonical(entries: list[dict]) -> list[str]:
    """Entries as export_pbx writes them, in a stable order."""
    return sorted(json.dumps(e, sort_keys=True) for e in entries)


# ---- shared phonebooks: name, description, groups ----------------------------------------------------------

# (id, the phonebook as the data file writes it, accepted?)
PHONEBOOKS = [
    ("name only", {"name": "Team"}, True),
    ("with a description", {"name": "Team", "description": "The whole team"}, True),
    ("empty name", {"name": ""}, False),
    ("blank name", {"name": "   "}, False),
    ("name of 255 characters", {"name": "n" * 255}, True),
    ("name too long", {"name": "n" * 256}, False),
    ("name with a NUL", {"name": "Te\x00am"}, False),
    ("description too long", {"name": "Team", "description": "d" * 256}, False),
    ("members and consumers", {"name": "Team", "members": ["sales"], "consumers": ["sales", "support"]}, True),
    ("unknown member group", {"name": "Team", "members": ["sales", "nobody"]}, False),
    ("unknown consumer group", {"name": "Team", "consumers": ["nobody"]}, False),
]


def group_ids(names: list[str]) -> list[int]:
    """The pks the editor's checkboxes post; a group that does not exist posts a pk no group has."""
    found = dict(UserGroup.objects.values_list("name", "pk"))
    return [found.get(name, 99999) for name in names]


def send_phonebook(channel: str, book: dict, client, tmp_path) -> bool:
    if channel == "page":
        form = {
            "name": book["name"],
            "description": book.get("description", ""),
            "members": group_ids(book.get("members", [])),
            "consumers": group_ids(book.get("consumers", [])),
        }
        response = client.post(reverse("phonebooks:phonebook_add"), form)
        assert response.status_code in (200, 302)
        return response.status_code == 302
    return file_accepts(tmp_path, doc(phonebooks=[book]))


@SHARED_CHANNELS
@pytest.mark.parametrize(("book", "accepted"), table(PHONEBOOKS))
def test_phonebook_rule(groups, admin_client_in, tmp_path, channel, book, accepted):  # noqa: F811
    if answered(send_phonebook(channel, book, admin_client_in, tmp_path), accepted, Phonebook):
        expected = {"name": book["name"], **{k: v for k, v in book.items() if k != "name" and v}}
        assert exported_phonebooks() == [{k: sorted(v) if isinstance(v, list) else v for k, v in expected.items()}]
        assert rest_phonebook(book["name"]) == []


def test_a_taken_name_is_refused_by_the_editor_and_replaced_by_the_file(groups, admin_client_in, tmp_path):  # noqa: F811
    """The editor creates (a name another phonebook has is refused, on create and on rename); the file matches
    phonebooks by name, so the same name replaces the stored phonebook: its description, groups and entries."""
    stored = {"name": "Team", "description": "first", "members": ["sales"]}
    assert send_phonebook("page", stored, admin_client_in, tmp_path)
    assert send_phonebook("page", {"name": "Team"}, admin_client_in, tmp_path) is False
    other = {"name": "Other"}
    assert send_phonebook("page", other, admin_client_in, tmp_path)
    book = Phonebook.objects.get(name="Other")
    response = admin_client_in.post(reverse("phonebooks:phonebook_edit", args=[book.pk]), {"name": "Team"})
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert sorted(Phonebook.objects.values_list("name", flat=True)) == ["Other", "Team"]

    replacement = {"name": "Team", "consumers": ["support"], "entries": [{"number": "100"}]}
    assert send_phonebook("file", replacement, admin_client_in, tmp_path)
    assert [p for p in exported_phonebooks() if p["name"] == "Team"] == [replacement]
    assert rest_phonebook("Team") == [("", "", "100")]


def test_file_names_the_path_of_an_unknown_group(groups, admin_client_in, tmp_path):  # noqa: F811
    from django.core.management.base import CommandError

    from tests.pbxdata.helpers import run_import

    books = [{"name": "A"}, {"name": "B", "members": ["sales"], "consumers": ["support", "nobody"]}]
    with pytest.raises(CommandError, match=r'phonebooks\[1\]\.consumers\[1\]: there is no group "nobody"'):
        run_import(tmp_path, doc(phonebooks=books))
    assert not Phonebook.objects.exists()  # the good phonebook before it is rolled back too


# ---- shared phonebooks: file entries -----------------------------------------------------------------------

# The columns of sipXconfig's phonebook CSV (B.5.1) that the rows below use, by the data file's key.
CSV_COLUMNS = {
    ("firstName",): "First Name",
    ("lastName",): "Last Name",
    ("number",): "Number",
    ("contactInformation", "jobTitle"): "Job Title",
    ("contactInformation", "companyName"): "Company Name",
    ("contactInformation", "cellPhoneNumber"): "Cell Phone Number",
    ("contactInformation", "emailAddress"): "Office Mail",
    ("contactInformation", "officeAddress", "city"): "Office City",
    ("contactInformation", "homeAddress", "street"): "Home Street",
}

ADA = {"firstName": "Ada", "lastName": "Lovelace", "number": "101"}
# (id, the phonebook's entries as the data file writes them, accepted?)
ENTRIES = [
    ("number only", [{"number": "100"}], True),
    ("names and number", [ADA], True),
    (
        "contact fields",
        [
            {
                **ADA,
                "contactInformation": {
                    "jobTitle": "Countess",
                    "companyName": "Analytical Engines",
                    "cellPhoneNumber": "5550101",
                    "emailAddress": "ada@example.org",
                    "officeAddress": {"city": "London"},
                    "homeAddress": {"street": "12 St James's Square"},
                },
            }
        ],
        True,
    ),
    ("e-mail address not checked", [{**ADA, "contactInformation": {"emailAddress": "not an address"}}], True),
    ("the same entry twice", [ADA, ADA], True),
    ("empty number", [{"firstName": "Ada", "number": ""}], False),
    ("blank number", [{"firstName": "Ada", "number": "   "}], False),
    ("no number", [{"firstName": "Ada"}], False),
    ("a bad entry after a good one", [ADA, {"firstName": "Bob", "number": ""}], False),
    ("number of 255 characters", [{"number": "9" * 255}], True),
    ("number too long", [{"number": "9" * 256}], False),
    ("first name too long", [{**ADA, "firstName": LONG}], False),
    ("contact field too long", [{**ADA, "contactInformation": {"jobTitle": LONG}}], False),
    ("address part too long", [{**ADA, "contactInformation": {"officeAddress": {"city": LONG}}}], False),
]


def csv_file(entries: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS.values())
    for entry in entries:
        row = []
        for path in CSV_COLUMNS:
            value = entry
            for key in path:
                value = (value or {}).get(key)
            row.append(value or "")
        writer.writerow(row)
    return out.getvalue().encode()


def send_entries(channel: str, entries: list[dict], client, tmp_path) -> bool:
    if channel == "page":
        assert send_phonebook("page", {"name": "Imported"}, client, tmp_path)
        book = Phonebook.objects.get(name="Imported")
        upload = SimpleUploadedFile("entries.csv", csv_file(entries), content_type="text/csv")
        # The page's two steps: the preview (writes nothing; offers the import only when no row is bad), then the
        # import of the previewed file.
        preview = client.post(reverse("phonebooks:phonebook_import", args=[book.pk]), {"file": upload})
        assert preview.status_code == 200
        confirm = preview.context["confirm"]
        if confirm is None:
            return False
        done = client.post(reverse("phonebooks:phonebook_import_confirm", args=[book.pk]), confirm.initial)
        assert done.status_code == 302, done.content[:300]
        return PhonebookEntry.objects.filter(phonebook=book).count() == len(entries)
    return file_accepts(tmp_path, doc(phonebooks=[{"name": "Imported", "entries": entries}]))


@SHARED_CHANNELS
@pytest.mark.parametrize(("entries", "accepted"), table(ENTRIES))
def test_shared_entry_rule(groups, admin_client_in, tmp_path, channel, entries, accepted):  # noqa: F811
    if answered(send_entries(channel, entries, admin_client_in, tmp_path), accepted, PhonebookEntry):
        (book,) = exported_phonebooks()
        assert canonical(book["entries"]) == canonical(entries)
        assert rest_phonebook("Imported") == keys(entries)


def test_file_names_the_path_of_a_refused_entry(groups, tmp_path):
    from django.core.management.base import CommandError

    from tests.pbxdata.helpers import run_import

    entries = [ADA, {"number": "102", "contactInformation": {"jobTitle": LONG}}]
    with pytest.raises(CommandError, match=r"phonebooks\[0\]\.entries\[1\]\.contactInformation\.jobTitle: "):
        run_import(tmp_path, doc(phonebooks=[{"name": "Imported", "entries": entries}]))
    with pytest.raises(CommandError, match=r"phonebooks\[0\]\.entries\[0\]\.number: it has no phone number"):
        run_import(tmp_path, doc(phonebooks=[{"name": "Imported", "entries": [{"number": " "}]}]))
    assert not Phonebook.objects.exists()


# ---- private phonebooks: entries ---------------------------------------------------------------------------

BULK = ("rest", "file")  # POST /my/phonebook and the file's privatePhonebook.entries
EVERY = ("rest", "file", "rest-entry", "page")  # also POST /my/phonebook/entry/{id} and the portal's editor

# (id, the entries as the data file writes them, accepted?, the channels that express the row)
PRIVATE = [
    ("number only", [{"number": "300"}], True, BULK),
    (
        "a full entry",
        [
            {
                **ADA,
                "contactInformation": {
                    "jobTitle": "Countess",
                    "emailAddress": "ada@example.org",
                    "officeAddress": {"city": "London", "zip": "SW1"},
                },
            }
        ],
        True,
        EVERY,
    ),
    ("empty number", [{"firstName": "Ada", "number": ""}], True, BULK),
    ("e-mail address not checked", [{**ADA, "contactInformation": {"emailAddress": "not an address"}}], True, BULK),
    ("the same entry twice", [ADA, ADA], True, BULK),
    (
        "IM ids, internal id and branch address",
        [
            {
                "number": "302",
                "internalId": "g-17",
                "contactInformation": {
                    "imId": "ada",
                    "imDisplayName": "Ada L.",
                    "didNumber": "7302",
                    "branchAddress": {"officeDesignation": "B-2"},
                },
            }
        ],
        True,
        BULK,
    ),
    ("number too long", [{**ADA, "number": "9" * 256}], False, EVERY),
    ("last name too long", [{**ADA, "lastName": LONG}], False, EVERY),
    ("contact field too long", [{**ADA, "contactInformation": {"jobTitle": LONG}}], False, EVERY),
    ("address part too long", [{**ADA, "contactInformation": {"officeAddress": {"city": LONG}}}], False, EVERY),
    ("unknown address part", [{**ADA, "contactInformation": {"officeAddress": {"town": "London"}}}], False, BULK),
    ("a NUL in a name", [{**ADA, "firstName": "A\x00da"}], False, EVERY),
]

# The data file's keys -> the portal editor's inputs, for the rows that go through it.
PAGE_FIELDS = {"firstName": "first_name", "lastName": "last_name", "number": "number"}
PAGE_CONTACT = {"jobTitle": "job_title", "emailAddress": "email_address"}


def rest_entry(entry: dict) -> dict:
    """A data file entry as the REST document writes it (B.3.6)."""
    names = {"firstName": "first-name", "lastName": "last-name", "number": "number", "internalId": "internalId"}
    out = {wire: entry[key] for key, wire in names.items() if key in entry}
    if "contactInformation" in entry:
        out["contact-information"] = entry["contactInformation"]
    return out


def page_form(entry: dict) -> dict:
    form = {field: entry.get(key, "") for key, field in PAGE_FIELDS.items()}
    contact = entry.get("contactInformation", {})
    form.update({field: contact[key] for key, field in PAGE_CONTACT.items() if key in contact})
    for part, value in contact.get("officeAddress", {}).items():
        form[f"office_{part}"] = value
    assert set(contact) <= {*PAGE_CONTACT, "officeAddress"}, "the row names a field the page test does not send"
    return form


def alice_user_record() -> dict:
    """User 200 as export_pbx writes it (so importing it back changes nothing but what the test sets)."""
    return next(u for u in export()["users"] if u["userName"] == "200")


def send_private(channel: str, entries: list[dict], tmp_path, show_on_phone=None) -> bool:
    """Gives user 200 these private entries by `channel`; returns whether they were accepted."""
    if channel == "rest":
        body = json.dumps({"phonebook": {"entry": [rest_entry(e) for e in entries]}})
        response = Client().post(f"{REST}/my/phonebook", body, "application/json", **ALICE)
        assert response.status_code in (200, 400), response.content
        return response.status_code == 200
    if channel == "rest-entry":
        (entry,) = entries
        body = json.dumps({"entry": rest_entry(entry)})
        response = Client().post(f"{REST}/my/phonebook/entry/new", body, "application/json", **ALICE)
        assert response.status_code in (200, 400), response.content
        return response.status_code == 200
    if channel == "page":
        (entry,) = entries
        client = Client()
        client.force_login(User.objects.get(username="200"))
        response = client.post(reverse("portal-phonebook:entry_add"), page_form(entry))
        assert response.status_code in (200, 302)
        return response.status_code == 302
    user = alice_user_record()
    user["privatePhonebook"] = {"entries": entries}
    if show_on_phone is not None:
        user["privatePhonebook"]["showOnPhone"] = show_on_phone
    return file_accepts(tmp_path, doc(users=[user]))


def stored_private() -> dict | None:
    return alice_user_record().get("privatePhonebook")


def private_cases():
    for name, entries, accepted, channels in PRIVATE:
        for channel in channels:
            yield pytest.param(channel, entries, accepted, id=f"{name}-{channel}")


@pytest.mark.parametrize(("channel", "entries", "accepted"), list(private_cases()))
def test_private_entry_rule(pbx, tmp_path, channel, entries, accepted):  # noqa: F811
    if not answered(send_private(channel, entries, tmp_path), accepted, PhonebookEntry):
        return
    stored = stored_private()
    assert stored["showOnPhone"] is True  # a private phonebook starts shown on the phones, whichever way
    assert canonical(stored["entries"]) == canonical(entries)
    # REST reads the same: the paged view lists each private entry once per (first, last, number).
    paged = Client().get(f"{REST}/my/pagedphonebook", HTTP_ACCEPT="application/json", **ALICE).json()["phonebook"]
    assert paged["show-on-phone"] == "true"
    listed = [(e.get("first-name", ""), e.get("last-name", ""), e["number"]) for e in paged["entries"]]
    assert sorted(listed) == keys(entries)


def test_file_names_the_path_of_a_refused_private_entry(pbx, tmp_path):  # noqa: F811
    from django.core.management.base import CommandError

    from tests.pbxdata.helpers import run_import

    user = alice_user_record()
    user["privatePhonebook"] = {"entries": [ADA, {**ADA, "contactInformation": {"officeAddress": {"city": LONG}}}]}
    path = r"users\[0\]\.privatePhonebook\.entries\[1\]\.contactInformation\.officeAddress\.city: "
    with pytest.raises(CommandError, match=path):
        run_import(tmp_path, doc(users=[user]))
    assert not PhonebookEntry.objects.exists()


# ---- private phonebooks: show on phone, replacing, none ----------------------------------------------------


def paged_show_on_phone() -> str:
    response = Client().get(f"{REST}/my/pagedphonebook", HTTP_ACCEPT="application/json", **ALICE)
    return response.json()["phonebook"]["show-on-phone"]


@pytest.mark.parametrize("channel", ["page", "file"])
@pytest.mark.parametrize("show", [True, False])
def test_show_on_phone(pbx, tmp_path, channel, show):  # noqa: F811
    if channel == "page":
        client = Client()
        client.force_login(User.objects.get(username="200"))
        response = client.post(reverse("portal-phonebook:show_on_phone"), {"show_on_phone": "on"} if show else {})
        assert response.status_code == 302
    else:
        assert send_private("file", [], tmp_path, show_on_phone=show)
    assert paged_show_on_phone() == ("true" if show else "false")
    assert stored_private() == {"showOnPhone": show, "entries": []}


@pytest.mark.parametrize("channel", ["rest", "file"])
def test_replacing_the_private_phonebook(pbx, tmp_path, channel):  # noqa: F811
    """The file gives a user exactly its private phonebook; REST does the same with DELETE and POST."""
    assert send_private("rest", [{"number": "300"}, ADA], tmp_path)
    PrivatePhonebook.objects.update(show_on_phone=False)
    if channel == "rest":
        assert Client().delete(f"{REST}/my/phonebook", **ALICE).status_code == 200
    assert send_private(channel, [{"number": "301"}], tmp_path)
    assert stored_private() == {"showOnPhone": True, "entries": [{"number": "301"}]}


@pytest.mark.parametrize("channel", ["rest", "file"])
def test_no_private_phonebook(pbx, tmp_path, channel):  # noqa: F811
    """A user of the file without `privatePhonebook` has none afterwards, as after DELETE /my/phonebook."""
    assert send_private("rest", [ADA], tmp_path)
    if channel == "rest":
        assert Client().delete(f"{REST}/my/phonebook", **ALICE).status_code == 200
    else:
        user = alice_user_record()
        del user["privatePhonebook"]
        assert file_accepts(tmp_path, doc(users=[user]))
    assert stored_private() is None
    assert paged_show_on_phone() == "n/a"
    assert not PhonebookEntry.objects.exists()
