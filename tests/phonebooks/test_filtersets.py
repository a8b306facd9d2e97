"""The admin phonebook lists' FilterSets (apps/phonebooks/filtersets.py): phonebooks by a member or consumer group,
a phonebook's entries by company; both beside the search box, and the group filter repeats no phonebook."""

import pytest
from django.urls import reverse

from apps.phonebooks import services
from apps.phonebooks.models import Phonebook
from apps.users.models import User


@pytest.fixture
def admin_user(demo):
    """The demo's administrator, whom tests/conftest.py's admin_client logs in."""
    return User.objects.get(username="superadmin")


def names(response) -> list[str]:
    return [pb.name for pb in response.context["object_list"]]


def test_phonebooks_by_group(demo, admin_client):
    url = reverse("phonebooks:phonebook_list")
    # The group "sales" is the sales phonebook's member and consumer (listed once); "support" consumes both.
    assert names(admin_client.get(url, {"group": "sales"})) == ["sales"]
    assert names(admin_client.get(url, {"group": " support "})) == ["sales", "support"]
    assert names(admin_client.get(url, {"group": "support", "q": "supp"})) == ["support"]
    assert names(admin_client.get(url, {"group": "nobody"})) == []
    assert 'name="group"' in admin_client.get(url).content.decode()


def test_entries_by_company(demo, admin_client):
    book = Phonebook.objects.get(name="support")
    services.add_entries(
        [
            {"first_name": "Ada", "last_name": "Byron", "number": "301", "company_name": "Analytical Engines"},
            {"first_name": "Bea", "last_name": "Cole", "number": "302", "company_name": "Other Ltd"},
        ],
        phonebook=book,
    )
    url = reverse("phonebooks:phonebook_detail", args=[book.pk])
    response = admin_client.get(url, {"company": "engines"})
    assert [e.number for e in response.context["object_list"]] == ["301"]
    assert len(admin_client.get(url).context["object_list"]) == 4
    assert [e.number for e in admin_client.get(url, {"company": "ltd", "q": "bea"}).context["object_list"]] == ["302"]
