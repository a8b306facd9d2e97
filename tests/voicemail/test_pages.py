"""Voicemail pages (portal and admin): folders with counts, actions, greetings, feed key; constant queries."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from django.urls import reverse

from apps.voicemail import services
from apps.voicemail.models import Greeting, Message
from tests.voicemail.audio import tone_mp3, tone_wav

PORTAL = "/portal/voicemail/"


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_mailbox_page(alice_client, alice, alice_mail):
    html = alice_client.get(PORTAL).content.decode()
    assert 'Inbox <span class="count">(2, 1 new)' in html
    assert 'Saved <span class="count">(1)' in html
    assert "Bob Jones - 201" in html and "Carol White" not in html
    assert f"/sipxconfig/rest/private/{alice.feed_key}/feed/voicemail/inbox" in html
    html = alice_client.get(PORTAL + "?folder=saved").content.decode()
    assert "Carol White - 202" in html
    assert alice_client.get(PORTAL + "?folder=bogus").status_code == 404


def test_login_required(client, alice_mail):
    assert client.get(PORTAL).status_code == 302
    assert client.get(PORTAL + "messages/0000000001/audio").status_code == 302


def test_actions(alice_client, alice_mail):
    url = PORTAL + "messages/0000000001/action/"
    assert alice_client.post(url, {"action": "heard"}).status_code == 302
    assert Message.objects.get(message_id="0000000001").heard
    alice_client.post(url, {"action": "move", "folder": "saved"})
    assert Message.objects.get(message_id="0000000001").folder == "saved"
    alice_client.post(url, {"action": "delete"})
    assert Message.objects.get(message_id="0000000001").folder == "deleted"
    alice_client.post(url, {"action": "delete"})
    assert not Message.objects.filter(message_id="0000000001").exists()
    response = alice_client.post(PORTAL + "messages/0000000002/action/", {"action": "move", "folder": "nowhere"})
    assert response.status_code == 302
    assert Message.objects.get(message_id="0000000002").folder == "inbox"
    assert alice_client.post(PORTAL + "messages/0000000002/action/", {"action": "explode"}).status_code == 302


def test_the_players_heard_post_answers_204_once_stored(alice_client, alice_mail):
    """The page's script marks the row heard only on a 2xx, so the answer must come after the save."""
    url = PORTAL + "messages/0000000001/action/"
    response = alice_client.post(url, {"action": "heard"}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204
    assert Message.objects.get(message_id="0000000001").heard


def test_other_users_message_is_404(client, bob, alice_mail):
    client.force_login(bob)
    assert client.get(PORTAL + "messages/0000000001/audio").status_code == 404
    assert client.post(PORTAL + "messages/0000000001/action/", {"action": "delete"}).status_code == 404
    assert Message.objects.get(message_id="0000000001").folder == "inbox"


def test_audio_with_range(alice_client, alice_mail):
    response = alice_client.get(PORTAL + "messages/0000000001/audio", HTTP_RANGE="bytes=0-3")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b"RIFF"
    response = alice_client.get(PORTAL + "messages/0000000001/audio?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="voicemail-alice-smith-2026-11-20-0915.wav"'


def test_greeting_choice_and_upload(alice_client, alice):
    alice_client.post(PORTAL + "greeting/", {"active_greeting": "outofoffice"})
    assert services.active_greeting(alice) == "outofoffice"
    alice_client.post(PORTAL + "greeting/", {"active_greeting": "bogus"})
    assert services.active_greeting(alice) == "outofoffice"
    wav = BytesIO(tone_wav(2))
    wav.name = "g.wav"
    alice_client.post(PORTAL + "greetings/upload/", {"kind": "standard", "audio": wav})
    greeting = Greeting.objects.get(mailbox__user=alice, kind="standard")
    assert (greeting.format, greeting.duration) == ("wav", 2)
    mp3 = BytesIO(tone_mp3(3))
    mp3.name = "g.mp3"
    alice_client.post(PORTAL + "greetings/upload/", {"kind": "standard", "audio": mp3})
    greeting.refresh_from_db()
    assert (greeting.format, greeting.duration) == ("mp3", 3)
    response = alice_client.get(PORTAL + "greetings/standard/audio")
    assert response["Content-Type"] == "audio/mpeg"
    bad = BytesIO(b"nope")
    bad.name = "g.wav"
    response = alice_client.post(PORTAL + "greetings/upload/", {"kind": "outofoffice", "audio": bad}, follow=True)
    assert "not a WAV or MP3" in response.content.decode()
    assert not Greeting.objects.filter(kind="outofoffice").exists()
    html = alice_client.get(PORTAL).content.decode()
    assert PORTAL + "greetings/standard/audio" in html
    alice_client.post(PORTAL + "greetings/standard/delete/")
    assert not Greeting.objects.exists()


def test_new_feed_key(alice_client, alice):
    old = alice.feed_key
    response = alice_client.post(PORTAL + "feed-key/")  # the login details page's view, coming back here
    assert response["Location"] == PORTAL
    alice.refresh_from_db()
    assert alice.feed_key != old


def test_admin_pages(client, admin_user, alice, alice_mail):
    client.force_login(admin_user)
    html = client.get("/voicemail/").content.decode()
    assert reverse("voicemail:mailbox", args=["200"]) in html
    html = client.get("/voicemail/200/").content.decode()
    assert "Bob Jones - 201" in html
    assert alice.feed_key not in html  # the owner's secret key is not shown to admins
    client.post("/voicemail/200/greeting/", {"active_greeting": "extendedabsence"})
    assert services.active_greeting(alice) == "extendedabsence"
    wav = BytesIO(tone_wav(1))
    wav.name = "g.wav"
    client.post("/voicemail/200/greetings/upload/", {"kind": "outofoffice", "audio": wav})
    assert Greeting.objects.get(mailbox__user=alice).kind == "outofoffice"
    assert client.get("/voicemail/200/messages/0000000001/audio").status_code == 200
    assert client.get("/voicemail/nosuch/").status_code == 404
    assert client.post("/voicemail/200/feed-key/").status_code == 404


def test_admin_pages_refused_to_users(client, alice, bob):
    client.force_login(bob)
    assert client.get("/voicemail/").status_code == 403
    assert client.get("/voicemail/200/").status_code == 403
    assert client.post("/voicemail/200/greeting/", {"active_greeting": "none"}).status_code == 403


def many_messages(user, n):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Message.objects.bulk_create(
        [
            Message(
                user=user,
                message_id=f"{i + 1:010d}",
                received=start + timedelta(minutes=i),
                duration=5,
                sender_brief=f"Caller {i}",
                folder="inbox" if i % 3 else "saved",
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("rows", [10, 200])
def test_constant_queries(client, alice, admin_user, make_user, rows, django_assert_max_num_queries):
    many_messages(alice, rows)
    for i in range(rows // 10):
        make_user(f"u{i}")
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        assert client.get(PORTAL).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/sipxconfig/rest/my/feed/voicemail/inbox").status_code == 200
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get("/voicemail/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/voicemail/200/").status_code == 200
