"""The admin's provisioning pages (apps/provisioning/admin_views.py, phone_page.py) with the demo PBX: the phone
page's files, fetches and previews, Resync of one phone and of a selection, the unknown phones turned into phones,
firmware images. Administrators only; bad input is a 4xx with a sentence and changes nothing; list pages cost a
constant number of queries."""

import html
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.callcontrol import notifications
from apps.callcontrol.models import Notification
from apps.phones.models import Phone
from apps.provisioning import files
from apps.provisioning.families import FAMILIES
from apps.provisioning.models import Firmware, PhoneFile, UnknownPhone
from apps.users.models import User
from tests.conftest import count_queries
from tests.provisioning.conftest import POLYCOM, SNOM, YEALINK, fetch

T46S = "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc"


@pytest.fixture
def admin(client, demo):
    client.force_login(User.objects.get(username="superadmin"))
    return client


@pytest.fixture
def user_client(demo):
    c = Client()
    c.force_login(User.objects.get(username="200"))
    return c


def phone(mac: str) -> Phone:
    return Phone.objects.get(serial_number=mac)


def page_of(mac: str) -> str:
    return reverse("phones:phone_edit", args=[phone(mac).pk])


def refusal(response) -> str:
    match = re.search(rb'<p id="refusal">(.*?)</p>', response.content, re.S)
    assert match, response.content[:800]
    return html.unescape(match.group(1).decode())


# ---- administrators only -------------------------------------------------------------------------------------


def urls():
    return [
        ("get", "provisioning:preview", lambda: [phone(POLYCOM).pk, f"{POLYCOM}.cfg"]),
        ("post", "provisioning:resync", lambda: [phone(POLYCOM).pk]),
        ("get", "provisioning:resync_log", list),
        ("post", "provisioning:resync_log", list),
        ("get", "provisioning:unknown_list", list),
        ("post", "provisioning:unknown_add", lambda: [1]),
        ("post", "provisioning:unknown_forget", lambda: [1]),
        ("get", "provisioning:firmware", list),
        ("post", "provisioning:firmware", list),
        ("post", "provisioning:firmware_delete", lambda: [1]),
    ]


@pytest.mark.parametrize("method, name, args", urls(), ids=[f"{m} {n}" for m, n, _ in urls()])
def test_a_user_gets_403_and_a_visitor_the_login_page(user_client, client, method, name, args):
    url = reverse(name, args=args())
    assert getattr(user_client, method)(url).status_code == 403
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Notification.objects.exists()


# ---- the phone page --------------------------------------------------------------------------------------------


def test_the_phone_page_shows_each_files_last_fetch(admin):
    fetch(admin, f"{YEALINK}.cfg", HTTP_USER_AGENT=T46S, REMOTE_ADDR="192.0.2.46")
    response = admin.get(page_of(YEALINK))
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="provisioning"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", section[section.index("<tbody>") :], re.S)
    assert len(rows) == 2  # the Yealink family's files
    config, phonebook = rows
    assert f"{YEALINK}.cfg" in config and "192.0.2.46" in config and T46S in config and "200 file sent" in config
    assert f"{YEALINK}-phonebook.xml" in phonebook and "Never fetched." in phonebook
    for name in (f"{YEALINK}.cfg", f"{YEALINK}-phonebook.xml"):
        assert reverse("provisioning:preview", args=[phone(YEALINK).pk, name]) in section
    assert "No resync sent recently." in section


def test_the_phone_page_of_a_model_without_files_says_so(admin):
    p = Phone.objects.create(serial_number="00aabbccddee", model="counterpathBria")
    response = admin.get(reverse("phones:phone_edit", args=[p.pk]))
    assert b"sipxweb provisions no file for this model" in response.content


def test_the_phone_page_costs_the_same_queries_with_more_fetches_and_resyncs(admin):
    url = page_of(POLYCOM)
    fetch(admin, f"{POLYCOM}.cfg")
    admin.post(reverse("provisioning:resync", args=[phone(POLYCOM).pk]))
    few = count_queries(admin.get, url)
    for name in (f"{POLYCOM}-phone.cfg", f"{POLYCOM}-directory.xml"):
        fetch(admin, name)
    for _ in range(5):
        admin.post(reverse("provisioning:resync", args=[phone(POLYCOM).pk]))
    assert count_queries(admin.get, url) == few


# ---- previews ---------------------------------------------------------------------------------------------------


def every_phone_file():
    return [(mac, kind) for mac, family in MACS.items() for kind in FAMILIES[family].files]


MACS = {POLYCOM: "polycom", YEALINK: "yealink", SNOM: "snom"}


@pytest.mark.parametrize("mac, kind", every_phone_file(), ids=lambda v: getattr(v, "name", v))
def test_a_preview_is_the_served_file_with_its_passwords_masked(admin, mac, kind):
    name = kind.file_name(mac)
    served = fetch(admin, name).content.decode()
    before = PhoneFile.objects.count()
    response = admin.get(reverse("provisioning:preview", args=[phone(mac).pk, name]))
    assert response.status_code == 200
    shown = re.search(r'<pre class="card file-preview" id="file-preview">(.*?)</pre>', response.content.decode(), re.S)
    text = html.unescape(shown.group(1))
    secrets = [*User.objects.exclude(sip_password="").values_list("sip_password", flat=True), "prov1234"]
    for secret in secrets:
        assert secret not in text
    # The test's oracle (not the code's method): the served file with each secret replaced is the preview.
    expected = served
    for secret in secrets:
        expected = expected.replace(secret, files.MASK)
    assert text == expected
    assert PhoneFile.objects.count() == before  # a preview is no fetch


def test_the_preview_masks_the_password_where_the_template_writes_it(admin):
    response = admin.get(reverse("provisioning:preview", args=[phone(POLYCOM).pk, f"{POLYCOM}-phone.cfg"]))
    assert 'reg.1.auth.password="********"' in html.unescape(response.content.decode())
    response = admin.get(reverse("provisioning:preview", args=[phone(YEALINK).pk, f"{YEALINK}.cfg"]))
    text = html.unescape(response.content.decode())
    assert "account.1.password = ********" in text
    assert "remote_phonebook.data.1.url = http://provisioning:********@pbx.example.org/provision/" in text


def test_a_file_the_phone_does_not_have_has_no_preview(admin):
    assert admin.get(reverse("provisioning:preview", args=[phone(POLYCOM).pk, f"{YEALINK}.cfg"])).status_code == 404
    assert admin.get(reverse("provisioning:preview", args=[987654, f"{POLYCOM}.cfg"])).status_code == 404


# ---- Resync -----------------------------------------------------------------------------------------------------


def test_resync_queues_a_check_sync_notify_to_the_first_line_user_and_the_page_shows_the_answer(admin):
    p = phone(POLYCOM)
    response = admin.post(reverse("provisioning:resync", args=[p.pk]))
    assert response.status_code == 302 and response["Location"] == page_of(POLYCOM) + "#provisioning"
    row = Notification.objects.get()
    assert (row.key, row.user.username, row.event, row.state) == (f"phone:{p.pk}", "200", "check-sync", "queued")
    page = admin.get(page_of(POLYCOM)).content.decode()
    assert "Resync queued" in page and 'data-state="pending"' in page
    status_url = reverse("provisioning:resync_status", args=[row.pk])
    assert status_url in page
    assert admin.get(status_url).json() == {"state": "pending", "text": "Resync queued…"}
    notifications.finish(row.pk, 200, "OK", "")
    assert admin.get(status_url).json() == {"state": "ok", "text": "Resync sent: 200 OK"}
    assert "Resync sent: 200 OK" in admin.get(page_of(POLYCOM)).content.decode()


@pytest.mark.parametrize(
    "status, reason, outcome, text",
    [
        (404, "Not Found", "", "Phone not registered (404 Not Found)"),
        (480, "Temporarily Unavailable", "", "Phone not registered (480 Temporarily Unavailable)"),
        (408, "Request Timeout", "", "The phone did not answer (408 Request Timeout)"),
        (403, "Forbidden", "", "Resync refused: 403 Forbidden"),
        (None, "", "no answer from the proxy (timed out)", "Resync failed: no answer from the proxy (timed out)"),
    ],
)
def test_every_answer_is_said_in_words(admin, status, reason, outcome, text):
    admin.post(reverse("provisioning:resync", args=[phone(POLYCOM).pk]))
    row = Notification.objects.get()
    notifications.finish(row.pk, status, reason, outcome)
    assert admin.get(reverse("provisioning:resync_status", args=[row.pk])).json()["text"] == text
    assert text in admin.get(page_of(POLYCOM)).content.decode()


def test_a_phone_without_a_line_cannot_be_resynced(admin):
    p = Phone.objects.create(serial_number="0004f2000001", model="polycom335")
    response = admin.post(reverse("provisioning:resync", args=[p.pk]))
    assert response.status_code == 409
    assert "cannot be reached: it has no line with an enabled user" in refusal(response)
    assert not Notification.objects.exists()


def test_resync_is_post_only_and_of_a_phone_that_exists(admin):
    assert admin.get(reverse("provisioning:resync", args=[phone(POLYCOM).pk])).status_code == 405
    assert admin.post(reverse("provisioning:resync", args=[987654])).status_code == 404
    assert not Notification.objects.exists()


def test_bulk_resync_queues_one_notify_per_selected_phone_and_lists_them(admin):
    selected = [phone(mac) for mac in (POLYCOM, YEALINK, SNOM)]
    lineless = Phone.objects.create(serial_number="0004f2000001", model="polycom335")
    response = admin.post(reverse("provisioning:resync_log"), {"phone": [p.pk for p in [*selected, lineless]]})
    assert response.status_code == 302 and response["Location"] == reverse("provisioning:resync_log")
    queued = Notification.objects.order_by("user__username")
    assert [(n.key, n.user.username) for n in queued] == [
        (f"phone:{selected[0].pk}", "200"),
        (f"phone:{selected[1].pk}", "201"),
        (f"phone:{selected[2].pk}", "202"),
    ]
    log = admin.get(reverse("provisioning:resync_log"))
    text = log.content.decode()
    assert text.count("Resync queued…") == 3 and all(mac in text for mac in (POLYCOM, YEALINK, SNOM))
    assert "Phone 0004f2000001 not resynced: it has no line" in text


@pytest.mark.parametrize(
    "data, sentence",
    [
        ({}, "Select at least one phone to resync."),
        ({"phone": ["x1"]}, "The selection names phones by number only."),
        ({"phone": ["987654"]}, "There is no phone number 987654"),
        ({"phone": [str(n) for n in range(501)]}, "At most 500 phones can be resynced at once; 501 were selected."),
    ],
)
def test_a_bad_selection_is_400_with_a_sentence_and_resyncs_nothing(admin, data, sentence):
    if "phone" in data and data["phone"] == ["987654"]:
        data = {"phone": [str(phone(POLYCOM).pk), "987654"]}
    response = admin.post(reverse("provisioning:resync_log"), data)
    assert response.status_code == 400
    assert sentence in refusal(response)
    assert not Notification.objects.exists()


def test_the_resync_log_costs_the_same_queries_for_3_and_30_resyncs(admin):
    url = reverse("provisioning:resync_log")
    ids = [phone(mac).pk for mac in (POLYCOM, YEALINK, SNOM)]
    admin.post(url, {"phone": ids})
    few = count_queries(admin.get, url)
    for _ in range(9):
        admin.post(url, {"phone": ids})
    assert count_queries(admin.get, url) == few


def test_the_phone_list_selects_phones_for_the_bulk_resync(admin):
    html = admin.get(reverse("phones:phone_list")).content.decode()
    assert f'<form method="post" action="{reverse("provisioning:resync_log")}" id="bulk-resync"' in html
    boxes = re.findall(r'<input type="checkbox" name="phone" value="(\d+)" form="bulk-resync"', html)
    assert sorted(map(int, boxes)) == sorted(Phone.objects.values_list("pk", flat=True))


def test_the_phone_list_costs_the_same_queries_for_6_and_24_phones(admin):
    url = reverse("phones:phone_list")
    few = count_queries(admin.get, url)
    for n in range(18):
        Phone.objects.create(serial_number=f"0004f2{n:06x}", model="polycom335")
    assert count_queries(admin.get, url) == few


# ---- unknown phones ---------------------------------------------------------------------------------------------


def ask_as_unknown(client, mac="001565aabbcc", agent=T46S):
    assert fetch(client, f"{mac}.cfg", HTTP_USER_AGENT=agent).status_code == 404
    return UnknownPhone.objects.get(mac=mac)


def test_the_unknown_list_guesses_the_model_and_one_click_adds_the_phone(admin):
    row = ask_as_unknown(admin)
    html = admin.get(reverse("provisioning:unknown_list")).content.decode()
    assert "001565aabbcc" in html and T46S in html
    assert re.search(rf'<select name="{row.pk}-model"[^>]*>.*?<option value="yealinkPhoneT46" selected>', html, re.S)
    response = admin.post(
        reverse("provisioning:unknown_add", args=[row.pk]),
        {f"{row.pk}-model": "yealinkPhoneT46", f"{row.pk}-lines": "bob", f"{row.pk}-description": ""},
    )
    added = Phone.objects.get(serial_number="001565aabbcc")
    assert response.status_code == 302 and response["Location"] == added.get_absolute_url()
    assert added.model == "yealinkPhoneT46" and added.version == "V86"  # the model's newest, as every channel gives
    assert [line.user.username for line in added.lines.all()] == ["201"]
    assert not UnknownPhone.objects.exists()
    assert fetch(admin, "001565aabbcc.cfg").status_code == 200  # its next fetch gets its file


@pytest.mark.parametrize(
    "model, lines, sentence",
    [
        ("nokia3310", "", "Model: Select a valid choice."),
        ("yealinkPhoneT46", "nobody", 'there is no user "nobody" for a line.'),
        ("yealinkPhoneT41", "200, 201, 202, 203", "model yealinkPhoneT41 has 3 lines, not 4."),
    ],
)
def test_a_refused_phone_is_400_with_the_phones_rule_and_stays_unknown(admin, model, lines, sentence):
    row = ask_as_unknown(admin)
    data = {f"{row.pk}-model": model, f"{row.pk}-lines": lines}
    response = admin.post(reverse("provisioning:unknown_add", args=[row.pk]), data)
    assert response.status_code == 400
    assert sentence in refusal(response) and "001565aabbcc" in refusal(response)
    assert not Phone.objects.filter(serial_number="001565aabbcc").exists()
    assert UnknownPhone.objects.filter(pk=row.pk).exists()


def test_a_mac_that_became_a_phone_meanwhile_is_refused(admin):
    row = ask_as_unknown(admin)
    Phone.objects.create(serial_number=row.mac, model="yealinkPhoneT46")
    response = admin.post(reverse("provisioning:unknown_add", args=[row.pk]), {f"{row.pk}-model": "yealinkPhoneT46"})
    assert response.status_code == 400 and "already exists" in refusal(response)
    assert admin.post(reverse("provisioning:unknown_add", args=[987654]), {}).status_code == 404


def test_forget_removes_an_unknown_phone(admin):
    row = ask_as_unknown(admin)
    assert admin.post(reverse("provisioning:unknown_forget", args=[row.pk])).status_code == 302
    assert not UnknownPhone.objects.exists()


def test_the_unknown_list_costs_the_same_queries_for_3_and_30_rows(admin):
    url = reverse("provisioning:unknown_list")
    for n in range(3):
        ask_as_unknown(admin, mac=f"001565ff00{n:02x}")
    few = count_queries(admin.get, url)
    for n in range(3, 30):
        ask_as_unknown(admin, mac=f"001565ff00{n:02x}")
    assert count_queries(admin.get, url) == few


# ---- firmware ---------------------------------------------------------------------------------------------------


@pytest.fixture
def on_v86(demo):
    """The demo's Yealink on firmware V86 (the demo's phones have no version)."""
    Phone.objects.filter(serial_number=YEALINK).update(version="V86")


def image(size=2048, name="T46-66.86.0.15.rom"):
    return SimpleUploadedFile(name, bytes(range(256)) * (size // 256), content_type="application/octet-stream")


def test_an_uploaded_image_is_named_by_its_phones_files_and_served_with_the_credential(admin, on_v86):
    response = admin.post(
        reverse("provisioning:firmware"), {"model": "yealinkPhoneT46", "version": "V86", "file": image()}
    )
    assert response.status_code == 302
    stored = Firmware.objects.get()
    url = f"/provision/firmware/{stored.pk}/T46-66.86.0.15.rom"
    config = fetch(admin, f"{YEALINK}.cfg").content.decode()
    assert f"static.firmware.url = http://provisioning:prov1234@pbx.example.org{url}" in config
    served = fetch(admin, url.removeprefix("/provision/"))
    assert served.status_code == 200 and b"".join(served.streaming_content) == bytes(range(256)) * 8
    assert Client().get(url).status_code == 401  # the image is the phones', behind their credential


def test_the_firmware_list_names_each_image_and_its_phones(admin, on_v86):
    admin.post(reverse("provisioning:firmware"), {"model": "yealinkPhoneT46", "version": "V86", "file": image()})
    html = admin.get(reverse("provisioning:firmware")).content.decode()
    row = re.search(r'<table class="list" id="firmware-images">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert "Yealink T46G/T46S" in row and "V86" in row and "T46-66.86.0.15.rom" in row
    assert re.search(r'<td class="num">1</td>', row)  # the demo's Yealink


@pytest.mark.parametrize(
    "data, field, sentence",
    [
        (
            {"model": "yealinkPhoneT46", "version": "V99"},
            "version",
            'model yealinkPhoneT46 has no firmware version "V99"',
        ),
        ({"model": "counterpathBria", "version": "1"}, "model", "Select a valid choice."),
        ({"model": "yealinkPhoneT46", "version": "V86", "size": 0}, "file", "The submitted file is empty."),
        ({"model": "yealinkPhoneT46", "version": "V86", "size": 4096}, "file", "the firmware file is larger than"),
    ],
)
def test_a_refused_upload_is_400_with_a_sentence_and_stores_nothing(admin, settings, data, field, sentence):
    settings.PROVISIONING_FIRMWARE_MAX_BYTES = 3000
    upload = image(size=data.pop("size", 1024))
    response = admin.post(reverse("provisioning:firmware"), {**data, "file": upload})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(sentence in e for e in errors[field]), errors
    # The page shows it as a sentence, with a capital.
    assert (sentence[:1].upper() + sentence[1:]).encode() in response.content.replace(b"&quot;", b'"')
    assert not Firmware.objects.exists()


def test_a_deleted_image_leaves_the_files(admin, on_v86, django_capture_on_commit_callbacks):
    admin.post(reverse("provisioning:firmware"), {"model": "yealinkPhoneT46", "version": "V86", "file": image()})
    stored = Firmware.objects.get()
    storage, name = stored.file.storage, stored.file.name
    assert storage.exists(name) and "static.firmware.url" in fetch(admin, f"{YEALINK}.cfg").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(reverse("provisioning:firmware_delete", args=[stored.pk])).status_code == 302
    assert not Firmware.objects.exists() and not storage.exists(name)
    assert "static.firmware.url" not in fetch(admin, f"{YEALINK}.cfg").content.decode()


def test_the_firmware_list_costs_the_same_queries_for_1_and_4_images(admin):
    url = reverse("provisioning:firmware")
    admin.post(url, {"model": "yealinkPhoneT46", "version": "V86", "file": image()})
    few = count_queries(admin.get, url)
    for version in ("V81", "V84"):
        admin.post(url, {"model": "yealinkPhoneT46", "version": version, "file": image()})
    admin.post(url, {"model": "polycom335", "version": "4.0.X", "file": image(name="sip.ld")})
    assert Firmware.objects.count() == 4
    assert count_queries(admin.get, url) == few


def test_an_upload_larger_than_the_bound_is_refused_before_it_is_read(admin):
    response = admin.post(
        reverse("provisioning:firmware"),
        {"model": "yealinkPhoneT46", "version": "V86", "file": image()},
        CONTENT_LENGTH=str(settings.PROVISIONING_FIRMWARE_MAX_BYTES + 2 * 1024 * 1024),
    )
    assert response.status_code == 413 and b"MiB" in response.content
    assert not Firmware.objects.exists()
