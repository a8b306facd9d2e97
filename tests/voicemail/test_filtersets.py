"""Voicemail's FilterSets (apps/voicemail/filtersets.py): the admin mailbox list by new messages, and the folder
a mailbox page lists."""

import pytest
from django.urls import reverse

from apps.voicemail.models import Folder
from tests.conftest import listed


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["200", "201", "superadmin"]),
        ("?unheard=true", ["200"]),
        ("?unheard=false", ["201", "superadmin"]),
        ("?unheard=true&q=bob", []),
    ],
)
def test_mailbox_list_by_new_messages(admin_client, alice_mail, query, names):
    assert listed(admin_client, reverse("voicemail:mailbox_list") + query, "username") == names


@pytest.mark.parametrize("folder", Folder.values)
def test_mailbox_page_lists_one_folder(admin_client, alice_mail, folder):
    response = admin_client.get(reverse("voicemail:mailbox", args=["200"]) + f"?folder={folder}")
    shown = {m.message_id for m in response.context["page_obj"].object_list}
    assert shown == {m.message_id for m in alice_mail if m.folder == folder}


@pytest.mark.parametrize("query", ["?folder=", "?folder=INBOX", "?folder=bogus"])
def test_no_page_for_an_unknown_or_empty_folder(admin_client, alice_mail, query):
    assert admin_client.get(reverse("voicemail:mailbox", args=["200"]) + query).status_code == 404
