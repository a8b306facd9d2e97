"""The RSS feed read by a real RSS parser (feedparser), every field checked; folders, proxies, D9."""

import time

import feedparser
import pytest

from apps.users.services import regenerate_feed_key
from tests.conftest import REST, basic


def parse(response):
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_every_field(client, alice, alice_mail):
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234")))
    assert feed.version == "rss20"
    assert feed.feed.title == "Voicemail: Alice Smith"
    assert feed.feed.link == "http://testserver/sipxconfig/rest/my/feed/voicemail/inbox"
    assert feed.feed.description == "Voicemail Inbox for Alice Smith"
    assert [e.title for e in feed.entries] == ["Voice Message from +15559998888", "Voice Message from Bob Jones - 201"]
    mp3, wav = feed.entries
    base = f"http://testserver/sipxconfig/rest/private/{alice.feed_key}/voicemail/inbox/"
    assert wav.link == base + "0000000001"
    assert wav.id == base + "0000000001"
    assert wav.description == "12 seconds received at 09:15 on 11/20/26"
    assert wav.published == "Fri, 20 Nov 2026 09:15:00 GMT"
    assert wav.published_parsed == time.struct_time((2026, 11, 20, 9, 15, 0, 4, 324, 0))
    assert [dict(e) for e in wav.enclosures] == [{"href": base + "0000000001", "type": "audio/wav"}]
    assert wav.updated == "2026-11-20T09:15:00Z"  # dc:date
    assert mp3.enclosures[0]["type"] == "audio/mpeg"
    assert mp3.description == "31 seconds received at 14:02 on 11/21/26"
    assert mp3.link == base + "0000000002"


def test_description_uses_server_time_zone(client, alice, alice_mail, settings):
    settings.TIME_ZONE = "America/New_York"
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234")))
    assert feed.entries[1].description == "12 seconds received at 04:15 on 11/20/26"
    assert feed.entries[1].published == "Fri, 20 Nov 2026 09:15:00 GMT"


def test_description_uses_the_owners_time_zone(client, alice, alice_mail, settings):
    """A user with a time zone of their own reads the time in it, as on their pages; pubDate stays GMT."""
    settings.TIME_ZONE = "America/New_York"
    alice.time_zone = "Europe/Berlin"
    alice.save(update_fields=["time_zone"])
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234")))
    assert feed.entries[1].description == "12 seconds received at 10:15 on 11/20/26"
    assert feed.entries[1].published == "Fri, 20 Nov 2026 09:15:00 GMT"


def test_saved_and_empty_folders_and_label_without_name(client, alice_mail, make_user):
    feed = parse(client.get(REST + "/my/feed/voicemail/saved", **basic("alice", "1234")))
    assert [e.title for e in feed.entries] == ["Voice Message from Carol White - 202"]
    assert feed.feed.description == "Voicemail Inbox for Alice Smith"  # "Inbox" whatever the folder (B.3.4)
    make_user("300")
    feed = parse(client.get(REST + "/my/feed/voicemail/deleted", **basic("300", "1234")))
    assert feed.feed.title == "Voicemail: 300"
    assert feed.entries == []


@pytest.mark.parametrize("folder", ["nosuchfolder", "INBOX", "pin"])
def test_unknown_folder_is_404(client, alice_mail, folder):
    response = client.get(REST + f"/my/feed/voicemail/{folder}", **basic("alice", "1234"))
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


def test_needs_credentials_or_key(client, alice, alice_mail):
    assert client.get(REST + "/my/feed/voicemail/inbox").status_code == 401
    assert client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "wrong")).status_code == 401
    assert client.get(REST + f"/private/{alice.feed_key}/feed/voicemail/inbox").status_code == 200


def test_new_feed_key_retires_old_urls(client, alice, alice_mail):
    """D9: after a new key the old feed and enclosure URLs answer 404, the new ones work."""
    old = alice.feed_key
    assert client.get(REST + f"/private/{old}/voicemail/inbox/0000000001").status_code == 200
    new = regenerate_feed_key(alice)
    assert client.get(REST + f"/private/{old}/feed/voicemail/inbox").status_code == 404
    assert client.get(REST + f"/private/{old}/voicemail/inbox/0000000001").status_code == 404
    feed = parse(client.get(REST + f"/private/{new}/feed/voicemail/inbox"))
    assert all(f"/private/{new}/" in e.link for e in feed.entries)


def test_other_users_messages_are_not_in_my_feed(client, alice_mail, bob):
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("bob", "1234")))
    assert feed.entries == []


def test_proxy_headers_ignored_unless_trusted(client, alice_mail):
    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "pbx.example.org"}
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234"), **headers))
    assert feed.feed.link.startswith("http://testserver/")
    assert feed.entries[0].link.startswith("http://testserver/")


def test_proxy_headers_honoured_when_trusted(client, alice_mail, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["pbx.example.org", "testserver"]
    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "pbx.example.org"}
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox?x=1", **basic("alice", "1234"), **headers))
    assert feed.feed.link == "https://pbx.example.org/sipxconfig/rest/my/feed/voicemail/inbox?x=1"
    assert feed.entries[0].enclosures[0]["href"].startswith("https://pbx.example.org/sipxconfig/rest/private/")


def test_special_characters_escaped(client, alice, alice_mail):
    message = alice_mail[0]
    message.subject, message.sender_brief = 'Re: <urgent> & "now"', "O'Brien & Co"
    message.save()
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234")))
    assert feed.entries[1].title == 'Re: <urgent> & "now" from O\'Brien & Co'


def test_control_characters_dropped(client, alice, alice_mail):
    message = alice_mail[0]
    message.subject = "bad\x07\x1b subject\r"  # (PostgreSQL refuses NUL itself)
    message.save()
    feed = parse(client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234")))
    assert feed.entries[1].title.startswith("bad subject")
