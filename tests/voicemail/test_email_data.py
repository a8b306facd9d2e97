"""A mailbox's e-mail choice in the PBX data file (the users' `voicemailEmail`: export, import, refusal, round trip)
and over the admin JSON API's mailbox resource (read, change with If-Match, refusal), with a real Bearer token."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.users import tokens
from apps.voicemail import email as vmmail
from apps.voicemail.models import EmailMode
from tests.adminapi.conftest import Api

BASE = {"format": "sipxweb-pbx", "version": 1}


def export() -> dict:
    out = io.StringIO()
    call_command("export_pbx", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def import_file(tmp_path, document, *args):
    path = tmp_path / "pbx.json"
    path.write_text(json.dumps(document))
    call_command("import_pbx", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())


def users_of(document) -> dict:
    return {u["userName"]: u for u in document["users"]}


def test_export_writes_the_choice_only_when_not_off(alice, bob):
    vmmail.set_email_mode(alice, EmailMode.ATTACH_SAVE)
    users = users_of(export())
    assert users["200"]["voicemailEmail"] == "attach-save"
    assert "voicemailEmail" not in users["201"]


def test_import_sets_and_resets_the_choice(tmp_path, alice, bob):
    vmmail.set_email_mode(bob, EmailMode.NOTIFY)
    import_file(tmp_path, {**BASE, "users": [{"userName": "200", "voicemailEmail": "attach"}, {"userName": "201"}]})
    assert vmmail.email_mode(alice) == EmailMode.ATTACH
    assert vmmail.email_mode(bob) == EmailMode.OFF  # absent is the default, as every key of a listed user


def test_a_bad_choice_is_refused_with_its_path_and_nothing_changes(tmp_path, alice):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    with pytest.raises(CommandError) as refused:
        import_file(tmp_path, {**BASE, "users": [{"userName": "200", "voicemailEmail": "always"}]})
    assert 'users[0].voicemailEmail: "always" is not one of "off", "notify", "attach", "attach-save"' in str(
        refused.value
    )
    assert vmmail.email_mode(alice) == EmailMode.NOTIFY


def test_round_trip(tmp_path, alice, bob):
    vmmail.set_email_modes([(alice, EmailMode.ATTACH), (bob, EmailMode.NOTIFY)])
    first = export()
    path = tmp_path / "pbx.json"
    call_command("export_pbx", str(path), stderr=io.StringIO())
    call_command("import_pbx", str(path), "--replace", stdout=io.StringIO(), stderr=io.StringIO())
    assert export() == first
    assert users_of(first)["201"]["voicemailEmail"] == "notify"


# ---- the admin JSON API -------------------------------------------------------------------------------------------


@pytest.fixture
def api(client, admin_user) -> Api:
    return Api(client, {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(admin_user, 'tests', 'write')[1]}"})


def test_api_reads_and_changes_the_choice(api, alice):
    read = api.get("/mailboxes/200")
    assert read.json()["voicemailEmail"] == "off"
    changed = api.patch("/mailboxes/200", {"voicemailEmail": "attach"}, headers={"If-Match": read["ETag"]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["voicemailEmail"] == "attach" and changed.json()["activeGreeting"] == "none"
    assert vmmail.email_mode(alice) == EmailMode.ATTACH
    assert (
        api.patch("/mailboxes/200", {"voicemailEmail": "notify"}, headers={"If-Match": read["ETag"]}).status_code == 412
    )
    listed = {m["userName"]: m for m in api.get("/mailboxes").json()["results"]}
    assert listed["200"]["voicemailEmail"] == "attach"
    assert api.put("/mailboxes/200", {}).json()["voicemailEmail"] == "off"  # PUT replaces: absent is off


@pytest.mark.parametrize("value", ["always", 1, ""])
def test_api_refuses_a_bad_choice(api, alice, value):
    vmmail.set_email_mode(alice, EmailMode.NOTIFY)
    response = api.patch("/mailboxes/200", {"voicemailEmail": value})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["voicemailEmail"]
    assert vmmail.email_mode(alice) == EmailMode.NOTIFY


def test_the_users_resource_does_not_take_the_key(api, alice):
    response = api.patch("/users/200", {"voicemailEmail": "attach"})
    assert response.status_code == 400
    assert vmmail.email_mode(alice) == EmailMode.OFF
