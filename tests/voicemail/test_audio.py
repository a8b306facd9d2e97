"""D14: the audio download, streamed with Content-Type, Content-Length and byte ranges."""

import pytest

from tests.conftest import REST, basic
from tests.voicemail.audio import tone_wav


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_whole_file(client, alice, alice_mail):
    response = client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    data = body(response)
    assert data == tone_wav(12)
    assert response["Content-Length"] == str(len(data))
    mp3 = client.get(REST + "/my/voicemail/inbox/0000000002", **basic("alice", "1234"))
    assert mp3["Content-Type"] == "audio/mpeg"
    data = body(mp3)
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0  # an MPEG audio frame


def test_private_form_without_credentials(client, alice, alice_mail):
    response = client.get(f"{REST}/private/{alice.feed_key}/voicemail/saved/0000000003")
    assert response.status_code == 200
    assert body(response)[:4] == b"RIFF"


def test_any_accept_header(client, alice_mail):
    accept = "audio/webm,audio/ogg,audio/wav,audio/*;q=0.9,application/ogg;q=0.7,video/*;q=0.6,*/*;q=0.5"
    response = client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    response = client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"), HTTP_ACCEPT="text/xml")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-10", 10, 10),
        ("bytes=0-99999999", 0, None),
    ],
)
def test_ranges(client, alice_mail, header, start, end):
    whole = tone_wav(12)
    size = len(whole)
    response = client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"), HTTP_RANGE=header)
    assert response.status_code == 206
    first = start if start >= 0 else size + start
    last = size - 1 if end is None else end
    assert body(response) == whole[first : last + 1]
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0"])
def test_unsatisfiable_range_is_416(client, alice_mail, header):
    size = len(tone_wav(12))
    response = client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-5", "bytes=9-2", "bytes=x-y", "bytes="])
def test_other_range_headers_get_the_whole_file(client, alice_mail, header):
    response = client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"), HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == tone_wav(12)


def test_wrong_folder_other_user_unknown_id_are_404(client, alice_mail, bob):
    assert client.get(REST + "/my/voicemail/saved/0000000001", **basic("alice", "1234")).status_code == 404
    assert client.get(REST + "/my/voicemail/inbox/0000000001", **basic("bob", "1234")).status_code == 404
    assert client.get(REST + "/my/voicemail/inbox/9999", **basic("alice", "1234")).status_code == 404
    assert client.get(REST + "/my/voicemail/nosuch/0000000001", **basic("alice", "1234")).status_code == 404
    assert client.get(REST + "/my/voicemail/inbox/0000000001").status_code == 401


def test_missing_file_is_404(client, alice_mail):
    message = alice_mail[0]
    message.audio.storage.delete(message.audio.name)
    assert client.get(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234")).status_code == 404


def test_head(client, alice_mail):
    response = client.head(REST + "/my/voicemail/inbox/0000000001", **basic("alice", "1234"))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(tone_wav(12)))
    assert response["Content-Type"] == "audio/wav"
