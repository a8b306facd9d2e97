"""The phonebook lists as a user and an administrator meet them: "My phonebook" sorted by name (not by number as
text), its company and source columns, sortable columns and page numbers; one search of contacts on the admin's
phonebook page and the portal (first, last and full name, company, number, e-mail); a shared phonebook's imported
entries edited, added and deleted one by one, each in the audit log."""

import pytest

from apps.audit.models import AuditEntry
from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry
from apps.users.models import User, UserProfile
from tests.conftest import unlabelled


@pytest.fixture
def admin_user(demo):
    """The demo's administrator, whom tests/conftest.py's admin_client logs in."""
    return User.objects.get(username="superadmin")


@pytest.fixture
def alice_client(client, demo):
    client.force_login(User.objects.get(username="200"))
    return client


def names(response) -> list[str]:
    return [f"{row.first_name} {row.last_name}".strip() for row in response.context["object_list"]]


def html(response) -> str:
    return unlabelled(response.content.decode())


def test_my_phonebook_is_sorted_by_name_with_colleagues_on_the_first_page(alice_client):
    """40 imported numbers that sort before "201" as text: Bob Jones (201) was on the last page."""
    sales = Phonebook.objects.get(name="sales")
    services.add_entries(
        [{"first_name": "Zoe", "last_name": f"Zimmer {i:02d}", "number": f"+1555000{i:04d}"} for i in range(40)],
        phonebook=sales,
    )
    response = alice_client.get("/portal/phonebook/")
    first = names(response)
    assert "Bob Jones" in first and "Ada Lovelace" in first
    assert first.index("Charles Babbage") < first.index("Bob Jones") < first.index("Ada Lovelace")
    assert len(first) == 25 and first[-1] == "Zoe Zimmer 19"
    page = html(response)
    assert '<th scope="col" aria-sort="ascending"><a class="sort" href="?ordering=-name">Last name' in page
    assert 'href="?page=2" aria-label="Page 2"' in page and "Page 1 of 2 (45 in all)" in page
    # The other orders: last name descending, by first name, by number.
    assert names(alice_client.get("/portal/phonebook/?ordering=-name"))[0] == "Zoe Zimmer 39"
    assert names(alice_client.get("/portal/phonebook/?ordering=first_name"))[0] == "Ada Lovelace"
    by_number = alice_client.get("/portal/phonebook/?ordering=number&per_page=50")
    numbers = [row.number for row in by_number.context["object_list"]]
    assert numbers == sorted(numbers) and len(numbers) == 45
    # Page 2 keeps the order; a page size of 10 gives 5 pages.
    assert names(alice_client.get("/portal/phonebook/?page=2"))[0] == "Zoe Zimmer 20"
    assert "Page 1 of 5" in html(alice_client.get("/portal/phonebook/?per_page=10"))


def test_my_phonebook_names_the_phonebook_and_the_company(alice_client):
    sales = Phonebook.objects.get(name="sales")
    sales.name = "Sales directory"
    sales.save()
    ken = {"first_name": "Ken", "last_name": "Olsen", "number": "978", "company_name": "DEC"}
    services.add_entries([ken], phonebook=sales)
    UserProfile.objects.update_or_create(user=User.objects.get(username="201"), defaults={"company_name": "Acme"})
    rows = {f"{r.first_name} {r.last_name}": r for r in alice_client.get("/portal/phonebook/").context["object_list"]}
    assert (rows["Ken Olsen"].source_name, rows["Ken Olsen"].company) == ("Sales directory", "DEC")
    assert (rows["Bob Jones"].source_name, rows["Bob Jones"].company) == ("Colleague", "Acme")
    assert rows["Ada Lovelace"].source_name == "Private"
    page = html(alice_client.get("/portal/phonebook/?q=olsen"))
    assert "<td>DEC</td>" in page and "<td>Sales directory</td>" in page and "shared" not in page


# The same contacts on both lists: the support phonebook's entries, seen by Carol (202, a support consumer) and
# listed on the phonebook's admin page.
SEARCHES = [
    ("grace", ["Grace Hopper"]),  # first name
    ("HOPPER", ["Grace Hopper"]),  # last name, any case
    ("grace hopper", ["Grace Hopper"]),  # full name: each word in a field
    ("hopper grace", ["Grace Hopper"]),
    ("grace support", []),  # every word must match
    ("navy", ["Grace Hopper"]),  # company
    ("acme.example", ["Acme Support"]),  # e-mail
    ("5550001", ["Grace Hopper"]),  # part of the number
    ("%", []),
]


@pytest.fixture
def support_book(demo):
    book = Phonebook.objects.get(name="support")
    hopper = book.entries.get(last_name="Hopper")
    services.update_entry(book, hopper, {**services.entry_fields(hopper), "company_name": "US Navy"})
    acme = book.entries.get(last_name="Support")
    services.update_entry(book, acme, {**services.entry_fields(acme), "email_address": "help@acme.example"})
    return book


@pytest.mark.parametrize(("query", "expected"), SEARCHES)
def test_one_search_on_the_admin_page_and_the_portal(admin_client, client, support_book, query, expected):
    admin = admin_client.get(f"/phonebooks/{support_book.pk}/", {"q": query})
    assert names(admin) == expected
    client.force_login(User.objects.get(username="202"))
    portal = client.get("/portal/phonebook/", {"q": query})
    assert [n for n in names(portal) if n in ("Grace Hopper", "Acme Support")] == expected


def test_portal_search_finds_colleagues_by_full_name_alias_company_and_email(alice_client, make_user):
    bob = User.objects.get(username="201")
    UserProfile.objects.update_or_create(user=bob, defaults={"company_name": "Initech", "email_address": "bob@x.org"})
    for query in ("bob jones", "jones", "initech", "bob@x", "201"):
        assert names(alice_client.get("/portal/phonebook/", {"q": query})) == ["Bob Jones"], query


def test_detail_page_sorts_and_pages(admin_client, support_book):
    services.add_entries(
        [{"first_name": f"F{i:02d}", "last_name": "Zed", "number": f"7{i:02d}"} for i in range(30)],
        phonebook=support_book,
    )
    url = f"/phonebooks/{support_book.pk}/"
    assert names(admin_client.get(url))[:2] == ["Grace Hopper", "Acme Support"]
    assert names(admin_client.get(url, {"ordering": "-number"}))[0] == "F29 Zed"
    assert names(admin_client.get(url, {"ordering": "company"}))[0] == "Grace Hopper"  # the only company
    page = html(admin_client.get(url, {"ordering": "first_name", "per_page": 10, "page": 2}))
    assert "Page 2 of 4" in page and 'href="?ordering=first_name&amp;per_page=10&amp;page=3"' in page


def test_phonebook_list_sorts_by_entries(admin_client, support_book):
    response = admin_client.get("/phonebooks/", {"ordering": "-entries"})
    assert [b.name for b in response.context["object_list"]] == ["support", "sales"]
    assert [b.name for b in admin_client.get("/phonebooks/").context["object_list"]] == ["sales", "support"]


def test_imported_entries_are_edited_added_and_deleted_one_by_one(admin_client, support_book):
    book = support_book
    hopper = book.entries.get(last_name="Hopper")
    page = html(admin_client.get(f"/phonebooks/{book.pk}/"))
    assert f'href="/phonebooks/{book.pk}/entries/{hopper.pk}/" aria-label="Edit Grace Hopper +15550001111"' in page
    form = html(admin_client.get(f"/phonebooks/{book.pk}/entries/{hopper.pk}/"))
    assert 'value="US Navy"' in form and f"/phonebooks/{book.pk}/entries/{hopper.pk}/delete/" in form
    data = {"first_name": "Grace", "last_name": "Hopper", "number": "+15550002222", "company_name": "Navy"}
    response = admin_client.post(f"/phonebooks/{book.pk}/entries/{hopper.pk}/", data)
    assert response.status_code == 302 and response["Location"] == f"/phonebooks/{book.pk}/"
    hopper.refresh_from_db()
    assert (hopper.number, hopper.company_name) == ("+15550002222", "Navy")
    assert AuditEntry.objects.filter(kind=services.ENTRY, key=f"support/{hopper.pk}", action="update").exists()
    # The rules of an imported entry: a number is needed, names are not.
    page = html(admin_client.post(f"/phonebooks/{book.pk}/entries/{hopper.pk}/", {**data, "number": ""}))
    assert "This field is required." in page
    response = admin_client.post(f"/phonebooks/{book.pk}/entries/add/", {"number": "911", "company_name": "Police"})
    assert response.status_code == 302
    police = book.entries.get(number="911")
    assert AuditEntry.objects.filter(kind=services.ENTRY, key=f"support/{police.pk}", action="create").exists()
    assert "Delete" in html(admin_client.get(f"/phonebooks/{book.pk}/entries/{police.pk}/delete/"))
    assert admin_client.post(f"/phonebooks/{book.pk}/entries/{police.pk}/delete/").status_code == 302
    assert not PhonebookEntry.objects.filter(pk=police.pk).exists()
    assert AuditEntry.objects.filter(kind=services.ENTRY, key=f"support/{police.pk}", action="delete").exists()
    # Another phonebook's entry is not this one's.
    sales = Phonebook.objects.get(name="sales")
    assert admin_client.get(f"/phonebooks/{sales.pk}/entries/{hopper.pk}/").status_code == 404
    assert admin_client.post(f"/phonebooks/{sales.pk}/entries/{hopper.pk}/delete/").status_code == 404


def test_entry_pages_need_an_admin(client, support_book):
    hopper = support_book.entries.get(last_name="Hopper")
    client.force_login(User.objects.get(username="200"))
    assert client.get(f"/phonebooks/{support_book.pk}/entries/{hopper.pk}/").status_code == 403
    assert client.post(f"/phonebooks/{support_book.pk}/entries/{hopper.pk}/delete/").status_code == 403
    assert PhonebookEntry.objects.filter(pk=hopper.pk).exists()
