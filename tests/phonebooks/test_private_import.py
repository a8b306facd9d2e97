"""The portal's import into a user's own private phonebook and the export of those entries (My phonebook): the
shared phonebooks' importer and preview (every bad row by line and contact, nothing imported, then one click that
imports all or nothing), contacts the user has already skipped and named, vCard, one audit entry per import, an
export that imports back into another user's empty book, never another user's entries, constant queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.audit.models import AuditEntry
from apps.phonebooks import importers, readmodel, services
from apps.phonebooks.models import PhonebookEntry
from apps.users.models import User
from tests.conftest import count_queries
from tests.phonebooks.conftest import FILES, body

ENTRY_FIELDS = [name for name in services.ENTRY_FIELDS if name != "internal_id"]  # the export has no column for it


def logged_in(name: str, pin: str = "1234") -> Client:
    """A browser of the user, logged in through the login page with the PIN."""
    client = Client()
    assert client.post("/login/", {"username": name, "password": pin}).status_code == 302
    return client


@pytest.fixture
def as_alice(demo):
    return logged_in("alice")


def upload(name: str, content: bytes | None = None) -> dict:
    data = content if content is not None else (FILES / name).read_bytes()
    return {"file": SimpleUploadedFile(name, data)}


def confirm(client: Client, preview):
    form = preview.context["confirm"]
    data = {"token": form["token"].value(), "file_name": form["file_name"].value()}
    return client.post("/portal/phonebook/import/confirm/", data)


def own(username: str) -> list[dict]:
    entries = PhonebookEntry.objects.filter(private_phonebook__user__username=username)
    return sorted(({n: getattr(e, n) for n in ENTRY_FIELDS} for e in entries), key=lambda e: e["number"])


def private_audit(username: str):
    return AuditEntry.objects.filter(kind=services.PRIVATE, key=username)


def test_a_bad_row_is_named_by_line_and_contact_and_nothing_is_imported(as_alice):
    before, audits = own("200"), private_audit("200").count()
    response = as_alice.post("/portal/phonebook/import/", upload("bad-row.csv"))
    assert response.status_code == 200
    assert response.context["problems"] == [
        (3, "No Number", "it has no phone number"),
        (5, "Too Many", "4 fields, but the header has 3"),
    ]
    page = response.content.decode()
    assert "2 bad rows: nothing can be imported" in page and response.context["confirm"] is None
    assert '<td class="num">3</td><td>No Number</td><td>It has no phone number.</td>' in page
    assert "import/confirm/" not in page  # no button
    assert own("200") == before and private_audit("200").count() == audits


def test_a_file_that_went_bad_between_preview_and_click_imports_nothing(as_alice, monkeypatch):
    long = b"First Name,Last Name,Number\nAda2,L,1\nBob," + b"x" * 300 + b",2\n"
    monkeypatch.setattr(services, "MAX_LEN", 1000)
    preview = as_alice.post("/portal/phonebook/import/", upload("long.csv", long))
    assert preview.context["confirm"] is not None
    monkeypatch.setattr(services, "MAX_LEN", 255)
    audits = private_audit("200").count()
    before = own("200")
    response = confirm(as_alice, preview)
    assert response.status_code == 200 and "nothing was imported" in response.content.decode()
    assert [p[:2] for p in response.context["problems"]] == [(3, "Bob " + "x" * 300)]
    assert own("200") == before and private_audit("200").count() == audits


def test_a_good_csv_imports_every_entry_in_one_click_with_one_audit_entry(as_alice):
    before = len(own("200"))
    preview = as_alice.post("/portal/phonebook/import/", upload("outlook.csv"))
    page = preview.content.decode()
    assert "2 entries ready to import" in page and "Outlook CSV" in page and "Import 2 entries" in page
    assert "Hamilton" in page and "MIT" in page  # what will be imported, before it is
    assert "added to your 2 own entries" in page
    assert len(own("200")) == before  # the preview writes nothing
    audits = private_audit("200").count()
    response = confirm(as_alice, preview)
    assert response.status_code == 302 and response["Location"] == "/portal/phonebook/"
    assert (
        "2 entries imported into your phonebook from outlook.csv."
        in as_alice.get("/portal/phonebook/").content.decode()
    )
    margaret = PhonebookEntry.objects.get(private_phonebook__user__username="200", last_name="Hamilton")
    assert (margaret.number, margaret.cell_phone_number) == ("+1 617 555 0100", "+1 617 555 0101")
    assert margaret.office_address["city"] == "Cambridge"
    assert len(own("200")) == before + 2
    # One audit entry for the import, with the counts, by the user.
    audit = private_audit("200").order_by("-pk")
    assert audit.count() == audits + 1
    assert (audit[0].action, audit[0].changes, audit[0].actor) == ("update", {"entries": [2, 4]}, "200")
    assert not AuditEntry.objects.filter(kind=services.PRIVATE_ENTRY, key__startswith="200/").exists()
    # The new entries are found on the page like those added by hand.
    assert "Hamilton" in as_alice.get("/portal/phonebook/?q=hamilton").content.decode()
    # The file is used up: the button again imports nothing.
    assert confirm(as_alice, preview)["Location"] == "/portal/phonebook/import/"
    assert len(own("200")) == before + 2


def test_semicolon_csv_from_excel(as_alice):
    excel = "\ufeffFirst Name;Last Name;Number;Company Name\r\nJosé;Núñez;+34 91 555 0101;Acme, S.L.\r\n".encode()
    preview = as_alice.post("/portal/phonebook/import/", upload("contactos.csv", excel))
    assert not preview.context["problems"]
    confirm(as_alice, preview)
    entry = PhonebookEntry.objects.get(private_phonebook__user__username="200", last_name="Núñez")
    assert (entry.first_name, entry.number, entry.company_name) == ("José", "+34 91 555 0101", "Acme, S.L.")


@pytest.mark.parametrize(
    ("name", "button", "imported"),
    [
        ("contacts-3.0.vcf", "Import 2 entries", {"Knuth", "Dijkstra"}),
        ("contacts-4.0.vcf", "Import 1 entry", {"Allen"}),
    ],
)
def test_a_vcard_file_imports_too(as_alice, name, button, imported):
    preview = as_alice.post("/portal/phonebook/import/", upload(name))
    assert preview.context["parsed"].layout == "vCard" and not preview.context["problems"]
    assert button in preview.content.decode()
    confirm(as_alice, preview)
    names = set(
        PhonebookEntry.objects.filter(private_phonebook__user__username="200").values_list("last_name", flat=True)
    )
    assert names == {"Lovelace", "Babbage", *imported}


def test_a_bad_card_is_named_and_nothing_is_imported(as_alice):
    before = own("200")
    response = as_alice.post("/portal/phonebook/import/", upload("bad-card.vcf"))
    assert response.context["problems"] and response.context["confirm"] is None
    line, name, reason = response.context["problems"][0]
    assert line > 0 and reason
    assert f'<td class="num">{line}</td>' in response.content.decode()
    assert own("200") == before


def test_contacts_the_user_has_are_skipped_and_named(as_alice):
    """The rule of adding one entry by hand (D2): a contact with the first name, last name and number of one the
    user sees already (a private entry, a colleague, a phonebook's entry) is not added again; nor a row repeating
    an earlier row of the file. They are listed by line and contact; the others are imported."""
    data = (
        b"First Name,Last Name,Number\n"
        b"Ada,Lovelace,+15551234567\n"  # line 2: alice's private entry
        b"Penguin,Emporer,happyfeet@southpole.org\n"  # 3: the sales phonebook's entry
        b"Bob,Jones,201\n"  # 4: a colleague
        b"New,Person,555\n"  # 5
        b"New,Person,555\n"  # 6: repeats line 5
        b"Other,Person,556\n"  # 7
    )
    preview = as_alice.post("/portal/phonebook/import/", upload("mixed.csv", data))
    assert preview.context["skipped"] == [
        (2, "Ada Lovelace", "already in your phonebook with this first name, last name and number"),
        (3, "Penguin Emporer", "already in your phonebook with this first name, last name and number"),
        (4, "Bob Jones", "already in your phonebook with this first name, last name and number"),
        (6, "New Person", "the same first name, last name and number as line 5"),
    ]
    page = preview.content.decode()
    assert "2 entries ready to import" in page and "4 contacts you have already: skipped" in page
    assert (
        '<td class="num">6</td><td>New Person</td><td>The same first name, last name and number as line 5.</td>' in page
    )
    response = confirm(as_alice, preview)
    assert response.status_code == 302
    message = as_alice.get("/portal/phonebook/").content.decode()
    assert "2 entries imported into your phonebook from mixed.csv. 4 contacts you have already were skipped." in message
    assert [e["number"] for e in own("200")] == ["+15551234567", "+441234567890", "555", "556"]
    # Importing the same file again: nothing left to import, no button, nothing written.
    audits = private_audit("200").count()
    again = as_alice.post("/portal/phonebook/import/", upload("mixed.csv", data))
    assert again.context["confirm"] is None and "Nothing to import" in again.content.decode()
    assert private_audit("200").count() == audits


def test_files_that_cannot_be_read_are_refused_with_a_sentence(as_alice):
    for content, sentence in [
        (b"Name,Email\n", "header row"),
        (b"Number\n", "The file has no contacts"),
        (b"Number\n\xc3\x28abc\n", "not UTF-8 text"),
        (b"Number\n1\x002\n", "NUL characters"),
    ]:
        response = as_alice.post("/portal/phonebook/import/", upload("x.csv", content))
        assert response.status_code == 200 and sentence in response.content.decode(), sentence
    assert as_alice.post("/portal/phonebook/import/", {}).status_code == 200  # no file: the form says so
    assert as_alice.post("/portal/phonebook/import/confirm/", {"token": "nope"}).status_code == 302


def test_the_upload_page_says_what_it_reads(as_alice):
    page = as_alice.get("/portal/phonebook/import/").content.decode()
    assert "Outlook CSV export" in page and "vCard" in page and "at most 10,000 contacts" in page
    assert 'name="replace"' not in page  # the import into one's own entries only adds


def test_pages_need_a_login(demo):
    client = Client()
    for url in ("/portal/phonebook/import/", "/portal/phonebook/export/own/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post("/portal/phonebook/import/confirm/", {"token": "x" * 32})
    assert response.status_code == 302 and "/login/" in response["Location"]


def _full_entry(i: int) -> dict:
    return {
        "first_name": f"Zoë {i}",
        "last_name": 'O\'Brien, "Jr"',
        "number": f"+41 44 555 {i:04d}",
        "job_title": '=HYPERLINK("http://x")',  # a formula-like cell: written with a ', read back without
        "job_dept": "R&D",
        "company_name": "Société; Générale",
        "cell_phone_number": f"+41 79 555 {i:04d}",
        "email_address": f"zoe{i}@example.ch",
        "im_id": f"zoe{i}",
        "office_address": {"street": "Bahnhofstrasse 1", "city": "Zürich", "zip": "8001", "country": "CH"},
        "home_address": {"city": "Winterthur"},
    }


def test_export_imports_back_into_another_users_empty_book(as_alice):
    alice_user = User.objects.get(username="200")
    for i in range(3):
        services.create_private_entry(alice_user, _full_entry(i))
    response = as_alice.get("/portal/phonebook/export/own/?format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="phonebook-alice-smith-private.csv"'
    exported = body(response)
    assert exported.count(b"\n") == 1 + 5  # the header and alice's 5 own entries, no colleague, no phonebook entry
    assert b"Emporer" not in exported and b"Jones" not in exported
    assert b"'=HYPERLINK" in exported  # neutralised for spreadsheets
    # Bob (an empty private book) imports alice's file: the same entries, every field.
    bob = logged_in("bob")
    assert not own("201")
    preview = bob.post("/portal/phonebook/import/", upload("phonebook-alice-smith-private.csv", exported))
    assert not preview.context["problems"] and not preview.context["skipped"]
    confirm(bob, preview)
    assert own("201") == own("200")
    assert own("201")[2]["job_title"] == '=HYPERLINK("http://x")'
    # The Excel variant (with the BOM) reads back too.
    excel = body(as_alice.get("/portal/phonebook/export/own/?format=csv&excel=1"))
    assert excel == "\ufeff".encode() + exported
    carol = logged_in("carol")
    confirm(carol, carol.post("/portal/phonebook/import/", upload("a.csv", excel)))
    assert own("202") == own("200")


def test_vcard_export_imports_back(as_alice):
    response = as_alice.get("/portal/phonebook/export/own/?format=vcard")
    assert response["Content-Disposition"] == 'attachment; filename="phonebook-alice-smith-private.vcf"'
    assert response["Content-Type"].startswith("text/vcard")
    exported = body(response)
    assert exported.count(b"END:VCARD") == 2
    bob = logged_in("bob")
    confirm(bob, bob.post("/portal/phonebook/import/", upload("alice.vcf", exported)))
    vcard_fields = ["first_name", "last_name", "number", "email_address", "cell_phone_number", "company_name"]
    assert [{k: e[k] for k in vcard_fields} for e in own("201")] == [
        {k: e[k] for k in vcard_fields} for e in own("200")
    ]


def test_another_users_entries_never_appear(as_alice):
    bob_user = User.objects.get(username="201")
    services.create_private_entry(bob_user, {"first_name": "Secret", "last_name": "Friend", "number": "999"})
    bob = logged_in("bob")
    for url in (
        "/portal/phonebook/export/own/",
        "/portal/phonebook/export/own/?format=vcard",
        "/portal/phonebook/export/",
    ):
        assert b"Secret" not in body(as_alice.get(url)), url
    assert b"Secret" in body(bob.get("/portal/phonebook/export/own/"))
    # Bob's previewed file cannot be imported by alice with his token, nor does alice's import reach bob's book.
    preview = bob.post("/portal/phonebook/import/", upload("b.csv", b"First Name,Last Name,Number\nBob's,Pal,777\n"))
    token = preview.context["confirm"]["token"].value()
    response = as_alice.post("/portal/phonebook/import/confirm/", {"token": token, "file_name": "b.csv"})
    assert response["Location"] == "/portal/phonebook/import/"
    assert not PhonebookEntry.objects.filter(number="777").exists()
    confirm(
        as_alice, as_alice.post("/portal/phonebook/import/", upload("a.csv", b"First Name,Last Name,Number\nA,B,778\n"))
    )
    assert [e["number"] for e in own("201")] == ["999"]
    assert "778" in [e["number"] for e in own("200")]
    # The page's "own entries" count and export are alice's.
    assert "Your own entries (3)" in as_alice.get("/portal/phonebook/").content.decode()


def test_export_queries_constant(as_alice):
    """The own-entries export costs as many queries with 200 entries as with 10 (CSV and vCard)."""
    user = User.objects.get(username="200")
    book = services.private_phonebook(user, create=True)

    def grow_to(n):
        have = book.entries.count()
        services.add_entries([_full_entry(1000 + i) for i in range(have, n)], private=book)
        assert book.entries.count() == n

    counts = {}
    for n in (10, 200):
        grow_to(n)
        counts[n] = [
            count_queries(as_alice.get, "/portal/phonebook/export/own/?format=csv"),
            count_queries(as_alice.get, "/portal/phonebook/export/own/?format=vcard"),
        ]
        assert body(as_alice.get("/portal/phonebook/export/own/")).count(b"\n") == n + 1
    assert counts[10] == counts[200], counts


def test_import_queries_do_not_grow_with_the_file(as_alice):
    """The preview and the import read the user's phonebook in a few queries, not one per row."""

    def rows(n, start):
        return "First Name,Last Name,Number\n" + "".join(f"F{i},L{i},{start + i}\n" for i in range(n))

    costs = {}
    for n, start in ((10, 10_000), (200, 20_000)):
        data = rows(n, start).encode()
        preview = as_alice.post("/portal/phonebook/import/", upload("n.csv", data))
        costs[n] = count_queries(confirm, as_alice, preview, status=302)
    assert costs[200] == costs[10], costs


def test_duplicates_found_across_query_batches(as_alice, monkeypatch):
    """The duplicate check reads the keys a few at a time (SQLite's limit on parameters): a small batch finds the
    same contacts as one query."""
    monkeypatch.setattr(readmodel, "KEY_PARAMS", 9)  # alice consumes one phonebook: 3 keys per query
    rows = ["First Name,Last Name,Number"] + [f"N{i},L{i},{700 + i}" for i in range(7)]
    rows += ["Ada,Lovelace,+15551234567", "Bob,Jones,201", "N3,L3,703", "Penguin,Emporer,happyfeet@southpole.org"]
    preview = as_alice.post("/portal/phonebook/import/", upload("n.csv", "\n".join(rows).encode()))
    assert [line for line, _, _ in preview.context["skipped"]] == [9, 10, 11, 12]
    assert preview.context["count"] == 7


def test_a_file_longer_than_a_private_import_takes_is_refused_with_a_sentence(as_alice, monkeypatch):
    monkeypatch.setattr(importers, "PRIVATE_MAX_ROWS", 3)
    rows = "First Name,Last Name,Number\n" + "".join(f"F{i},L{i},{800 + i}\n" for i in range(4))
    before = own("200")
    response = as_alice.post("/portal/phonebook/import/", upload("n.csv", rows.encode()))
    assert response.status_code == 200 and "confirm" not in response.context
    assert "The file has 4 contacts; your phonebook takes at most 3 per import" in response.content.decode()
    # A file within the bound at its preview that is longer at the click (a lower bound meanwhile) imports nothing.
    monkeypatch.setattr(importers, "PRIVATE_MAX_ROWS", 4)
    preview = as_alice.post("/portal/phonebook/import/", upload("n.csv", rows.encode()))
    monkeypatch.setattr(importers, "PRIVATE_MAX_ROWS", 3)
    response = confirm(as_alice, preview)
    assert response["Location"] == "/portal/phonebook/import/"
    assert "at most 3 per import" in as_alice.get(response["Location"]).content.decode()
    assert own("200") == before
