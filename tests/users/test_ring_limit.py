"""The forwarding ring bound is a rule of the stored list (apps/users/services.MAX_RINGS): REST, the portal page
and the PBX data file refuse one ring too many with the same sentence, and store nothing."""

import html
import json

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from apps.users import services
from apps.users.models import User
from tests.conftest import REST, basic
from tests.pbxdata.helpers import export, run_import

TOO_MANY = services.MAX_RINGS + 1
SENTENCE = f"A forwarding list holds at most {services.MAX_RINGS} rings; this one has {TOO_MANY}."
NUMBERS = [f"7{i:03d}" for i in range(TOO_MANY)]


def rest(client, tmp_path, numbers):
    body = {
        "call-sequence": {
            "rings": [{"number": n, "expiration": 20, "type": "If no response", "enabled": True} for n in numbers]
        }
    }
    response = client.put(
        REST + "/my/forward", json.dumps(body), content_type="application/json", **basic("alice", "1234")
    )
    if response.status_code == 200:
        return None
    assert response.status_code == 400, response.content
    return json.loads(response.content)["error"]


def portal(client, tmp_path, numbers):
    # Logged in through the login page with alice's PIN, as a person does.
    assert client.post(reverse("login"), {"username": "alice", "password": "1234"}).status_code == 302
    form = {
        "timer": "20",
        "rings-TOTAL_FORMS": str(len(numbers)),
        "rings-INITIAL_FORMS": "0",
        "rings-MIN_NUM_FORMS": "0",
        "rings-MAX_NUM_FORMS": "1000",
    }
    for i, number in enumerate(numbers):
        form |= {
            f"rings-{i}-enabled": "on",
            f"rings-{i}-number": number,
            f"rings-{i}-expiration": "20",
            f"rings-{i}-type": "If no response",
            f"rings-{i}-ORDER": str(i + 1),
        }
    response = client.post(reverse("portal:forward"), form)
    if response.status_code == 302:
        return None
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def data_file(client, tmp_path, numbers):
    # The whole PBX as exported now, with alice's ring list replaced, imported with --replace.
    document = export()
    for user in document["users"]:
        if user["userName"] == "200":
            user["callForwarding"] = {
                "expiration": 20,
                "rings": [{"number": n, "expiration": 20, "type": "If no response"} for n in numbers],
            }
    try:
        run_import(tmp_path, document, "--replace")
    except CommandError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("channel", [rest, portal, data_file], ids=["rest", "portal", "import_pbx"])
def test_one_ring_too_many_is_refused_with_the_same_sentence(client, alice, tmp_path, channel):
    before = [(r.number, r.expiration, r.type, r.enabled) for r in alice.rings.all()]
    refusal = channel(client, tmp_path, NUMBERS)
    assert refusal is not None and SENTENCE in refusal, refusal
    assert [(r.number, r.expiration, r.type, r.enabled) for r in alice.rings.all()] == before
    assert User.objects.get(pk=alice.pk).call_forward_timer == alice.call_forward_timer


@pytest.mark.parametrize("channel", [rest, portal, data_file], ids=["rest", "portal", "import_pbx"])
def test_the_limit_itself_is_stored(client, alice, tmp_path, channel):
    # The same channels accept exactly MAX_RINGS, so the refusal above is the bound, not the input's form.
    assert channel(client, tmp_path, NUMBERS[:-1]) is None
    stored = User.objects.get(username="200").rings.order_by("position")
    assert [r.number for r in stored] == NUMBERS[:-1]


def test_rest_counts_before_validating_each_ring(client, alice):
    # Eleven rings that are each invalid: the answer is the count, not eleven complaints about numbers.
    body = {"call-sequence": {"rings": [{"expiration": 5000} for _ in range(TOO_MANY)]}}
    response = client.put(
        REST + "/my/forward", json.dumps(body), content_type="application/json", **basic("alice", "1234")
    )
    assert response.status_code == 400
    error = json.loads(response.content)["error"]
    assert SENTENCE in error
    assert "999" not in error  # no ring's own range was checked
