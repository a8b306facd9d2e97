"""Names instead of internal ids: a downloaded recording is named after its mailbox's owner and the time it came
(in the PBX's time zone), and the pages' messages name a voicemail by its caller and time, not by its id."""

from django.core.files.base import ContentFile
from django.test import override_settings

from apps.voicemail import services
from tests.voicemail.audio import tone_wav

PORTAL = "/portal/voicemail/"


def test_a_downloaded_message_is_named_after_its_owner_and_time(client, alice, alice_mail):
    client.force_login(alice)
    response = client.get(PORTAL + "messages/0000000002/audio?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="voicemail-alice-smith-2026-11-21-1402.mp3"'
    with override_settings(TIME_ZONE="Europe/Rome"):
        response = client.get(PORTAL + "messages/0000000002/audio?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="voicemail-alice-smith-2026-11-21-1502.mp3"'


def test_the_admins_download_and_a_greeting_are_named_too(admin_client, alice, alice_mail):
    response = admin_client.get("/voicemail/200/messages/0000000001/audio?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="voicemail-alice-smith-2026-11-20-0915.wav"'
    services.save_greeting(alice, "standard", ContentFile(tone_wav(1), name="g.wav"))
    response = admin_client.get("/voicemail/200/greetings/standard/audio")
    assert response["Content-Disposition"] == 'inline; filename="greeting-alice-smith-standard.wav"'


def test_messages_name_the_caller_and_time(client, alice, alice_mail):
    client.force_login(alice)
    url = PORTAL + "messages/0000000001/action/"
    page = client.post(url, {"action": "move", "folder": "saved"}, follow=True).content.decode()
    assert "The message from Bob Jones - 201 of Nov 20, 09:15 moved to Saved." in page
    assert "0000000001" not in page.split('class="messages"')[1].split("</ul>")[0]
    page = client.post(url, {"action": "delete"}, follow=True).content.decode()
    assert "The message from Bob Jones - 201 of Nov 20, 09:15 moved to Deleted." in page
