"""Bad-input corpus of the REST floor (issue 9): oversized and deeply nested bodies, too many items, unsafe
XML, control characters and Unicode digits, cross-site writes, OPTIONS and unknown paths. Each request is
sent the way a client sends it (REST over HTTP with real Basic credentials), gets its 4xx with the D1 JSON
body and a sentence, and changes nothing."""

import json
from io import BytesIO

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from apps.phonebooks.models import PhonebookEntry
from apps.phones.models import Phone
from apps.users.models import Ring
from apps.voicemail.api.views import DepositView
from apps.voicemail.models import Message
from sipxweb.urls import REST as REST_PREFIX
from tests.conftest import REST, basic
from tests.voicemail.audio import tone_wav

ALICE = basic("alice", "1234")
ADMIN = basic("superadmin", "admin1234")
MiB = 1024 * 1024


def error(response, status: int, *words: str) -> str:
    """The D1 body of a refusal: the status, JSON whatever was asked, a sentence containing `words`."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error", "type"}
    for word in words:
        assert word in body["error"], body["error"]
    return body["error"]


def entries_xml(count: int, pad: str = "") -> bytes:
    entry = f"<entry><first-name>F{pad}</first-name><last-name>L</last-name><number>1</number></entry>"
    return f"<phonebook>{entry * count}</phonebook>".encode()


@pytest.fixture
def users(alice, admin_user):
    return alice


def contact_of(user):
    user.profile.refresh_from_db()
    return user.profile.job_title, user.profile.cell_phone_number


# ---- body size --------------------------------------------------------------------------------------------


def test_phonebook_post_over_the_rest_body_limit_is_413(client, users):
    body = entries_xml(20_000, pad="x" * 40)  # ~1.6 MB, over the 1 MiB default
    response = client.post(f"{REST}/my/phonebook", body, content_type="text/xml", **ALICE)
    error(response, 413, "larger than the 1 MiB this URI accepts")
    assert not PhonebookEntry.objects.exists()


def test_put_over_djangos_memory_bound_is_413_not_500(client, users, settings):
    # A URI allowed more than Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django's own refusal is a 413 too.
    settings.REST_MAX_BODY_BYTES = 8 * MiB
    body = b"<contact-information><jobTitle>" + b"x" * (3 * MiB) + b"</jobTitle></contact-information>"
    response = client.put(f"{REST}/my/contact-information", body, content_type="text/xml", **ALICE)
    error(response, 413, "too large")
    assert contact_of(users) == ("Sales Lead", None)


def test_deposit_over_its_own_limit_is_413(client, users, admin_user, monkeypatch):
    monkeypatch.setattr(DepositView, "max_body_bytes", 4096)
    audio = BytesIO(tone_wav(1))
    audio.name = "m.wav"
    response = client.post(f"{REST}/mailbox/200/messages", {"audio": audio, "from": "201"}, **ADMIN)
    error(response, 413, "larger than the 4096 bytes")
    assert not Message.objects.exists()


# ---- items per request ------------------------------------------------------------------------------------


def test_phonebook_post_with_too_many_entries_is_400(client, users):
    response = client.post(f"{REST}/my/phonebook", entries_xml(1001), content_type="text/xml", **ALICE)
    error(response, 400, "entry: At most 1000 items", "has 1001")
    assert not PhonebookEntry.objects.exists()


def test_phones_post_with_too_many_phones_is_400(client, admin_user):
    phone = "<phone><serialNumber>0004f2000001</serialNumber><model>polycom335</model></phone>"
    body = f"<phones>{phone * 1001}</phones>".encode()
    response = client.post(f"{REST}/phone", body, content_type="text/xml", **ADMIN)
    error(response, 400, "At most 1000 items")
    assert not Phone.objects.exists()


@pytest.mark.parametrize("count", [11, 20_000])
def test_forward_with_too_many_rings_is_400(client, users, count):
    rings = "<ring><number>5</number></ring>" * count  # 20,000 of them still fit in the body limit
    body = f"<call-sequence><rings>{rings}</rings></call-sequence>".encode()
    response = client.put(f"{REST}/my/forward", body, content_type="text/xml", **ALICE)
    error(response, 400, "rings: A forwarding list holds at most 10 rings", f"has {count}")
    assert list(Ring.objects.filter(user=users).values_list("number", flat=True)) == [
        "5551234",
        "sip:alice@mobile.example.net",
    ]


def test_forward_with_ten_rings_is_stored(client, users):
    rings = "".join(f"<ring><number>55510{i:02d}</number></ring>" for i in range(10))
    body = f"<call-sequence><rings>{rings}</rings></call-sequence>".encode()
    response = client.put(f"{REST}/my/forward", body, content_type="text/xml", **ALICE)
    assert response.status_code == 200, response.content
    assert Ring.objects.filter(user=users).count() == 10


# ---- nesting depth ----------------------------------------------------------------------------------------


def test_xml_nested_2000_deep_is_400(client, users):
    body = b"<contact-information>" + b"<a>" * 2000 + b"</a>" * 2000 + b"</contact-information>"
    response = client.put(f"{REST}/my/contact-information", body, content_type="text/xml", **ALICE)
    error(response, 400, "nested more than 32 levels")
    assert contact_of(users) == ("Sales Lead", None)


def test_json_nested_50000_deep_is_400(client, users):
    body = b'{"contact-information": {"jobTitle": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"
    response = client.put(f"{REST}/my/contact-information", body, content_type="application/json", **ALICE)
    error(response, 400, "nested more than 32 levels")
    assert contact_of(users) == ("Sales Lead", None)


def test_json_nested_40_deep_is_400(client, users):
    # Shallow enough for the decoder, still deeper than any sipXconfig document.
    body = b'{"contact-information": {"jobTitle": ' + b"[" * 40 + b"]" * 40 + b"}}"
    response = client.put(f"{REST}/my/contact-information", body, content_type="application/json", **ALICE)
    error(response, 400, "nested more than 32 levels")
    assert contact_of(users) == ("Sales Lead", None)


# ---- XML safety -------------------------------------------------------------------------------------------

INTERNAL_ENTITY = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE contact-information [<!ENTITY boss "Expanded Entity">]>\n'
    "<contact-information><jobTitle>&boss;</jobTitle></contact-information>"
)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8"])
def test_dtd_with_an_internal_entity_is_400_in_any_encoding(client, users, encoding):
    text = INTERNAL_ENTITY if encoding != "utf-16-be" else INTERNAL_ENTITY.replace("UTF-16", "UTF-16BE")
    text = text if encoding != "utf-8" else text.replace("UTF-16", "UTF-8")
    response = client.put(f"{REST}/my/contact-information", text.encode(encoding), content_type="text/xml", **ALICE)
    error(response, 400, "Document type declarations and entities are not accepted")
    assert contact_of(users) == ("Sales Lead", None)


def test_text_values_stay_text(client, users):
    body = "<contact-information><jobTitle>Boss</jobTitle><cellPhoneNumber>007</cellPhoneNumber></contact-information>"
    response = client.put(f"{REST}/my/contact-information", body.encode("utf-16"), content_type="text/xml", **ALICE)
    assert response.status_code == 200, response.content
    assert contact_of(users) == ("Boss", "007")


# ---- numbers, paths, query values, headers ------------------------------------------------------------------


@pytest.mark.parametrize("query", ["start=%C2%B2", "end=%D9%A3", "start=1%C2%B2"])
def test_paging_numbers_are_ascii_digits(client, users, query):
    response = client.get(f"{REST}/my/pagedphonebook?{query}", **ALICE)
    error(response, 400, "must be a whole number from 0")


def test_a_5001_digit_range_is_ignored_and_the_file_sent_whole(client, users, admin_user):
    audio = BytesIO(tone_wav(1))
    audio.name = "m.wav"
    deposited = client.post(
        f"{REST}/mailbox/200/messages", {"audio": audio, "from": "201"}, HTTP_ACCEPT="application/json", **ADMIN
    )
    message_id = deposited.json()["message"]["messageId"] if deposited.status_code == 201 else None
    assert message_id, deposited.content
    for header in ("bytes=" + "9" * 5001 + "-", "bytes=\u00b2-", "bytes=0-" + "1" * 5001):
        response = client.get(f"{REST}/my/voicemail/inbox/{message_id}", HTTP_RANGE=header, **ALICE)
        assert response.status_code == 200 and b"".join(response.streaming_content) == tone_wav(1)


@pytest.mark.parametrize(
    "path",
    [
        "/avatar/a%00b",
        "/private/abc%00def/logindetails",
        "/my/phonebook/entry/1%00",
        "/my/mailbox/200%0A/preferences/activegreeting",
        "/nowhere%0A",
        "/my/feed/voicemail/inbox%7F",
        "/my/feed/voicemail/inbox%C2%85",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_control_characters_in_paths_are_404(client, users, path, method):
    response = getattr(client, method)(REST + path, **ALICE)
    error(response, 404, "control character")


@pytest.mark.parametrize("query", ["query=a%00b", "query=a%0Ab", "query=%C2%9B", "filter=a%09b&start=0"])
def test_control_characters_in_query_values_are_400(client, users, query):
    path = "/my/pagedphonebook" if query.startswith("filter") else "/my/search/phonebook"
    response = client.get(f"{REST}{path}?{query}", **ALICE)
    error(response, 400, "query parameter contains a control character")


def test_a_long_path_is_414(client, users):
    error(client.get(f"{REST}/my/phonebook/entry/{'1' * 3000}", **ALICE), 414, "longer than 2048 characters")


def test_a_long_query_is_414(client, users):
    error(client.get(f"{REST}/my/search/phonebook?query={'a' * 5000}", **ALICE), 414, "longer than 4096")


def test_large_headers_are_431(client, users):
    headers = {f"HTTP_X_FILL_{i}": "x" * 4000 for i in range(10)}
    error(client.get(f"{REST}/my/logindetails", **headers, **ALICE), 431, "larger than 32768 bytes")


def test_html_pages_get_a_plain_text_refusal(client, users):
    response = client.get("/portal/%00")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")


# ---- OPTIONS and unknown paths ----------------------------------------------------------------------------

SAMPLE = {"user": "200", "key": "nokey", "name": "sales", "entry_id": "1", "folder": "inbox", "message_id": "1"}


def rest_paths() -> list[str]:
    """Every REST URI pattern with sample values for its parameters (the catch-all left out)."""
    paths = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
                route = prefix + str(entry.pattern)
                if not route.startswith(REST_PREFIX):
                    continue
                for name in entry.pattern.converters:
                    route = route.replace(f"<str:{name}>", SAMPLE.get(name, "1"))
                    route = route.replace(f"<int:{name}>", "1").replace(f"<path:{name}>", "x")
                if "<" not in route and "^" not in route:
                    paths.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_the_walk_finds_the_rest_uris():
    paths = rest_paths()
    assert len(paths) > 30 and f"{REST}/my/forward" in paths and f"{REST}/my/phonebook" in paths


def test_options_is_200_with_allow_on_every_rest_uri(client, users, admin_user):
    for path in rest_paths():
        who = ADMIN if "/my/" not in path and "/private/" not in path else ALICE
        response = client.options(path, **who)
        assert response.status_code != 500, (path, response.content[:200])
        if response.status_code == 200:
            assert response["Allow"] and "OPTIONS" in response["Allow"], path
            assert response.content == b"", path
        else:
            error(response, response.status_code)  # a D1 body (the feed key's 404/403, a missing user's 404)


def test_options_without_credentials_is_a_json_401(client, users):
    error(client.options(f"{REST}/my/forward"), 401)


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options", "head"])
def test_unknown_rest_paths_answer_json_404_for_every_method(users, method):
    client = Client(enforce_csrf_checks=True)  # as a browser or curl: no CSRF exemption from the test client
    response = getattr(client, method)(f"{REST}/no/such/thing", **ALICE)
    if method == "head":
        assert response.status_code == 404
    else:
        error(response, 404, "There is no resource at /sipxconfig/rest/no/such/thing")


def test_newline_path_under_debug_is_json_not_the_url_list(client, users, settings):
    settings.DEBUG = True
    response = client.get(f"{REST}/my/logindetails%0A", **ALICE)
    error(response, 404, "control character")
    assert b"sipxconfig/rest/my/forward" not in response.content


# ---- cross-site writes (CSRF for Basic/Digest) --------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]
)
def test_non_document_bodies_are_415_where_xml_or_json_is_expected(client, users, content_type):
    body = entries_xml(1)
    response = client.post(f"{REST}/my/phonebook", body, content_type=content_type, **ALICE)
    error(response, 415, "takes an XML (text/xml) or JSON (application/json) document")
    assert not PhonebookEntry.objects.exists()


@pytest.mark.parametrize("content_type", ["text/xml", "application/xml", "text/xml; charset=utf-8", "application/json"])
def test_document_bodies_are_accepted(client, users, content_type):
    body = entries_xml(1) if "xml" in content_type else b'{"phonebook": {"entry": [{"number": "1"}]}}'
    response = client.post(f"{REST}/my/phonebook", body, content_type=content_type, **ALICE)
    assert response.status_code == 200, response.content
    assert PhonebookEntry.objects.count() == 1


def test_a_write_from_another_site_is_403(client, users):
    body = entries_xml(1)
    response = client.post(
        f"{REST}/my/phonebook", body, content_type="text/xml", HTTP_ORIGIN="https://evil.example", **ALICE
    )
    error(response, 403, "not accepted from another site")
    response = client.post(f"{REST}/my/phonebook", body, content_type="text/xml", HTTP_ORIGIN="null", **ALICE)
    error(response, 403, "not accepted from another site")
    assert not PhonebookEntry.objects.exists()


def test_a_write_from_the_site_itself_or_a_trusted_origin_is_accepted(client, users, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    for origin in ("http://testserver", "https://portal.example.org"):
        response = client.post(
            f"{REST}/my/phonebook/entry/0",
            f"<entry><first-name>A</first-name><last-name>B</last-name><number>{len(origin)}</number></entry>",
            content_type="text/xml",
            HTTP_ORIGIN=origin,
            **ALICE,
        )
        assert response.status_code == 200, (origin, response.content)
    assert PhonebookEntry.objects.count() == 2


def test_reads_with_a_foreign_origin_are_answered(client, users):
    assert client.get(f"{REST}/my/forward", HTTP_ORIGIN="https://evil.example", **ALICE).status_code == 200


# ---- the real server --------------------------------------------------------------------------------------


def send_head_of_big_body(port: int, path: str, length: int) -> tuple[bytes, float]:
    """Announce a `length`-byte body, send its first 64 KiB, and read the answer: a server that refuses from the
    Content-Length answers without waiting for the rest (a client that sent everything first would see the
    connection closed under it, as from any server that does not read a refused body)."""
    import base64
    import socket
    import time

    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml\r\n"
        f"Authorization: Basic {base64.b64encode(b'alice:1234').decode()}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + b"<phonebook>" + b"<entry><number>1</number></entry>" * 2000)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer, time.monotonic() - started


@pytest.mark.server
def test_gunicorn_refuses_10_and_100_mb_bodies_at_once():
    from tests.server.live import LiveServer

    # Before: a 10 MB body held a worker 60 s until gunicorn killed it (500); 100 MB took it to ~1 GB.
    with LiveServer(secret_key="bounds-" + "k" * 50) as server:
        for size in (10 * MiB, 100 * MiB):
            answer, elapsed = send_head_of_big_body(server.port, "/sipxconfig/rest/my/phonebook", size)
            assert answer.startswith(b"HTTP/1.1 413 ") and b"larger than the 1 MiB" in answer, answer[:300]
            assert elapsed < 5
        status, _, content = server.request("GET", "/sipxconfig/rest/my/phonebook", basic=("alice", "1234"))
        assert status == 200 and b"<entry>" not in content
