"""HTML pages of the phonebooks: admin list/create/edit/entries/import/export/settings, portal "my phonebook"
(merged view, search, pagination, private entries, show on phone, export); roles; constant query counts."""

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

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


def test_import_page_result_and_bad_file(admin_client, demo):
    book = Phonebook.objects.get(name="sales")
    upload = SimpleUploadedFile("outlook.csv", (FILES / "outlook.csv").read_bytes(), content_type="text/csv")
    page = admin_client.post(f"/phonebooks/{book.pk}/import/", {"file": upload}).content.decode()
    assert "Imported: 2" in page and "Outlook CSV" in page
    assert book.entries.count() == 3
    upload = SimpleUploadedFile("bad-row.csv", (FILES / "bad-row.csv").read_bytes(), content_type="text/csv")
    page = admin_client.post(f"/phonebooks/{book.pk}/import/", {"file": upload}).content.decode()
    assert "Imported: 0" in page and "Rejected: 2" in page and "it has no phone number" in page
    assert book.entries.count() == 3
    upload = SimpleUploadedFile("x.csv", b"Name,Email\n", content_type="text/csv")
    page = admin_client.post(f"/phonebooks/{book.pk}/import/", {"file": upload}).content.decode()
    assert "header row" in page
    upload = SimpleUploadedFile("v.vcf", (FILES / "contacts-3.0.vcf").read_bytes())
    admin_client.post(f"/phonebooks/{book.pk}/import/", {"file": upload, "replace": "on"})
    assert sorted(book.entries.values_list("last_name", flat=True)) == ["Dijkstra", "Knuth"]


def test_exports(admin_client, demo):
    book = Phonebook.objects.get(name="support")
    response = admin_client.get(f"/phonebooks/{book.pk}/export/?format=csv")
    assert response["Content-Disposition"] == f'attachment; filename="phonebook-{book.pk}.csv"'
    data = body(response).decode()
    assert data.startswith('"First Name","Last Name","Number"') and '"Grace","Hopper","+15550001111"' in data
    vcf = body(admin_client.get(f"/phonebooks/{book.pk}/export/?format=vcard")).decode()
    assert vcf.count("BEGIN:VCARD") == 2


def test_settings_page(admin_client):
    admin_client.post("/phonebooks/settings/", {"everyone": "on", "google_domain": "example.com"})
    settings = PhonebookSettings.load()
    assert settings.everyone and settings.google_domain == "example.com"


def test_my_phonebook_page(alice_client):
    page = alice_client.get("/portal/phonebook/").content.decode()
    for text in ("Lovelace", "Babbage", "Smith", "Jones", "Emporer", "5 in all", 'id="id_show_on_phone" checked'):
        assert text in page, text
    # The call buttons exist only where click-to-call does.
    assert ("button small secondary call" in page) == django_apps.is_installed("apps.callcontrol")
    page = alice_client.get("/portal/phonebook/?q=bab").content.decode()
    assert "Babbage" in page and "Lovelace" not in page
    page = alice_client.get("/portal/phonebook/?page=x").content.decode()
    assert "Page 1 of 1" in page


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
    "/phonebooks/{sales}/",
    "/phonebooks/{sales}/?q=l1",
    "/portal/phonebook/",
    "/portal/phonebook/?page=2",
    "/portal/phonebook/?q=q1",
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
