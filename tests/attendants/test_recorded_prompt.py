"""An attendant prompt recorded in the browser (issue 16): the editor's recorder sends the recording (WebM/Opus from
Chromium) as the prompt field's file, and the admin JSON API takes the same file; both store it as WAV through
services.prompt_file and check it as an uploaded WAV. A damaged recording is a form error or a 400, nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from apps.attendants import services
from apps.attendants.models import AutoAttendant
from apps.audit.models import AuditEntry
from apps.users import tokens
from sipxweb.audio import inspect
from tests.attendants.test_pages import html, post_data, prompt_files
from tests.floor.browser_recording import browser_recording


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sales(db):
    return services.save_attendant(AutoAttendant(name="Sales"), [("0", "operator", "")])


def recording(content=None, name="prompt-recording.webm"):
    return SimpleUploadedFile(name, browser_recording(2.0) if content is None else content, content_type="audio/webm")


def stored(attendant) -> bytes:
    attendant.refresh_from_db()
    with attendant.prompt.open("rb") as f:
        return f.read()


@pytest.mark.parametrize("container", ["webm", "ogg", "mp4"])
def test_the_editor_stores_a_browser_recording_as_wav(admin_client, sales, container):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    upload = recording(browser_recording(2.0, container), f"prompt-recording.{container}")
    response = admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=upload))
    assert response.status_code == 302, html(response)
    info = inspect(stored(sales))
    assert (info.format, info.duration) == ("wav", 2)
    assert sales.prompt.name.startswith("prompts/prompt-recording") and sales.prompt.name.endswith(".wav")
    entry = AuditEntry.objects.filter(kind="attendant", key="Sales").latest("id")
    assert entry.changes["prompt"] == [None, sales.prompt.name]
    played = admin_client.get(reverse("attendants:attendant_prompt", args=[sales.pk]))
    assert played.status_code == 200 and "wav" in played["Content-Type"]
    assert b"".join(played.streaming_content) == stored(sales)


def test_a_new_attendant_with_a_recorded_prompt(admin_client, db):
    response = admin_client.post(
        reverse("attendants:attendant_add"), post_data("Night", [("0", "operator", "")], prompt=recording())
    )
    assert response.status_code == 302, html(response)
    assert inspect(stored(AutoAttendant.objects.get(name="Night"))).format == "wav"


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"\x1a\x45\xdf\xa3" + b"not a recording " * 50, "damaged or incomplete (Invalid data found"),
        (browser_recording(2.0)[:300], "The recording cannot be read: it is damaged or incomplete (Input"),
    ],
)
def test_a_damaged_recording_is_a_form_error(admin_client, sales, settings, content, sentence):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    response = admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=recording(content)))
    assert response.status_code == 200
    assert sentence in html(response) and "choose it again" in html(response)
    sales.refresh_from_db()
    assert not sales.prompt and prompt_files(settings) == set()


def test_a_recording_longer_than_a_prompt_may_be_is_refused(admin_client, sales, monkeypatch):
    monkeypatch.setattr(services, "PROMPT_MAX_BYTES", 44 + 16000 * 2 * 1)  # one second of WAV
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    response = admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=recording()))
    assert response.status_code == 200 and "The recording is longer than 1 second." in html(response)
    sales.refresh_from_db()
    assert not sales.prompt


def put_prompt(client, secret: str, content: bytes, name="prompt.webm"):
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, content)})
    return client.put(
        "/api/v1/attendants/Sales/prompt", body, content_type=MULTIPART_CONTENT, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


def test_the_admin_json_api_takes_the_same_recording(client, admin_user, sales):
    secret = tokens.create_token(admin_user, "tests", "write")[1]
    assert put_prompt(client, secret, browser_recording(2.0)).status_code == 204
    served = client.get("/api/v1/attendants/Sales/prompt", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert served.status_code == 200 and "wav" in served["Content-Type"]
    body = b"".join(served.streaming_content)
    assert body == stored(sales) and inspect(body).duration == 2

    refused = put_prompt(client, secret, b"OggS" + bytes(100), "prompt.ogg")
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("file: The recording cannot be read")
    assert stored(sales) == body  # the previous prompt stays
