"""D3: the active greeting: only the caller's own mailbox (or any for an admin), unknown values and greetings never
recorded refused."""

from io import BytesIO

import pytest

from apps.voicemail import services
from apps.voicemail.models import Greeting, Mailbox
from tests.conftest import REST, basic
from tests.voicemail.audio import tone_wav

URI = REST + "/my/mailbox/{user}/preferences/activegreeting"


def get(client, user, who, **headers):
    return client.get(URI.format(user=user), **basic(who, "1234"), **headers)


def put(client, user, greeting, who, pin="1234", body="+"):
    return client.put(URI.format(user=user) + f"/{greeting}", body, **basic(who, pin))


def record(user, *kinds):
    for kind in kinds or Greeting.Kind.values:
        audio = BytesIO(tone_wav(1))
        audio.name = f"{kind}.wav"
        services.save_greeting(user, kind, audio)


@pytest.fixture
def recorded(alice):
    """Alice has recorded every greeting."""
    record(alice)
    return alice


def test_default_is_none(client, bob):
    response = get(client, "201", "bob")
    assert (response.status_code, response.content) == (200, b"none")


@pytest.mark.parametrize("greeting", ["none", "standard", "outofoffice", "extendedabsence"])
def test_set_and_read_back(client, recorded, greeting):
    assert put(client, "200", greeting, "alice").status_code == 200
    assert get(client, "200", "alice").content == greeting.encode()
    expected = f'<?xml version="1.0" encoding="UTF-8"?><activegreeting>{greeting}</activegreeting>'
    assert get(client, "200", "alice", HTTP_ACCEPT="text/xml").content == expected.encode()


def test_alias_in_url_is_the_same_mailbox(client, alice, recorded):
    assert put(client, "alice", "outofoffice", "200").status_code == 200
    assert services.active_greeting(alice) == "outofoffice"


def test_unknown_greeting_is_400_and_nothing_stored(client, alice, recorded):
    services.set_active_greeting(alice, "standard")
    response = put(client, "200", "blablabla", "alice")
    assert response.status_code == 400
    assert response.json()["type"]
    assert services.active_greeting(alice) == "standard"


def test_another_users_mailbox_is_403(client, alice, bob):
    assert put(client, "200", "none", "bob").status_code == 403
    assert get(client, "200", "bob").status_code == 403
    assert put(client, "nosuchuser", "none", "bob").status_code == 403  # no probing for user names
    assert services.active_greeting(alice) == "none"


def test_admin_may_use_any_mailbox(client, alice, admin_user, recorded):
    assert put(client, "200", "extendedabsence", "superadmin", "admin1234").status_code == 200
    assert services.active_greeting(alice) == "extendedabsence"
    response = client.get(URI.format(user="200"), **basic("superadmin", "admin1234"))
    assert response.content == b"extendedabsence"
    assert put(client, "nosuchuser", "none", "superadmin", "admin1234").status_code == 404


def test_put_needs_a_body_and_get_on_greeting_uri_is_405(client, alice):
    assert put(client, "200", "standard", "alice", body="").status_code == 400
    response = client.get(URI.format(user="200") + "/standard", **basic("alice", "1234"))
    assert response.status_code == 405
    assert "PUT" in response["Allow"]


def test_private_key_form(client, alice, settings, recorded):
    settings.FEED_KEY_FULL_ACCESS = True  # the greeting is not the feed: only with the compatibility switch
    uri = f"{REST}/private/{alice.feed_key}/mailbox/200/preferences/activegreeting"
    assert client.put(uri + "/outofoffice", "+").status_code == 200
    assert client.get(uri).content == b"outofoffice"
    assert Mailbox.objects.get(user=alice).active_greeting == "outofoffice"


@pytest.mark.parametrize("greeting", ["standard", "outofoffice", "extendedabsence"])
def test_a_greeting_never_recorded_is_stored_by_the_uri_as_in_4_6_but_not_by_the_service(client, alice, greeting):
    record(alice, *[k for k in Greeting.Kind.values if k != greeting])  # every other one is recorded
    services.set_active_greeting(alice, "none")
    with pytest.raises(services.VoicemailError, match="recorded yet"):
        services.set_active_greeting(alice, greeting)  # the pages, the portal, the admin JSON API
    assert services.active_greeting(alice) == "none"
    response = put(client, "200", greeting, "alice")
    assert response.status_code == 200
    assert services.active_greeting(alice) == greeting
    services.set_active_greeting(alice, "none")
    record(alice, greeting)
    assert put(client, "200", greeting, "alice").status_code == 200
    assert services.active_greeting(alice) == greeting


def test_none_and_the_greeting_already_active_are_always_taken(client, alice):
    services.set_active_greetings([(alice, "outofoffice")])  # as the data file restores it, with no recording
    assert put(client, "200", "outofoffice", "alice").status_code == 200  # no change: no refusal
    assert put(client, "200", "none", "alice").status_code == 200
    assert services.active_greeting(alice) == "none"


def test_the_admin_api_refuses_a_greeting_never_recorded(client, alice, admin_user):
    admin = basic("superadmin", "admin1234")
    tag = client.get("/api/v1/mailboxes/200", **admin)["ETag"]
    body = '{"activeGreeting": "extendedabsence"}'
    response = client.generic("PATCH", "/api/v1/mailboxes/200", body, "application/json", HTTP_IF_MATCH=tag, **admin)
    assert response.status_code == 400 and "activeGreeting" in response.json()["fields"], response.content
    assert services.active_greeting(alice) == "none"
    record(alice, "extendedabsence")
    tag = client.get("/api/v1/mailboxes/200", **admin)["ETag"]  # the mailbox lists its recorded greetings
    response = client.generic("PATCH", "/api/v1/mailboxes/200", body, "application/json", HTTP_IF_MATCH=tag, **admin)
    assert response.status_code == 200 and services.active_greeting(alice) == "extendedabsence"
