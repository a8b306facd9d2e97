"""Golden tests of the voicemail URIs (docs/compatibility.md B.3.4, B.3.10, D3, D14) and the deposit URI: every URI x
every variant, byte for byte, through Django's full stack with real Basic credentials."""

from io import BytesIO

import pytest

from apps.voicemail import services
from apps.voicemail.models import Message
from tests.conftest import REST, basic, golden
from tests.voicemail.audio import tone_wav
from tests.voicemail.conftest import alice_mail, bob, media_root  # noqa: F401  (fixtures)

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def mailbox(alice_mail, alice):  # noqa: F811  (alice_mail is the imported fixture)
    alice.feed_key = KEY
    alice.save(update_fields=["feed_key"])
    return alice_mail


@pytest.mark.parametrize(
    ("path", "accept", "golden_file"),
    [
        ("/my/feed/voicemail/inbox", {}, "feed-alice-inbox.rss"),
        ("/my/feed/voicemail/inbox", {"HTTP_ACCEPT": "application/rss+xml"}, "feed-alice-inbox.rss"),
        ("/my/feed/voicemail/saved", {}, "feed-alice-saved.rss"),
        ("/my/feed/voicemail/conference", {}, "feed-alice-conference.rss"),
    ],
)
def test_feed_golden(client, mailbox, path, accept, golden_file):
    response = client.get(REST + path, **basic("alice", "1234"), **accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert response.content == golden(golden_file)
    assert b"\r\n" in response.content and b"\n" not in response.content.replace(b"\r\n", b"")


def test_feed_private_form_has_its_own_url_as_channel_link(client, mailbox):
    response = client.get(f"{REST}/private/{KEY}/feed/voicemail/inbox")
    assert response.status_code == 200
    expected = golden("feed-alice-inbox.rss").replace(
        b"<link>http://testserver/sipxconfig/rest/my/feed/voicemail/inbox</link>",
        f"<link>http://testserver/sipxconfig/rest/private/{KEY}/feed/voicemail/inbox</link>".encode(),
    )
    assert response.content == expected


def test_feed_other_accept_is_406(client, mailbox):
    response = client.get(REST + "/my/feed/voicemail/inbox", **basic("alice", "1234"), HTTP_ACCEPT="text/xml")
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("accept", "golden_file", "content_type"),
    [
        ({}, "activegreeting-alice.txt", "text/plain; charset=utf-8"),
        ({"HTTP_ACCEPT": "text/plain"}, "activegreeting-alice.txt", "text/plain; charset=utf-8"),
        ({"HTTP_ACCEPT": "text/xml"}, "activegreeting-alice.xml", "text/xml; charset=utf-8"),
        ({"HTTP_ACCEPT": "application/xml"}, "activegreeting-alice.xml", "application/xml; charset=utf-8"),
    ],
)
def test_activegreeting_golden(client, mailbox, accept, golden_file, content_type):
    response = client.get(REST + "/my/mailbox/200/preferences/activegreeting", **basic("alice", "1234"), **accept)
    assert response.status_code == 200
    assert response.content == golden(golden_file)
    assert response["Content-Type"] == content_type
    assert "Accept" in response["Vary"]


def test_activegreeting_json_is_406(client, mailbox):
    response = client.get(
        REST + "/my/mailbox/200/preferences/activegreeting", **basic("alice", "1234"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 406


def test_activegreeting_put_is_200_empty(client, mailbox, alice):
    audio = BytesIO(tone_wav(1))
    audio.name = "greeting.wav"
    services.save_greeting(alice, "extendedabsence", audio)  # a greeting is chosen once it is recorded (D3)
    response = client.put(
        REST + "/my/mailbox/200/preferences/activegreeting/extendedabsence", "+", **basic("alice", "1234")
    )
    assert response.status_code == 200
    assert response.content == b""
    assert "Content-Type" not in response


@pytest.mark.parametrize(
    ("accept", "golden_file", "content_type"),
    [
        ({}, "voicemail-deposit.xml", "text/xml; charset=utf-8"),
        ({"HTTP_ACCEPT": "application/json"}, "voicemail-deposit.json", "application/json; charset=utf-8"),
    ],
)
def test_deposit_golden(client, admin_user, mailbox, accept, golden_file, content_type):
    audio = BytesIO(tone_wav(3))
    audio.name = "message.wav"
    response = client.post(
        REST + "/mailbox/201/messages",
        {"audio": audio, "from": '"Alice Smith" <sip:200@example.org>', "subject": "Voice Message"},
        **basic("superadmin", "admin1234"),
        **accept,
    )
    assert response.status_code == 201, response.content
    assert response.content == golden(golden_file)
    assert response["Content-Type"] == content_type
    assert Message.objects.get(message_id="0000000004").user.username == "201"
