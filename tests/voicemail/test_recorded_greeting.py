"""Greetings recorded in the browser (issue 16): the recorder sends its recording (WebM/Opus from Chromium, Ogg from
Firefox, MP4 from Safari) as the greeting form's file, and save_greeting stores it as WAV, whichever page or URI it
comes through (the portal, the admin's mailbox page, the admin JSON API); each serves the WAV back. A damaged or too
long recording is refused with a sentence (a form error, a 400), never a 500, and nothing is stored."""

from io import BytesIO

import pytest
from django.test import Client
from django.test.client import encode_multipart

from apps.audit.models import AuditEntry
from apps.users import tokens
from apps.voicemail import services
from apps.voicemail.models import Greeting
from sipxweb.audio import inspect
from tests.adminapi.conftest import Api
from tests.floor.browser_recording import browser_recording

PORTAL = "/portal/voicemail/"
DAMAGED = b"\x1a\x45\xdf\xa3" + b"no opus here " * 60


def as_file(data: bytes, name: str = "greeting-standard.webm") -> BytesIO:
    upload = BytesIO(data)
    upload.name = name
    return upload


def stored(greeting: Greeting) -> bytes:
    with greeting.audio.open("rb") as f:
        return f.read()


@pytest.mark.parametrize("container", ["webm", "ogg", "mp4"])
def test_the_service_stores_a_browser_recording_as_wav(alice, container):
    greeting = services.save_greeting(alice, "extendedabsence", as_file(browser_recording(2.0, container)))
    assert (greeting.format, greeting.duration) == ("wav", 2)
    assert greeting.audio.name.endswith("greeting-extendedabsence.wav")
    assert inspect(stored(greeting)).format == "wav"
    entry = AuditEntry.objects.get(kind="greeting", key="200/extendedabsence")
    assert entry.changes["format"] == [None, "wav"] and entry.changes["duration"] == [None, 2]


def test_the_portal_takes_the_recorders_file(client, alice):
    client.force_login(alice)
    data = {"kind": "outofoffice", "audio": as_file(browser_recording(2.0), "greeting-outofoffice.webm")}
    response = client.post(PORTAL + "greetings/upload/", data, follow=True)
    assert "Out of office greeting recorded (2 s)." in response.content.decode()
    greeting = Greeting.objects.get(mailbox__user=alice, kind="outofoffice")
    served = client.get(PORTAL + "greetings/outofoffice/audio")
    assert served.status_code == 200 and served["Content-Type"] == "audio/wav"
    assert b"".join(served.streaming_content) == stored(greeting)
    # Once recorded, it may be the one callers hear.
    client.post(PORTAL + "greeting/", {"active_greeting": "outofoffice"})
    assert services.active_greeting(alice) == "outofoffice"


def test_the_admin_mailbox_page_takes_it_too(admin_client, alice):
    data = {"kind": "standard", "audio": as_file(browser_recording(2.0, "ogg"), "greeting-standard.ogg")}
    response = admin_client.post("/voicemail/200/greetings/upload/", data, follow=True)
    assert "Standard greeting recorded (2 s)." in response.content.decode()
    assert Greeting.objects.get(mailbox__user=alice, kind="standard").format == "wav"


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (DAMAGED, "The recording cannot be read: it is damaged or incomplete (Invalid data found"),
        (browser_recording(2.0)[:300], "The recording cannot be read: it is damaged or incomplete"),
        (b"OggS" + bytes(80), "The recording cannot be read"),
    ],
)
def test_a_damaged_recording_is_a_sentence_and_nothing_stored(client, alice, data, sentence):
    client.force_login(alice)
    response = client.post(PORTAL + "greetings/upload/", {"kind": "standard", "audio": as_file(data)}, follow=True)
    assert response.status_code == 200
    assert sentence in response.content.decode()
    assert not Greeting.objects.exists() and not AuditEntry.objects.filter(kind="greeting").exists()


def test_a_recording_longer_than_a_greeting_may_be_is_refused(client, alice, monkeypatch):
    monkeypatch.setattr(services, "MAX_AUDIO_BYTES", 44 + 16000 * 2 * 1)  # one second of WAV
    client.force_login(alice)
    response = client.post(
        PORTAL + "greetings/upload/", {"kind": "standard", "audio": as_file(browser_recording(2.0))}, follow=True
    )
    assert "The recording is longer than 1 second." in response.content.decode()
    assert not Greeting.objects.exists()


def put_greeting(api, kind: str, upload: BytesIO):
    boundary = "BoUnDaRy"
    body = encode_multipart(boundary, {"audio": upload})
    return api.put(f"/mailboxes/200/greetings/{kind}", body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_admin_json_api_takes_the_same_recording(alice, admin_user):
    api = Api(Client(), {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(admin_user, 'tests', 'write')[1]}"})
    created = put_greeting(api, "outofoffice", as_file(browser_recording(2.0)))
    assert created.status_code == 201, created.content
    assert created.json() == {"type": "outofoffice", "format": "wav", "durationSecs": 2}
    served = api.get("/mailboxes/200/greetings/outofoffice", headers={"Accept": "audio/wav"})
    assert served.status_code == 200 and served["Content-Type"] == "audio/wav"
    body = b"".join(served.streaming_content)
    assert body == stored(Greeting.objects.get(kind="outofoffice")) and inspect(body).duration == 2

    refused = put_greeting(api, "outofoffice", as_file(DAMAGED))
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["audio"]
    assert "damaged or incomplete" in refused.json()["error"]
    assert stored(Greeting.objects.get(kind="outofoffice")) == body  # the previous recording stays
