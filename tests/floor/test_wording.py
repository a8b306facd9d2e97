"""Wording of the pages: errors as sentences with a capital, never Django's "X with this Y already exists.", a
message after logging out, and the same list behaviour (search words, page numbers, page sizes) on every list
page built on sipxweb.pages.ListPage."""

import pytest

from apps.users.models import UserGroup


def test_a_taken_name_is_a_sentence_of_ours(admin_client):
    UserGroup.objects.create(name="sales")
    response = admin_client.post("/users/groups/add/", {"name": "sales"})
    page = response.content.decode()
    assert response.status_code == 200 and "Another user group already has this name." in page
    assert "with this Name already exists" not in page


def test_form_errors_start_with_a_capital(admin_client, alice):
    # The phones services say "there is no user ..." (it follows a path in the data file's errors); the page
    # shows a sentence.
    response = admin_client.post("/phones/add/", {"serial_number": "0004f2aabbcc", "model": "snom720", "lines": "x"})
    assert "<li>There is no user &quot;x&quot; for a line.</li>" in response.content.decode()


def test_logging_out_says_so(client, alice):
    client.force_login(alice)
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "You have been logged out." in response.content.decode()
    # Only once, and not for a visitor who was not logged in.
    assert "logged out" not in client.get("/login/").content.decode()
    assert "logged out" not in client.post("/logout/", follow=True).content.decode()


@pytest.fixture
def groups(db):
    UserGroup.objects.bulk_create(UserGroup(name=f"team {i:02d}", description=f"Floor {i % 3}") for i in range(30))


def test_every_list_page_has_page_numbers_and_sizes(admin_client, groups):
    page = admin_client.get("/users/groups/").content.decode()
    assert 'aria-label="Page 2"' in page and 'href="?per_page=50"' in page
    page = admin_client.get("/users/groups/?per_page=50").content.decode()
    assert "team 29" in page and 'aria-label="Page 2"' not in page


def test_every_list_search_wants_each_word_somewhere(admin_client, groups):
    page = admin_client.get("/users/groups/", {"q": "team floor 2", "per_page": 100}).content.decode()
    assert "team 02" in page and "team 05" in page and "team 01<" not in page
