"""What a ring may call is one rule (apps/users/services.forward_number_rule, docs/compatibility.md D17): a phone
number, an extension or user name, or a SIP URI. The portal's ring list, PUT /my/forward, the PBX data file and the
admin JSON API refuse the same numbers with the same sentence, and store nothing."""

import json

import pytest

from apps.users import services
from apps.users.models import User
from tests.conftest import basic
from tests.users.test_ring_limit import data_file, portal, rest


def admin_api(client, tmp_path, numbers):
    admin = basic("superadmin", "admin1234")
    tag = client.get("/api/v1/users/200", **admin)["ETag"]
    rings = [{"number": n, "expiration": 20, "type": "If no response"} for n in numbers]
    body = json.dumps({"callForwarding": {"expiration": 20, "rings": rings}})
    response = client.generic("PATCH", "/api/v1/users/200", body, "application/json", HTTP_IF_MATCH=tag, **admin)
    if response.status_code == 200:
        return None
    assert response.status_code == 400, response.content
    return response.json()["error"]


CHANNELS = [rest, portal, data_file, admin_api]
IDS = ["rest", "portal", "import_pbx", "admin_api"]

REFUSED = [
    ("my cell phone", '"my cell phone" is not a phone number, an extension or a SIP URI (sip:user@host).'),
    ("+1 617 555 0142", '"+1 617 555 0142": write the number without spaces, e.g. +16175550142.'),
    ("sip:mobile", '"sip:mobile" is not a SIP URI of the form sip:user@host.'),
    ("<sip:a@b.example>", '"<sip:a@b.example>" is not a phone number, an extension or a SIP URI (sip:user@host).'),
]
TAKEN = ["5551234", "+4930123", "*98", "007", "bob", "(617)555-0142", "sip:alice@mobile.example.net;transport=tcp"]


@pytest.mark.parametrize("channel", CHANNELS, ids=IDS)
@pytest.mark.parametrize(("number", "sentence"), REFUSED, ids=[n for n, _ in REFUSED])
def test_not_a_number_is_refused_everywhere(client, alice, admin_user, tmp_path, channel, number, sentence):
    services.set_forwarding(alice, 25, [services.RingData("201")])
    refusal = channel(client, tmp_path, ["5551234", number])
    assert refusal is not None and f"ring 2: {sentence}" in refusal, refusal
    assert [r.number for r in User.objects.get(pk=alice.pk).rings.all()] == ["201"]


@pytest.mark.parametrize("channel", CHANNELS, ids=IDS)
def test_numbers_extensions_and_uris_are_stored_as_given(client, alice, admin_user, tmp_path, channel):
    assert channel(client, tmp_path, TAKEN) is None
    assert [r.number for r in User.objects.get(username="200").rings.order_by("position")] == TAKEN
