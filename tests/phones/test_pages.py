"""Phone admin pages: permissions, list filters/search/sorting/pages, create/edit/delete through services, the CSV
import (a preview naming every problem, then all or nothing) and a constant number of SQL queries on the list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.phones import importers
from apps.phones.models import Phone
from apps.phones.services import PhoneData, create_phone, upsert_phones
from tests.conftest import count_queries

PAGES = ["phones:phone_list", "phones:phone_add", "phones:phone_import"]


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob")


@pytest.fixture
def phone(alice, bob):
    return create_phone(PhoneData("0004F2A1B2C3", "polycomVVX300", "Reception", "4.1", ["200", "bob"]))


def html(response) -> str:
    return response.content.decode()


# --- permissions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_plain_user_and_attendant_admin_get_403(client, alice, make_user, phone):
    aa = make_user("300", perm_attendant_admin=True)
    urls = [reverse(n) for n in PAGES] + [
        reverse("phones:phone_edit", args=[phone.pk]),
        reverse("phones:phone_delete", args=[phone.pk]),
    ]
    for who in (alice, aa):
        client.force_login(who)
        for url in urls:
            assert client.get(url).status_code == 403
            assert client.post(url, {}).status_code == 403
    assert Phone.objects.filter(pk=phone.pk).exists()


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_render(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


def test_nav_links_for_admin(admin_client):
    page = html(admin_client.get(reverse("phones:phone_list")))
    assert 'href="/phones/" aria-current="page">Phones' in page
    assert 'href="/attendants/"' in page


# --- list -------------------------------------------------------------------------------------------------


def test_list_shows_lines_filters_and_searches(admin_client, phone, alice):
    create_phone(PhoneData("805ec0112233", "yealinkPhoneT46", "Meeting room"))
    url = reverse("phones:phone_list")
    page = html(admin_client.get(url))
    assert "0004f2a1b2c3" in page and "805ec0112233" in page
    assert "Polycom VVX 300/310" in page and ">201<" in page
    only = html(admin_client.get(url, {"model": "yealinkPhoneT46"}))
    assert "805ec0112233" in only and "0004f2a1b2c3" not in only
    for user in ("bob", "200", "ALICE"):
        by_user = html(admin_client.get(url, {"user": user}))
        assert "0004f2a1b2c3" in by_user and "805ec0112233" not in by_user
    assert "No phones match" in html(admin_client.get(url, {"user": "nobody"}))
    assert "0004f2a1b2c3" not in html(admin_client.get(url, {"q": "meeting"}))
    assert "805ec0112233" in html(admin_client.get(url, {"q": "meeting"}))
    assert "0004f2a1b2c3" in html(admin_client.get(url, {"q": "a1b2"}))


def test_list_paginates(admin_client):
    for i in range(30):
        create_phone(PhoneData(f"0004f2{i:06x}", "polycom300"))
    page = html(admin_client.get(reverse("phones:phone_list")))
    assert "Page 1 of 2" in page and "0004f200001d" not in page
    assert "0004f200001d" in html(admin_client.get(reverse("phones:phone_list"), {"page": 2}))
    # Page numbers, and a choice of page size that keeps the list's filters.
    assert 'href="?page=2" aria-label="Page 2"' in page
    assert 'aria-current="page" aria-label="Page 1, current page"' in page
    page = html(admin_client.get(reverse("phones:phone_list"), {"model": "polycom300", "per_page": 50}))
    assert "0004f200001d" in page and "Page 1 of" not in page and "30 in all" in page
    assert 'href="?model=polycom300&amp;per_page=10"' in page and 'per_page=50" aria-current="true"' in page
    assert "Page 3 of 3" in html(admin_client.get(reverse("phones:phone_list"), {"per_page": 10, "page": 99}))


def serials(response) -> list[str]:
    return [phone.serial_number for phone in response.context["object_list"]]


def test_list_sorts_by_column(admin_client):
    create_phone(PhoneData("0004f2000002", "yealinkPhoneT46", "Zulu"))
    create_phone(PhoneData("0004f2000001", "snom720", "alpha"))
    create_phone(PhoneData("0004f2000003", "polycomVVX300", "Mike"))
    url = reverse("phones:phone_list")
    assert serials(admin_client.get(url)) == ["0004f2000001", "0004f2000002", "0004f2000003"]
    assert serials(admin_client.get(url, {"ordering": "-serial_number"}))[0] == "0004f2000003"
    # By the model's name as shown (Polycom, Snom, Yealink), not by the catalogue's id.
    assert serials(admin_client.get(url, {"ordering": "model"})) == ["0004f2000003", "0004f2000001", "0004f2000002"]
    assert serials(admin_client.get(url, {"ordering": "-description"}))[0] == "0004f2000002"
    page = html(admin_client.get(url, {"ordering": "model", "q": "0004f2"}))
    assert '<th scope="col" aria-sort="ascending"><a class="sort" href="?ordering=-model&amp;q=0004f2">Model' in page
    assert '<a class="sort" href="?ordering=serial_number&amp;q=0004f2">Serial number' in page
    # An order the page does not offer is its default order, not an error.
    response = admin_client.get(url, {"ordering": "lines__user__pin"})
    assert response.status_code == 200 and serials(response)[0] == "0004f2000001"


def test_search_finds_every_word_in_any_column(admin_client, phone):
    create_phone(PhoneData("805ec0112233", "yealinkPhoneT46", "Meeting room"))
    url = reverse("phones:phone_list")
    assert serials(admin_client.get(url, {"q": "reception 0004f2"})) == ["0004f2a1b2c3"]
    assert serials(admin_client.get(url, {"q": "room meeting"})) == ["805ec0112233"]
    assert serials(admin_client.get(url, {"q": "meeting reception"})) == []


# --- create / edit / delete -------------------------------------------------------------------------------


def test_create_phone(admin_client, alice, bob):
    page = html(admin_client.get(reverse("phones:phone_add")))
    assert '<optgroup label="Yealink">' in page and 'list="phone-versions"' in page
    response = admin_client.post(
        reverse("phones:phone_add"),
        {
            "serial_number": "00:04:F2:AA:BB:CC",
            "model": "polycom550",
            "version": "3.2",
            "description": "Desk",
            "lines": "alice, 201",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("phones:phone_list")
    phone = Phone.objects.get(serial_number="0004f2aabbcc")
    assert (phone.model, phone.version, phone.description) == ("polycom550", "3.2.X", "Desk")
    assert [line.user.username for line in phone.lines.order_by("position")] == ["200", "201"]


def test_create_default_version_and_no_lines(admin_client):
    admin_client.post(reverse("phones:phone_add"), {"serial_number": "001122334455", "model": "snom720"})
    assert Phone.objects.get().version == "10.1.X"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"serial_number": "12345"}, "serial_number", "12 hexadecimal digits"),
        ({"model": "nokia"}, "model", "Select a valid choice"),
        ({"version": "9.9"}, "version", "has no firmware version"),
        ({"lines": "alice, nobody"}, "lines", "There is no user &quot;nobody&quot;"),
        ({"lines": "alice, bob, 200"}, "lines", "has a line on this phone already"),
        ({"model": "polycom5000", "version": "", "lines": "alice, bob"}, "lines", "has 1 lines, not 2"),
    ],
)
def test_bad_create_keeps_input_and_shows_errors(admin_client, alice, bob, data, field, message):
    post = {
        "serial_number": "0004f2aabbcc",
        "model": "polycom550",
        "version": "",
        "description": "Kept",
        "lines": "alice",
    }
    post.update(data)
    response = admin_client.post(reverse("phones:phone_add"), post)
    assert response.status_code == 200
    assert message in html(response)
    assert field in response.context["form"].errors
    assert 'value="Kept"' in html(response)
    assert not Phone.objects.exists()


def test_duplicate_serial_is_refused(admin_client, phone):
    response = admin_client.post(
        reverse("phones:phone_add"), {"serial_number": "00-04-f2-a1-b2-c3", "model": "polycom300"}
    )
    # A sentence of ours, not Django's "Phone with this Serial number already exists."
    assert response.status_code == 200 and "Another phone already has this serial number." in html(response)
    assert "with this Serial number" not in html(response)
    assert Phone.objects.count() == 1


def test_edit_phone(admin_client, phone, alice, bob):
    url = reverse("phones:phone_edit", args=[phone.pk])
    page = html(admin_client.get(url))
    assert 'value="200, 201"' in page and "disabled" in page and "Delete" in page
    response = admin_client.post(
        url,
        {
            "serial_number": "ffffffffffff",
            "model": "polycom650",
            "version": "4.0",
            "description": "Lobby",
            "lines": "bob",
        },
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert (phone.serial_number, phone.model, phone.version, phone.description) == (
        "0004f2a1b2c3",
        "polycom650",
        "4.0.X",
        "Lobby",
    )
    assert [line.user.username for line in phone.lines.all()] == ["201"]
    admin_client.post(url, {"model": "polycom650", "version": "", "description": "", "lines": "bob, alice"})
    assert [(line.user.username, line.position) for line in phone.lines.all()] == [("201", 0), ("200", 1)]


def test_bad_edit_keeps_input(admin_client, phone):
    url = reverse("phones:phone_edit", args=[phone.pk])
    response = admin_client.post(
        url, {"model": "polycom5000", "version": "", "description": "New", "lines": "200, bob"}
    )
    assert response.status_code == 200 and "has 1 lines, not 2" in html(response) and 'value="New"' in html(response)
    phone.refresh_from_db()
    assert phone.model == "polycomVVX300" and phone.lines.count() == 2


def test_delete_confirms(admin_client, phone):
    url = reverse("phones:phone_delete", args=[phone.pk])
    assert "Yes, delete" in html(admin_client.get(url))
    assert admin_client.post(url).status_code == 302
    assert not Phone.objects.exists()


# --- CSV import: preview, then all or nothing ---------------------------------------------------------------

CSV = b"""serial,model,description,user
0004f2a1b2c3,polycomVVX300,Reception,alice
0004f2a1b2c3,polycomVVX300,Duplicate,
00:04:f2:00:00:01,nokia3310,Unknown model,
805ec0112233,yealinkPhoneT46,"Meeting room, 2nd floor",
bad
805ec0445566,yealinkPhoneT46,Bob's desk,bob,extra
805ec0778899,yealinkPhoneT46,,ghost
"""


def upload(content: bytes, name="phones.csv"):
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def confirm(admin_client, preview):
    """Posts the preview's "Import" button as the browser would."""
    form = preview.context["confirm"]
    assert form is not None, "the preview offers no import"
    data = {"token": form.initial["token"], "file_name": form.initial["file_name"]}
    return admin_client.post(reverse("phones:phone_import_confirm"), data)


def test_csv_import_preview_names_every_problem_and_imports_nothing(admin_client, alice):
    response = admin_client.post(reverse("phones:phone_import"), upload(CSV))
    assert response.status_code == 200
    problems = {row.line: (row.serial, row.error) for row in response.context["problems"]}
    assert sorted(problems) == [3, 4, 6, 7, 8]
    assert "is given twice" in problems[3][1] and 'unknown phone model "nokia3310"' in problems[4][1]
    assert "found 1" in problems[6][1] and "found 5" in problems[7][1] and '"ghost"' in problems[8][1]
    page = html(response)
    assert "5 problems: nothing can be imported" in page
    # Each problem as a sentence, on the row of its line and phone.
    row = '<td class="num">4</td><td><code>00:04:f2:00:00:01</code> Unknown model</td><td>Unknown phone model'
    assert row in page
    assert response.context["confirm"] is None and "phone_import_confirm" not in page
    assert not Phone.objects.exists()


def test_csv_import_preview_then_one_click_imports_all(admin_client, alice):
    good = b"serial,model,description,user\n0004f2a1b2c3,polycomVVX300,Reception,alice\n805ec0112233,yealinkPhoneT46,,"
    preview = admin_client.post(reverse("phones:phone_import"), upload(good))
    assert "2 phones ready to import" in html(preview) and "Import 2 phones" in html(preview)
    assert not Phone.objects.exists()  # the preview writes nothing
    response = confirm(admin_client, preview)
    assert response.status_code == 302 and response["Location"] == reverse("phones:phone_list")
    assert sorted(Phone.objects.values_list("serial_number", flat=True)) == ["0004f2a1b2c3", "805ec0112233"]
    assert [line.user.username for line in Phone.objects.get(serial_number="0004f2a1b2c3").lines.all()] == ["200"]
    page = html(admin_client.get(reverse("phones:phone_list")))
    assert "2 phones imported from phones.csv." in page
    assert AuditEntry.objects.filter(kind="phone", key="805ec0112233", action="create", actor="superadmin").exists()
    # The file was used up: the same button again imports nothing.
    again = confirm(admin_client, preview)
    assert again["Location"] == reverse("phones:phone_import") and Phone.objects.count() == 2


def test_csv_import_refuses_all_when_a_row_went_bad_since_the_preview(admin_client, alice):
    good = b"0004f2a1b2c3,polycomVVX300\n805ec0112233,yealinkPhoneT46\n"
    preview = admin_client.post(reverse("phones:phone_import"), upload(good))
    create_phone(PhoneData("805ec0112233", "polycom300"))  # another administrator, meanwhile
    response = confirm(admin_client, preview)
    assert response.status_code == 200 and "nothing was imported" in html(response)
    assert [(row.line, row.error) for row in response.context["problems"]] == [
        (2, "a phone with serial number 805ec0112233 already exists.")
    ]
    assert list(Phone.objects.values_list("serial_number", flat=True)) == ["805ec0112233"]


def test_csv_import_token_is_the_uploaders_only(admin_client, client, make_user, alice):
    preview = admin_client.post(reverse("phones:phone_import"), upload(b"0004f2a1b2c3,polycom300\n"))
    token = preview.context["confirm"].initial["token"]
    client.force_login(make_user("299", is_admin=True))
    response = client.post(reverse("phones:phone_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("phones:phone_import")
    for bad in ("", "x" * 32, "../../etc/passwd"):
        admin_client.post(reverse("phones:phone_import_confirm"), {"token": bad})
    assert not Phone.objects.exists()
    page = html(client.get(reverse("phones:phone_import")))
    assert "The uploaded file is no longer available: upload it again." in page


def test_csv_import_reads_excel_semicolons_and_model_names(admin_client, alice):
    """European Excel saves `;`-separated CSV; the model as the pages name it is accepted."""
    excel = (
        "\ufeffSerial;Model;Description;User\r\n"
        "0004f2a1b2c3;Yealink T46G/T46S;Réception, rez-de-chaussée;alice\r\n"
        "805ec0112233;polycom vvx 300/310;;\r\n"
    ).encode()
    preview = admin_client.post(reverse("phones:phone_import"), upload(excel, "téléphones.csv"))
    assert not preview.context["problems"]
    assert "Yealink T46G/T46S" in html(preview)
    confirm(admin_client, preview)
    phone = Phone.objects.get(serial_number="0004f2a1b2c3")
    assert (phone.model, phone.description) == ("yealinkPhoneT46", "Réception, rez-de-chaussée")
    assert Phone.objects.get(serial_number="805ec0112233").model == "polycomVVX300"


def test_csv_without_header_and_blank_lines(admin_client):
    preview = admin_client.post(reverse("phones:phone_import"), upload(b"\xef\xbb\xbf0004f2a1b2c3,polycom300\r\n\r\n"))
    confirm(admin_client, preview)
    assert Phone.objects.get().description == ""


def test_undecodable_or_empty_file_is_an_error(admin_client):
    response = admin_client.post(reverse("phones:phone_import"), upload(b"\xff\xfe\x00s\x00e\x00r"))
    assert response.status_code == 200
    assert "not UTF-8 text" in html(response) and not Phone.objects.exists()
    assert "This field is required" in html(admin_client.post(reverse("phones:phone_import"), {}))
    assert "The file has no phones" in html(admin_client.post(reverse("phones:phone_import"), upload(b"serial\n")))


def test_csv_parse_errors():
    with pytest.raises(importers.CsvImportError, match="NUL"):
        importers.parse(b"a,b\x00")
    with pytest.raises(importers.CsvImportError, match="Line 1"):
        importers.parse(b'"0004f2a1b2c3"x,polycom300\n')


# --- constant queries -------------------------------------------------------------------------------------


def make_many(count: int, users):
    """Phones with a line per user, stored by the bulk service (a fixed number of queries)."""
    have = Phone.objects.count()
    lines = [u.username for u in users]
    upsert_phones([PhoneData(f"0004f2{i:06x}", "polycom650", f"phone {i}", lines=lines) for i in range(have, count)])


def test_list_uses_constant_queries(admin_client, alice, bob, settings):
    url = reverse("phones:phone_list") + "?page=1"
    filters = "&user=bob&model=polycom650&q=phone+650&ordering=-model&per_page=50&page=2"
    make_many(60, [alice, bob])
    small = count_queries(admin_client.get, url)
    filtered = count_queries(admin_client.get, url + filters)
    make_many(200, [alice, bob])
    assert count_queries(admin_client.get, url) == small
    assert count_queries(admin_client.get, url + filters) == filtered
