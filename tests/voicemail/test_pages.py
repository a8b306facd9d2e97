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


def upload(client, url, kind, data, name="g.wav"):
    audio = BytesIO(data)
    audio.name = name
    return client.post(url + "greetings/upload/", {"kind": kind, "audio": audio}, follow=True)


def test_greeting_choice_and_upload(alice_client, alice):
    upload(alice_client, PORTAL, "outofoffice", tone_wav(1))
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
    response = alice_client.post(PORTAL + "greetings/upload/", {"kind": "extendedabsence", "audio": bad}, follow=True)
    assert "not a WAV or MP3" in response.content.decode()
    assert not Greeting.objects.filter(kind="extendedabsence").exists()
    html = alice_client.get(PORTAL).content.decode()
    assert PORTAL + "greetings/standard/audio" in html
    alice_client.post(PORTAL + "greetings/standard/delete/")
    alice_client.post(PORTAL + "greetings/outofoffice/delete/")
    assert not Greeting.objects.exists()


@pytest.mark.parametrize("url", [PORTAL, "/voicemail/200/"])
def test_a_greeting_never_recorded_cannot_be_made_active(client, admin_user, alice, url):
    client.force_login(alice if url == PORTAL else admin_user)
    html = client.get(url).content.decode()
    assert html.count("(not recorded)") == 3  # standard, out of office, extended absence
    response = client.post(url + "greeting/", {"active_greeting": "outofoffice"}, follow=True)
    html = response.content.decode()
    assert "There is no &quot;Out of office&quot; greeting recorded yet" in html and "Callers now hear" not in html
    assert services.active_greeting(alice) == "none"
    upload(client, url, "outofoffice", tone_wav(1))
    assert (
        "Callers now hear: Out of office"
        in client.post(url + "greeting/", {"active_greeting": "outofoffice"}, follow=True).content.decode()
    )
    assert services.active_greeting(alice) == "outofoffice"
    # Removing the active greeting's recording gives callers the system greeting, not a greeting that is not there.
    response = client.post(url + "greetings/outofoffice/delete/", follow=True)
    assert "Callers hear the system greeting now." in response.content.decode()
    assert services.active_greeting(alice) == "none"


@pytest.mark.parametrize(
    ("audio", "message"),
    [
        (None, "Choose a file to upload."),
        (b"", "The file is empty: choose a WAV or MP3 recording."),
        (b"just text", "The file is not a WAV or MP3 recording."),
    ],
)
def test_upload_says_what_is_missing_or_wrong(alice_client, alice, audio, message):
    data = {"kind": "standard"}
    if audio is not None:
        data["audio"] = BytesIO(audio)
        data["audio"].name = "g.wav"
    html = alice_client.post(PORTAL + "greetings/upload/", data, follow=True).content.decode()
    assert message in html
    assert not Greeting.objects.exists()


def test_a_user_without_voicemail_is_told_it_is_off(client, make_user, admin_user):
    dave = make_user("203", aliases=["dave"], perm_voicemail=False)
    client.force_login(dave)
    response = client.get(PORTAL)
    html = response.content.decode()
    assert response.status_code == 200 and "Voicemail is off for your account" in html
    assert "Greetings" not in html and "Inbox" not in html and dave.feed_key not in html
    for url in ("greeting/", "greetings/upload/", "greetings/standard/delete/", "messages/0000000001/action/"):
        response = client.post(PORTAL + url, {"active_greeting": "none", "kind": "standard", "action": "heard"})
        assert response.status_code == 403 and "Voicemail is off for your account" in response.content.decode()
    assert client.get(PORTAL + "messages/0000000001/audio").status_code == 403
    assert services.active_greeting(dave) == "none"
    # An administrator still sees the mailbox, with a note that it is off.
    client.force_login(admin_user)
    html = client.get("/voicemail/203/").content.decode()
    assert "Voicemail is off for 203" in html and "Greetings" in html


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
    upload(client, "/voicemail/200/", "extendedabsence", tone_wav(1))
    client.post("/voicemail/200/greeting/", {"active_greeting": "extendedabsence"})
    assert services.active_greeting(alice) == "extendedabsence"
    wav = BytesIO(tone_wav(1))
    wav.name = "g.wav"
    client.post("/voicemail/200/greetings/upload/", {"kind": "outofoffice", "audio": wav})
    assert Greeting.objects.get(mailbox__user=alice, kind="outofoffice").format == "wav"
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
