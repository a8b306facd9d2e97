"""Attendant pages: the permission matrix, the special-mode panel, the editor (menu formset validated through
services, prompt upload and playback), deletion of system attendants refused, constant queries on the list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.attendants import services
from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode
from tests.conftest import count_queries
from tests.voicemail.audio import tone_mp3, tone_wav


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def attendant_admin(make_user):
    return make_user("300", aliases=["carol"], perm_attendant_admin=True)


@pytest.fixture
def sales(db):
    attendant = AutoAttendant.objects.create(name="Sales", description="Sales menu")
    services.set_menu(attendant, [("0", "operator", ""), ("1", "transfer_out", "201")])
    return attendant


def html(response) -> str:
    return response.content.decode()


def menu(attendant):
    return list(attendant.menu.values_list("key", "action", "parameter"))


def post_data(name="Support", rows=(), extra=0, **fields):
    """The editor's POST: the attendant's fields and the menu formset (rows then `extra` blank rows)."""
    data = {"name": name, "description": "", "language": "en", **fields}
    rows = list(rows) + [("", "", "")] * extra
    data.update({"menu-TOTAL_FORMS": len(rows), "menu-INITIAL_FORMS": 0})
    for i, row in enumerate(rows):
        key, action, parameter = row[:3]
        data.update({f"menu-{i}-key": key, f"menu-{i}-action": action, f"menu-{i}-parameter": parameter})
        if len(row) > 3 and row[3]:
            data[f"menu-{i}-DELETE"] = "on"
    return data


# --- permissions ------------------------------------------------------------------------------------------


def editor_urls(attendant):
    return [
        reverse("attendants:attendant_add"),
        reverse("attendants:attendant_edit", args=[attendant.pk]),
        reverse("attendants:attendant_delete", args=[attendant.pk]),
        reverse("attendants:attendant_prompt", args=[attendant.pk]),
    ]


PANEL = ["attendants:attendant_list", "attendants:special_mode", "attendants:special_attendant"]


def test_anonymous_is_sent_to_login(client, sales):
    for url in [reverse(n) for n in PANEL] + editor_urls(sales):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")
    client.post(reverse("attendants:special_mode"), {"enabled": "on"})
    assert not SpecialMode.current().enabled


def test_plain_user_gets_403_everywhere(client, alice, sales):
    client.force_login(alice)
    for url in [reverse(n) for n in PANEL] + editor_urls(sales):
        assert client.get(url).status_code == 403
        assert client.post(url, {"enabled": "on"}).status_code == 403
    assert not SpecialMode.current().enabled and AutoAttendant.objects.filter(pk=sales.pk).exists()
    assert 'href="/attendants/"' not in html(client.get(reverse("portal:home")))


def test_attendant_admin_uses_list_and_panel_but_not_editor(client, attendant_admin, sales):
    client.force_login(attendant_admin)
    page = html(client.get(reverse("attendants:attendant_list")))
    assert "Sales" in page and "Special mode" in page
    assert "Add attendant" not in page and reverse("attendants:attendant_edit", args=[sales.pk]) not in page
    assert 'href="/attendants/" aria-current="page">Attendants' in page and 'href="/phones/"' not in page
    for url in editor_urls(sales) + [reverse("phones:phone_list")]:
        assert client.get(url).status_code == 403
        assert client.post(url, post_data()).status_code == 403
    services.select_special(sales)
    assert client.post(reverse("attendants:special_mode"), {"enabled": "on"}).status_code == 302
    assert SpecialMode.current().enabled


def test_admin_sees_everything(admin_client, sales):
    page = html(admin_client.get(reverse("attendants:attendant_list")))
    assert "Add attendant" in page and reverse("attendants:attendant_edit", args=[sales.pk]) in page
    for url in editor_urls(sales)[:3]:
        assert admin_client.get(url).status_code == 200


# --- list and special mode --------------------------------------------------------------------------------


def test_list_shows_names_system_ids_descriptions_and_menu_size(admin_client, sales):
    page = html(admin_client.get(reverse("attendants:attendant_list")))
    assert "<code>operator</code>" in page and "<code>afterhour</code>" in page
    # A user attendant is known by its name everywhere (menus, D12); its internal xcf id is nobody's business.
    assert "Sales" in page and "Sales menu" in page and "xcf" not in page
    assert "xcf" not in html(admin_client.get(reverse("attendants:attendant_edit", args=[sales.pk])))
    assert '<td class="num">2</td>' in page
    searched = admin_client.get(reverse("attendants:attendant_list"), {"q": "operator"})
    assert [a.name for a in searched.context["object_list"]] == ["operator"]


def test_special_mode_panel(client, attendant_admin, sales):
    client.force_login(attendant_admin)
    list_url = reverse("attendants:attendant_list")
    assert "Turn special mode on" in html(client.get(list_url))
    # Nothing selected: the page refuses with a sentence (the sipXconfig URI picks afterhour, D11).
    response = client.post(reverse("attendants:special_mode"), {"enabled": "on"}, follow=True)
    mode = SpecialMode.current()
    assert not mode.enabled and mode.attendant is None
    assert "Select the special attendant first" in html(response) and 'class="message error"' in html(response)

    client.post(reverse("attendants:special_attendant"), {"attendant": sales.pk})
    assert SpecialMode.current().attendant == sales
    page = html(client.get(list_url))
    assert f'<option value="{sales.pk}" selected>Sales</option>' in page
    response = client.post(reverse("attendants:special_mode"), {"enabled": "on"}, follow=True)
    mode = SpecialMode.current()
    assert mode.enabled and mode.attendant == sales
    assert "calls go to Sales" in html(response) and "Turn special mode off" in html(response)

    response = client.post(reverse("attendants:special_attendant"), {"attendant": ""}, follow=True)
    assert "turn it off before clearing" in html(response) and 'class="message error"' in html(response)
    assert SpecialMode.current().attendant == sales

    client.post(reverse("attendants:special_mode"), {"enabled": "off"})
    mode = SpecialMode.current()
    assert not mode.enabled and mode.attendant == sales  # D11: the selection is kept
    response = client.post(reverse("attendants:special_attendant"), {"attendant": ""}, follow=True)
    assert "No special attendant is selected" in html(response) and SpecialMode.current().attendant is None

    response = client.post(reverse("attendants:special_attendant"), {"attendant": "99999"}, follow=True)
    assert "does not exist" in html(response)
    response = client.post(reverse("attendants:special_mode"), {"enabled": "maybe"}, follow=True)
    assert "Choose on or off" in html(response) and not SpecialMode.current().enabled


# --- editor -----------------------------------------------------------------------------------------------


def test_create_attendant_with_menu(admin_client, make_user):
    make_user("201", aliases=["bob"])
    rows = [
        ("0", "operator", ""),
        ("1", "transfer_out", "201"),
        ("9", "dial_by_name", ""),
        ("*", "voicemail_deposit", "bob"),
    ]
    response = admin_client.post(reverse("attendants:attendant_add"), post_data("Support", rows, extra=3))
    assert response.status_code == 302 and response["Location"] == reverse("attendants:attendant_list")
    attendant = AutoAttendant.objects.get(name="Support")
    assert sorted(menu(attendant)) == sorted([(k, a, p) for k, a, p in rows])
    page = html(admin_client.get(reverse("attendants:attendant_edit", args=[attendant.pk])))
    assert page.count("data-menu-row") >= 4 and 'value="201"' in page
    assert '<option value="transfer_out" selected>' in page
    assert 'id="needs-parameter"' in page and "attendant_menu.js" in page


def test_menu_may_point_to_itself_and_other_attendants(admin_client, sales):
    rows = [("1", "transfer_to_another_aa_menu", "Sales"), ("2", "transfer_to_another_aa_menu", "Loop")]
    assert admin_client.post(reverse("attendants:attendant_add"), post_data("Loop", rows)).status_code == 302
    assert len(menu(AutoAttendant.objects.get(name="Loop"))) == 2


@pytest.mark.parametrize(
    "row, message",
    [
        (("1", "transfer_out", ""), "needs an extension or SIP URI"),
        (("1", "transfer_out", "not a uri!"), "is neither an extension"),
        (("1", "operator", "201"), "takes no parameter"),
        (("1", "transfer_to_another_aa_menu", "Nowhere"), "there is no attendant &quot;Nowhere&quot;"),
        (("1", "voicemail_deposit", "999"), "is not the extension of a user"),
        (("", "operator", ""), "Choose a key."),
        (("1", "", ""), "Choose an action."),
        (("X", "operator", ""), "Select a valid choice"),
    ],
)
def test_bad_menu_row_keeps_everything_and_shows_error_on_the_row(admin_client, sales, row, message):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    rows = [("0", "dial_by_name", ""), row]
    response = admin_client.post(url, post_data("Sales renamed", rows, extra=1, description="Kept"))
    assert response.status_code == 200
    page = html(response)
    assert message in page
    formset = response.context["formset"]
    assert not formset.forms[0].errors and formset.forms[1].errors
    # the row's error is inside its own row, and what was typed is still there
    bad_row = page.split("data-menu-row")[2]
    assert message in bad_row.split("</tr>")[0]
    assert 'value="Sales renamed"' in page and 'value="Kept"' in page
    assert '<option value="dial_by_name" selected>' in page
    sales.refresh_from_db()
    assert sales.name == "Sales" and menu(sales) == [("0", "operator", ""), ("1", "transfer_out", "201")]


def test_duplicate_key(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    response = admin_client.post(url, post_data("Sales", [("5", "operator", ""), ("5", "dial_by_name", "")]))
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["key"] == ["Key 5 is already used in another row."]
    assert len(menu(sales)) == 2


def test_bad_attendant_field_still_shows_menu_errors(admin_client, sales):
    response = admin_client.post(reverse("attendants:attendant_add"), post_data("Sales", [("1", "operator", "x")]))
    assert response.status_code == 200
    assert "already exists" in html(response) and "takes no parameter" in html(response)
    assert AutoAttendant.objects.filter(name="Sales").count() == 1


def test_edit_removes_and_clears_rows(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    data = post_data("Sales", [("0", "operator", "", True), ("1", "transfer_out", "sip:desk@example.org")], extra=2)
    data["menu-INITIAL_FORMS"] = 2
    assert admin_client.post(url, data).status_code == 302
    assert menu(sales) == [("1", "transfer_out", "sip:desk@example.org")]
    data = post_data("Sales", [("", "", "")])
    data["menu-INITIAL_FORMS"] = 1
    assert admin_client.post(url, data).status_code == 302
    assert menu(sales) == []


def test_service_error_is_shown_next_to_the_row(admin_client, sales, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(attendant, items):
        raise ValidationError("key 1: refused by the service.")

    monkeypatch.setattr(services, "set_menu", refuse)
    url = reverse("attendants:attendant_add")
    response = admin_client.post(url, post_data("New", [("0", "operator", ""), ("1", "dial_by_name", "")]))
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["parameter"] == ["key 1: refused by the service."]
    assert not AutoAttendant.objects.filter(name="New").exists()
    assert response.context["form"].instance.pk is None


def test_prompt_upload_and_playback(admin_client, sales, settings):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    data = post_data("Sales", [("0", "operator", "")], prompt=wav())
    assert admin_client.post(url, data).status_code == 302
    sales.refresh_from_db()
    assert sales.prompt.name.startswith("prompts/welcome")
    page = html(admin_client.get(url))
    prompt_url = reverse("attendants:attendant_prompt", args=[sales.pk])
    assert f'<audio controls preload="none" src="{prompt_url}"' in page and "welcome" in page
    response = admin_client.get(prompt_url)
    assert response.status_code == 200 and "wav" in response["Content-Type"]
    assert b"".join(response.streaming_content).startswith(b"RIFF")

    data = post_data("Sales", [("0", "operator", "")], remove_prompt="on")
    assert admin_client.post(url, data).status_code == 302
    sales.refresh_from_db()
    assert not sales.prompt and admin_client.get(prompt_url).status_code == 404


def prompt_files(settings) -> set[str]:
    root = settings.MEDIA_ROOT / "prompts"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def wav(name="welcome.wav"):
    return SimpleUploadedFile(name, tone_wav(1), content_type="audio/wav")


def test_a_refused_save_leaves_no_prompt_file(admin_client, db, settings, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(attendant, items):
        raise ValidationError("key 1: refused by the service.")

    monkeypatch.setattr(services, "set_menu", refuse)
    data = post_data("New", [("0", "operator", "")], prompt=wav())
    assert admin_client.post(reverse("attendants:attendant_add"), data).status_code == 200
    assert prompt_files(settings) == set()


def test_replaced_and_deleted_prompts_leave_storage(admin_client, sales, settings, django_capture_on_commit_callbacks):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=wav("one.wav")))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=wav("two.wav")))
    sales.refresh_from_db()
    assert prompt_files(settings) == {sales.prompt.name.removeprefix("prompts/")}
    # Another attendant naming the same file (as an imported PBX file may) keeps it when this one goes.
    twin = AutoAttendant.objects.create(name="Twin", prompt=sales.prompt.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(reverse("attendants:attendant_delete", args=[sales.pk])).status_code == 302
    assert prompt_files(settings) == {twin.prompt.name.removeprefix("prompts/")}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("attendants:attendant_delete", args=[twin.pk]))
    assert prompt_files(settings) == set()


def test_prompt_must_be_wav_or_mp3(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    bad = SimpleUploadedFile("welcome.aiff", b"FORM\x00\x00\x00\x04AIFF", content_type="audio/aiff")
    response = admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=bad))
    assert response.status_code == 200
    assert "File extension “aiff” is not allowed" in html(response) and "choose it again" in html(response)
    assert 'accept=".wav,.mp3' in html(response)
    sales.refresh_from_db()
    assert not sales.prompt


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("welcome.wav", b"Welcome to Example Corp, press 1 for sales.\n", "not a WAV or MP3 recording"),
        ("welcome.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "This WAV file cannot be read"),  # a header, no audio
        ("welcome.wav", tone_mp3(1), "holds MP3 audio but is named .wav"),
    ],
)
def test_prompt_is_judged_by_its_content_not_its_name(admin_client, sales, settings, name, content, message):
    """As the greeting upload: a text file named .wav is no prompt (the media server could never play it)."""
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    upload = SimpleUploadedFile(name, content, content_type="audio/wav")
    response = admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=upload))
    assert response.status_code == 200
    assert message in html(response)
    sales.refresh_from_db()
    assert not sales.prompt and prompt_files(settings) == set()


def test_mp3_prompt_is_taken(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    upload = SimpleUploadedFile("night.mp3", tone_mp3(1), content_type="audio/mpeg")
    assert admin_client.post(url, post_data("Sales", [("0", "operator", "")], prompt=upload)).status_code == 302
    sales.refresh_from_db()
    assert sales.prompt.name.startswith("prompts/night") and sales.prompt.name.endswith(".mp3")


def test_delete_attendant(admin_client, sales):
    url = reverse("attendants:attendant_delete", args=[sales.pk])
    assert "Yes, delete" in html(admin_client.get(url))
    assert admin_client.post(url).status_code == 302
    assert not AutoAttendant.objects.filter(pk=sales.pk).exists() and not MenuItem.objects.filter(attendant=sales.pk)


@pytest.mark.parametrize("system_id", ["operator", "afterhour"])
def test_system_attendants_cannot_be_deleted(admin_client, system_id):
    attendant = AutoAttendant.objects.get(system_id=system_id)
    url = reverse("attendants:attendant_delete", args=[attendant.pk])
    page = html(admin_client.get(url))
    assert "cannot be deleted" in page and "Yes, delete" not in page
    assert "Delete</a>" not in html(admin_client.get(reverse("attendants:attendant_edit", args=[attendant.pk])))
    response = admin_client.post(url, follow=True)
    assert "is a system attendant" in html(response)
    assert AutoAttendant.objects.filter(pk=attendant.pk).exists()


# --- constant queries -------------------------------------------------------------------------------------


def make_many(count: int):
    """Attendants with a two-key menu each, as set_menu stores them, in two bulk inserts."""
    have = AutoAttendant.objects.count()
    made = AutoAttendant.objects.bulk_create(
        [AutoAttendant(name=f"aa{i:04d}", description="many") for i in range(have, count)]
    )
    MenuItem.objects.bulk_create(
        item
        for attendant in made
        for item in (
            MenuItem(attendant=attendant, key="0", action="operator", parameter=""),
            MenuItem(attendant=attendant, key="1", action="transfer_out", parameter="201"),
        )
    )


def test_list_uses_constant_queries(admin_client):
    url = reverse("attendants:attendant_list")
    make_many(10)
    small = count_queries(admin_client.get, url)
    searched = count_queries(admin_client.get, url + "?q=aa")
    make_many(200)
    assert count_queries(admin_client.get, url) == small
    assert count_queries(admin_client.get, url + "?q=aa") == searched


# --- what a caller who presses nothing or a wrong key gets --------------------------------------------------


def test_failure_settings_are_edited_and_kept_when_left_out(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    page = html(admin_client.get(url))
    assert 'name="digit_timeout"' in page and 'name="max_invalid"' in page and 'name="on_failure"' in page
    rows = [("0", "operator", "")]
    data = post_data("Sales", rows, digit_timeout="8", max_invalid="2", on_failure="operator")
    assert admin_client.post(url, data).status_code == 302
    sales.refresh_from_db()
    assert (sales.digit_timeout, sales.max_invalid, sales.on_failure) == (8, 2, "operator")
    # A form without them (an older page, a script) changes nothing of them.
    assert admin_client.post(url, post_data("Sales", rows)).status_code == 302
    sales.refresh_from_db()
    assert (sales.digit_timeout, sales.max_invalid, sales.on_failure) == (8, 2, "operator")


def test_new_attendant_gets_the_default_failure_settings(admin_client):
    assert admin_client.post(reverse("attendants:attendant_add"), post_data("New")).status_code == 302
    new = AutoAttendant.objects.get(name="New")
    assert (new.digit_timeout, new.max_invalid, new.on_failure) == (5, 3, "disconnect")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("digit_timeout", "0", "greater than or equal to 1"),
        ("digit_timeout", "61", "less than or equal to 60"),
        ("max_invalid", "11", "less than or equal to 10"),
        ("on_failure", "transfer", "Select a valid choice"),
    ],
)
def test_bad_failure_settings_are_refused_with_a_sentence(admin_client, sales, field, value, message):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    response = admin_client.post(url, post_data("Sales", [("0", "operator", "")], **{field: value}))
    assert response.status_code == 200 and message in html(response)
    sales.refresh_from_db()
    assert (sales.digit_timeout, sales.max_invalid, sales.on_failure) == (5, 3, "disconnect")


# --- "another attendant": a select of names -----------------------------------------------------------------


def test_another_attendant_is_chosen_from_the_names(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    data = post_data("Sales", [("0", "operator", ""), ("3", "transfer_to_another_aa_menu", "")])
    data["menu-1-attendant"] = "After hours"
    assert admin_client.post(url, data).status_code == 302
    assert menu(sales) == [("0", "operator", ""), ("3", "transfer_to_another_aa_menu", "After hours")]
    # The editor offers every attendant by name, the stored target selected; no internal id to type.
    page = html(admin_client.get(url))
    row = page.split("data-menu-row")[2].split("</tr>")[0]
    assert 'data-for-action="transfer_to_another_aa_menu"' in row
    assert '<option value="After hours" selected>After hours</option>' in row
    assert '<option value="operator">operator</option>' in row and '<option value="Sales">Sales</option>' in row
    assert 'name="menu-1-parameter" value=' not in row  # the name is in the select, not in the text box


def test_a_target_gone_meanwhile_is_refused_on_its_row(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    data = post_data("Sales", [("3", "transfer_to_another_aa_menu", "")])
    data["menu-0-attendant"] = "Deleted meanwhile"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "there is no attendant &quot;Deleted meanwhile&quot;" in html(response)
    assert menu(sales) == [("0", "operator", ""), ("1", "transfer_out", "201")]


def test_the_select_is_ignored_for_other_actions(admin_client, sales):
    url = reverse("attendants:attendant_edit", args=[sales.pk])
    data = post_data("Sales", [("1", "transfer_out", "202")])
    data["menu-0-attendant"] = "operator"
    assert admin_client.post(url, data).status_code == 302
    assert menu(sales) == [("1", "transfer_out", "202")]
