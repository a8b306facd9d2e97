"""Import and export of phonebook files: each layout with a real sample file (files/), a bad row (nothing
imported, its line reported), a 10,000-row file, the command with --replace/--create, exports that read back."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.phonebooks import exports, importers, services
from apps.phonebooks.models import EntryWord, Phonebook, PhonebookEntry
from tests.phonebooks.conftest import FILES


def parse(name: str) -> importers.ParsedFile:
    return importers.parse((FILES / name).read_bytes())


def test_sipxconfig_layout_all_columns():
    parsed = parse("sipxconfig.csv")
    assert parsed.layout == importers.SIPX and not parsed.rejected
    linus = parsed.entries[0]
    assert linus["first_name"] == "Linus" and linus["number"] == "+358401234567"
    assert linus["office_address"] == {
        "city": "Portland",
        "country": "US",
        "state": "OR",
        "street": "1 Kernel Way",
        "zip": "97201",
        "officeDesignation": "B2",
    }
    assert linus["im_id"] == "linus" and linus["email_address"] == "linus@example.org"
    assert parsed.entries[1]["home_address"]["city"] == "Murray Hill"


def test_rest_csv_reads_back_with_rfc4180_quotes():
    parsed = parse("rest-export.csv")
    assert parsed.layout == importers.SIPX
    assert parsed.entries[1] == {"first_name": 'Say "hi"', "last_name": "O'Brien, Jr", "number": "7001"}


def test_outlook_layout():
    parsed = parse("outlook.csv")
    assert parsed.layout == importers.OUTLOOK and not parsed.rejected
    margaret, barbara = parsed.entries
    assert margaret["number"] == "+1 617 555 0100"  # business phone first
    assert margaret["cell_phone_number"] == "+1 617 555 0101"
    assert margaret["office_address"]["city"] == "Cambridge"
    assert barbara["number"] == "+1 617 555 0200"  # no business phone: the home phone
    assert barbara["home_address"]["street"] == "12 Elm St, Apt 3"
    assert barbara["alternate_email_address"] == "b.liskov@example.net"


def test_google_layout():
    parsed = parse("google.csv")
    assert parsed.layout == importers.GOOGLE and not parsed.rejected
    grace, alan = parsed.entries
    assert (grace["first_name"], grace["last_name"], grace["number"]) == ("Grace", "Hopper", "+1 202 555 0147")
    assert grace["cell_phone_number"] == "+1 202 555 0148"
    assert grace["company_name"] == "US Navy" and grace["job_title"] == "Rear Admiral"
    assert alan["number"] == "+44 161 555 0100"  # first of Google's ":::" list


def test_vcard_3():
    parsed = parse("contacts-3.0.vcf")
    assert parsed.layout == importers.VCARD and not parsed.rejected
    knuth, dijkstra = parsed.entries
    assert (knuth["first_name"], knuth["last_name"], knuth["number"]) == ("Donald", "Knuth", "+1 650 555 0100")
    assert knuth["company_name"] == "Stanford University" and knuth["job_dept"] == "Computer Science"
    assert knuth["office_address"]["zip"] == "94305"
    assert (dijkstra["first_name"], dijkstra["last_name"]) == ("Edsger", "Dijkstra")  # from FN


def test_vcard_4_tel_uris():
    (allen,) = parse("contacts-4.0.vcf").entries
    assert allen["number"] == "+1-914-555-0100"
    assert allen["cell_phone_number"] == "+1-914-555-0101"


def test_bad_rows_are_reported_with_line_numbers():
    parsed = parse("bad-row.csv")
    assert parsed.rejected == [(3, "it has no phone number"), (5, "4 fields, but the header has 3")]
    assert parse("bad-card.vcf").rejected == [(6, "it has no phone number")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ((FILES / "unknown-layout.csv").read_bytes(), "Line 1: the header row"),
        (b"\xff\xfe\x00\x00garbage\x00", "not"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"", "empty"),
        (b'"First Name","Number"\n"a\n', "not valid CSV"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n", "vCard"),
    ],
)
def test_unreadable_files(content, message):
    with pytest.raises(importers.PhonebookFileError, match=message):
        importers.parse(content)


@pytest.mark.django_db
def test_command_imports_all_or_nothing(tmp_path):
    book = Phonebook.objects.create(name="contacts")
    out = io.StringIO()
    call_command("import_phonebook", "contacts", str(FILES / "outlook.csv"), stdout=out)
    assert "Imported 2 entries (Outlook CSV) into phonebook contacts." in out.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("import_phonebook", "contacts", str(FILES / "bad-row.csv"))
    assert "Nothing imported: 2 bad row(s)" in str(exc.value) and "line 3: it has no phone number" in str(exc.value)
    assert book.entries.count() == 2
    call_command("import_phonebook", "contacts", str(FILES / "contacts-3.0.vcf"), "--replace", stdout=out)
    assert sorted(book.entries.values_list("last_name", flat=True)) == ["Dijkstra", "Knuth"]
    with pytest.raises(CommandError, match="no phonebook 'other'"):
        call_command("import_phonebook", "other", str(FILES / "google.csv"))
    call_command("import_phonebook", "other", str(FILES / "google.csv"), "--create", stdout=out)
    assert Phonebook.objects.get(name="other").entries.count() == 2
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_phonebook", "other", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "message"), [("n" * 256, "at most 255 characters"), ("  ", "needs a name")])
def test_command_creates_a_phonebook_by_the_services_rules(name, message):
    with pytest.raises(CommandError, match=f"Cannot create the phonebook: .*{message}"):
        call_command("import_phonebook", name, str(FILES / "outlook.csv"), "--create")
    assert not Phonebook.objects.exists()


@pytest.mark.django_db
def test_ten_thousand_rows(tmp_path):
    lines = ['"First Name","Last Name","Number","Office Mail"']
    lines += [f'"First{i}","Last{i:05d}","+1555{i:07d}","u{i}@example.org"' for i in range(10_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    Phonebook.objects.create(name="big")
    call_command("import_phonebook", "big", str(path), stdout=io.StringIO())
    book = Phonebook.objects.get(name="big")
    assert book.entries.count() == 10_000
    assert EntryWord.objects.filter(entry__phonebook=book, word="last09999").count() == 1
    entry = book.entries.get(last_name="Last04242")
    assert (entry.number, entry.email_address) == ("+15550004242", "u4242@example.org")
    # A bad row at the very end: nothing of the 10,001 rows goes in.
    path.write_text("\n".join([*lines, '"x","y",""']) + "\n")
    with pytest.raises(CommandError, match="line 10002"):
        call_command("import_phonebook", "big", str(path), "--replace")
    assert book.entries.count() == 10_000


@pytest.mark.django_db
def test_exports_read_back():
    book = Phonebook.objects.create(name="round")
    parsed = parse("sipxconfig.csv")
    services.add_entries(parsed.entries, phonebook=book)
    entries = list(book.entries.order_by("last_name"))
    csv_bytes = b"".join(exports.csv_export(entries))
    again = importers.parse(csv_bytes)
    assert again.layout == importers.SIPX
    assert sorted(again.entries, key=lambda e: e["last_name"]) == sorted(parsed.entries, key=lambda e: e["last_name"])
    vcf = b"".join(exports.vcard_export(entries))
    cards = importers.parse(vcf).entries
    assert [(c["first_name"], c["last_name"], c["number"]) for c in cards] == [
        (e.first_name, e.last_name, e.number) for e in entries
    ]
    assert cards[1]["email_address"] == "linus@example.org"
    assert PhonebookEntry.objects.count() == 2
