"""HTML pages of the phonebooks: admin list/create/edit/entries (each one edited or deleted)/import (preview, then all
or nothing)/export/settings, portal "my phonebook" (merged view sorted by name, the search of every list, sorting,
pages, private entries, show on phone, export); roles; constant query counts."""

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.audit.models import AuditEntry
from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry, PhonebookSettings, PrivatePhonebook
from apps.users.models import UserGroup
from tests.conftest import count_queries
from tests.phonebooks.conftest import FILES, body


@pytest.fixture
def admin_user(demo):
    """The demo's administrator, whom tests/conftest.py's admin_client logs in."""
    from apps.users.models import User

    return User.objects.get(username="superadmin")


@pytest.fixture
def alice_client(client, demo):
    from apps.users.models import User

    client.force_login(User.objects.get(username="200"))
    return client


def test_admin_pages_need_an_admin(client, make_user):
    user = make_user("300")
    assert client.get("/phonebooks/").status_code == 302
    client.force_login(user)
    assert client.get("/phonebooks/").status_code == 403
    assert client.get("/phonebooks/settings/").status_code == 403


def test_list_with_counts(admin_client, demo):
    page = admin_client.get("/phonebooks/").content.decode()
    assert "sales" in page and "support" in page
    sales = page[page.index(">sales<") :]
    assert '<td class="num">2</td>' in sales[:600] and '<td class="num">1</td>' in sales[:600]


def test_create_edit_delete(admin_client, demo):
    sales, support = UserGroup.objects.get(name="sales"), UserGroup.objects.get(name="support")
    response = admin_client.post(
        "/phonebooks/add/",
        {"name": "all", "description": "Everybody", "members": [sales.pk], "consumers": [support.pk]},
    )
    assert response.status_code == 302
    book = Phonebook.objects.get(name="all")
    assert list(book.members.all()) == [sales] and list(book.consumers.all()) == [support]
    assert admin_client.post("/phonebooks/add/", {"name": "all"}).status_code == 200  # unique name
    admin_client.post(f"/phonebooks/{book.pk}/edit/", {"name": "all", "members": [support.pk], "consumers": []})
    assert list(book.members.all()) == [support] and not book.consumers.exists()
    assert admin_client.post(f"/phonebooks/{book.pk}/delete/").status_code == 302
    assert not Phonebook.objects.filter(name="all").exists()


def test_detail_search_and_pagination(admin_client, demo):
    book = Phonebook.objects.get(name="support")
    services.add_entries(
        [{"first_name": f"N{i}", "last_name": f"Z{i:02d}", "number": str(i)} for i in range(30)], phonebook=book
    )
    page = admin_client.get(f"/phonebooks/{book.pk}/").content.decode()
    assert "Page 1 of 2" in page and "Acme" in page
    page = admin_client.get(f"/phonebooks/{book.pk}/?q=hopper").content.decode()
    assert "Grace" in page and "Acme" not in page
    assert admin_client.get("/phonebooks/99999/").status_code == 404


def upload(name: str, content: bytes | None = None, **data):
    content = (FILES / name).read_bytes() if content is None else content
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **data}


def confirm(client, book, preview):
    """Posts the preview's "Import" button as the browser would."""
    form = preview.context["confirm"]
    assert form is not None, "the preview offers no import"
    return client.post(f"/phonebooks/{book.pk}/import/confirm/", {**form.initial, "replace": form.initial["replace"]})


def test_import_preview_then_one_click(admin_client, demo):
    book = Phonebook.objects.get(name="sales")
    preview = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("outlook.csv"))
    page = preview.content.decode()
    assert "2 entries ready to import" in page and "Outlook CSV" in page and "Import 2 entries" in page
    assert "Hamilton" in page and "MIT" in page  # what will be imported, before it is
    assert book.entries.count() == 1  # the preview writes nothing
    response = confirm(admin_client, book, preview)
    assert response.status_code == 302 and response["Location"] == f"/phonebooks/{book.pk}/"
    assert book.entries.count() == 3
    assert "2 entries imported into sales from outlook.csv." in admin_client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(kind="phonebook", key="sales", actor="superadmin").exists()
    # The file is used up: the button again imports nothing.
    assert confirm(admin_client, book, preview)["Location"] == f"/phonebooks/{book.pk}/import/"
    assert book.entries.count() == 3


def test_import_preview_names_every_bad_row_and_imports_nothing(admin_client, demo):
    book = Phonebook.objects.get(name="sales")
    response = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("bad-row.csv"))
    assert response.context["problems"] == [
        (3, "No Number", "it has no phone number"),
        (5, "Too Many", "4 fields, but the header has 3"),
    ]
    page = response.content.decode()
    assert "2 bad rows: nothing can be imported" in page and response.context["confirm"] is None
    assert '<td class="num">3</td><td>No Number</td><td>It has no phone number.</td>' in page
    assert book.entries.count() == 1
    page = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("x.csv", b"Name,Email\n")).content.decode()
    assert "header row" in page
    page = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("x.csv", b"Number\n")).content.decode()
    assert "The file has no contacts" in page


def test_import_replace_and_a_row_gone_bad_meanwhile(admin_client, demo, settings):
    book = Phonebook.objects.get(name="sales")
    preview = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("contacts-3.0.vcf", replace="on"))
    assert "1 imported entry will be replaced" in preview.content.decode()
    confirm(admin_client, book, preview)
    assert sorted(book.entries.values_list("last_name", flat=True)) == ["Dijkstra", "Knuth"]
    # A file that reads differently at the click than at the preview (here: a longer limit at the preview) is refused
    # whole, naming the row.
    long = b"First Name,Last Name,Number\nAda,Lovelace,1\nBob," + b"x" * 300 + b",2\n"
    settings_max = services.MAX_LEN
    services.MAX_LEN = 1000
    try:
        preview = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("long.csv", long))
    finally:
        services.MAX_LEN = settings_max
    response = confirm(admin_client, book, preview)
    assert response.status_code == 200 and "nothing was imported" in response.content.decode()
    assert [p[:2] for p in response.context["problems"]] == [(3, "Bob " + "x" * 300)]
    assert book.entries.count() == 2


def test_import_reads_excel_semicolons(admin_client, demo):
    book = Phonebook.objects.get(name="support")
    excel = "\ufeffFirst Name;Last Name;Number;Company Name\r\nJosé;Núñez;+34 91 555 0101;Acme, S.L.\r\n".encode()
    preview = admin_client.post(f"/phonebooks/{book.pk}/import/", upload("contactos.csv", excel))
    assert not preview.context["problems"], preview.context["problems"]
    confirm(admin_client, book, preview)
    entry = book.entries.get(last_name="Núñez")
    assert (entry.first_name, entry.number, entry.company_name) == ("José", "+34 91 555 0101", "Acme, S.L.")


def test_exports_are_named_after_the_phonebook(admin_client, demo):
    book = Phonebook.objects.get(name="support")
    book.name = "Support directory"
    book.save()
    response = admin_client.get(f"/phonebooks/{book.pk}/export/?format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="phonebook-support-directory.csv"'
    data = body(response).decode()
    assert data.startswith('"First Name","Last Name","Number"') and '"Grace","Hopper","+15550001111"' in data
    vcf = admin_client.get(f"/phonebooks/{book.pk}/export/?format=vcard")
    assert vcf["Content-Disposition"] == 'attachment; filename="phonebook-support-directory.vcf"'
    assert body(vcf).decode().count("BEGIN:VCARD") == 2
    # For Excel: the same CSV after the UTF-8 byte order mark.
    excel = body(admin_client.get(f"/phonebooks/{book.pk}/export/?format=csv&excel=1"))
    assert excel == b"\xef\xbb\xbf" + data.encode()
    book.name = "日本"
    book.save()
    response = admin_client.get(f"/phonebooks/{book.pk}/export/?format=csv")
    assert response["Content-Disposition"] == f'attachment; filename="phonebook-{book.pk}.csv"'


def test_settings_page(admin_client):
    admin_client.post("/phonebooks/settings/", {"everyone": "on", "google_domain": "example.com"})
    settings = PhonebookSettings.load()
    assert settings.everyone and settings.google_domain == "example.com"


def test_my_phonebook_page(alice_client):
    page = alice_client.get("/portal/phonebook/").content.decode()
    for text in ("Lovelace", "Babbage", "Smith", "Jones", "Emporer", "5 in all", 'id="id_show_on_phone" checked'):
        assert text in page, text
    # The call buttons exist only where click-to-call does.
    assert (">Call</button>" in page) == django_apps.is_installed("apps.callcontrol")
    page = alice_client.get("/portal/phonebook/?q=bab").content.decode()
    assert "Babbage" in page and "Lovelace" not in page
    page = alice_client.get("/portal/phonebook/?page=x").content.decode()
    assert "Lovelace" in page and "5 in all" in page


def test_private_entry_add_edit_delete(alice_client):
    fields = {"first_name": "Grace", "last_name": "Kelly", "number": "555", "email_address": "g@example.org"}
    response = alice_client.post("/portal/phonebook/add/", {**fields, "office_city": "Monaco"})
    assert response.status_code == 302
    entry = PhonebookEntry.objects.get(last_name="Kelly")
    assert entry.office_address == {"city": "Monaco"} and entry.email_address == "g@example.org"
    page = alice_client.post("/portal/phonebook/add/", fields).content.decode()
    assert "already have an entry" in page
    page = alice_client.post("/portal/phonebook/add/", {**fields, "email_address": "nope"}).content.decode()
    assert "valid e-mail" in page
    form = alice_client.get(f"/portal/phonebook/{entry.pk}/").content.decode()
    assert 'value="Monaco"' in form
    alice_client.post(f"/portal/phonebook/{entry.pk}/", {**fields, "number": "556", "job_title": "Princess"})
    entry.refresh_from_db()
    assert (entry.number, entry.job_title, entry.office_address) == ("556", "Princess", {})
    assert alice_client.post(f"/portal/phonebook/{entry.pk}/delete/").status_code == 302
    assert not PhonebookEntry.objects.filter(pk=entry.pk).exists()


def test_other_users_entries_are_404(client, demo):
    from apps.users.models import User

    ada = PhonebookEntry.objects.get(first_name="Ada")
    client.force_login(User.objects.get(username="201"))
    assert client.get(f"/portal/phonebook/{ada.pk}/").status_code == 404
    assert client.post(f"/portal/phonebook/{ada.pk}/delete/").status_code == 404


def test_show_on_phone_and_export(alice_client):
    alice_client.post("/portal/phonebook/show-on-phone/", {})
    assert PrivatePhonebook.objects.get(user__username="200").show_on_phone is False
    alice_client.post("/portal/phonebook/show-on-phone/", {"show_on_phone": "on"})
    assert PrivatePhonebook.objects.get(user__username="200").show_on_phone is True
    data = body(alice_client.get("/portal/phonebook/export/")).decode()
    assert data.count("\n") == 6 and '"Ada","Lovelace","+15551234567"' in data
    response = alice_client.get("/portal/phonebook/export/?excel=1")
    assert response["Content-Disposition"] == 'attachment; filename="phonebook-alice-smith.csv"'
    assert body(response).decode("utf-8") == "\ufeff" + data
    assert body(alice_client.get("/portal/phonebook/export/?format=vcard")).decode().count("END:VCARD") == 5


def _grow(n):
    sales = Phonebook.objects.get(name="sales")
    services.add_entries(
        [{"first_name": f"F{i}", "last_name": f"L{i}", "number": f"9{i:05d}"} for i in range(n)], phonebook=sales
    )
    from apps.users.models import User

    services.add_entries(
        [{"first_name": "P", "last_name": f"Q{i}", "number": f"8{i:04d}"} for i in range(n)],
        private=services.private_phonebook(User.objects.get(username="200"), create=True),
    )
    for i in range(n // 100 + 1):
        Phonebook.objects.create(name=f"extra{n}-{i}").consumers.add(UserGroup.objects.get(name="support"))


PAGES = [
    "/phonebooks/",
    "/phonebooks/?ordering=-entries",
    "/phonebooks/{sales}/",
    "/phonebooks/{sales}/?q=l1",
    "/phonebooks/{sales}/?q=f1+l1&ordering=-company&per_page=10&page=2",
    "/portal/phonebook/",
    "/portal/phonebook/?page=2",
    "/portal/phonebook/?q=q1",
    "/portal/phonebook/?q=p+q1&ordering=-number&per_page=10&page=2",
    "/portal/phonebook/export/",
    "/phonebooks/{sales}/export/?format=vcard",
]


def test_pages_constant_queries(demo):
    """Every page costs as many queries with 2,000 more entries as with 30. Each world is built once for all the
    pages (2,000 entries cost seconds); the admin pages as the administrator, the portal as 200."""
    from apps.users.models import User

    sales = Phonebook.objects.get(name="sales").pk
    clients = {name: Client() for name in ("superadmin", "200")}
    for name, client in clients.items():
        client.force_login(User.objects.get(username=name))
    pages = [
        (clients["superadmin" if url.startswith("/phonebooks/") else "200"], url.format(sales=sales)) for url in PAGES
    ]
    for client, url in pages:
        client.get(url)  # the first request creates the settings row and loads the session
    _grow(30)  # page 2 must have rows in both runs
    small = [(url, count_queries(client.get, url)) for client, url in pages]
    _grow(2000)
    assert [(url, count_queries(client.get, url)) for client, url in pages] == small
