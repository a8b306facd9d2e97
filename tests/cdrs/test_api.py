"""Golden tests of the call-record URIs: active calls (docs/compatibility.md B.2.4, B.3.13, D15) and call-state
event ingestion (POST /cse). The call controller and click-to-call are in tests/callcontrol/test_api.py."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from apps.cdrs.models import CallStateEvent, Cdr
from tests.conftest import REST, basic, golden

XML = {"HTTP_ACCEPT": "text/xml"}
JSON = {"HTTP_ACCEPT": "application/json"}
START = datetime.fromtimestamp(1299785283, tz=UTC)
NOW = START + timedelta(milliseconds=71069032)


@pytest.fixture
def spec_call(db):
    """The active call of B.3.13's sample, `duration` frozen at 71069032 ms."""
    Cdr.objects.create(
        call_id="c1",
        caller_aor="<sip:user3@example.org:5060>",
        callee_aor="<sip:user4@example.org:5060>",
        caller_user="user3",
        callee_user="user4",
        start_time=START,
        connect_time=START,
        termination="I",
    )
    # The sample call is 19.7 h old: keep the 8 h housekeeping out of this byte-exact test.
    with (
        mock.patch("apps.cdrs.services.timezone.now", return_value=NOW),
        mock.patch("apps.cdrs.services.resolver.housekeeping"),
    ):
        yield


# ---- active calls -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "user", "pin", "accept", "golden_file", "content_type"),
    [
        ("/my/activecdrs", "user3", "1234", {}, "cdrs-spec.xml", "text/xml; charset=utf-8"),
        ("/my/activecdrs", "user4", "1234", XML, "cdrs-spec.xml", "text/xml; charset=utf-8"),
        ("/my/activecdrs", "user3", "1234", JSON, "cdrs-spec.json", "application/json; charset=utf-8"),
        ("/activecdrs/user3", "superadmin", "admin1234", {}, "cdrs-spec.xml", "text/xml; charset=utf-8"),
        ("/activecdrs/user4", "superadmin", "admin1234", JSON, "cdrs-spec.json", "application/json; charset=utf-8"),
        ("/activecdrs/superadmin", "superadmin", "admin1234", {}, "cdrs-empty.xml", "text/xml; charset=utf-8"),
        ("/my/activecdrs", "201", "1234", JSON, "cdrs-empty.json", "application/json; charset=utf-8"),
    ],
)
def test_active_cdrs_golden(client, users, spec_call, path, user, pin, accept, golden_file, content_type):
    response = client.get(REST + path, **basic(user, pin), **accept)
    assert response.status_code == 200
    assert response.content == golden(golden_file)
    assert response["Content-Type"] == content_type


def test_active_cdrs_private_key_alias(client, users, spec_call, settings):
    settings.FEED_KEY_FULL_ACCESS = True  # sipXconfig 4.6's whole /private/{key}/... (compatibility switch)
    response = client.get(f"{REST}/private/{users['user3'].feed_key}/activecdrs")
    assert response.status_code == 200 and response.content == golden("cdrs-spec.xml")


def test_active_cdrs_errors(client, users, spec_call):
    assert client.get(REST + "/activecdrs/nosuchuser", **basic("superadmin", "admin1234")).status_code == 404  # D15
    assert client.get(REST + "/activecdrs/user3", **basic("user3", "1234")).status_code == 403
    assert client.get(REST + "/activecdrs/user3").status_code == 401
    assert client.get(REST + "/my/activecdrs").status_code == 401
    response = client.post(REST + "/my/activecdrs", **basic("user3", "1234"))
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"
    assert client.get(REST + "/my/activecdrs", **basic("user3", "1234"), HTTP_ACCEPT="text/csv").status_code == 406


def test_display_name_ended_and_failed_calls(client, users):
    t = datetime.now(UTC) - timedelta(minutes=1)
    common = {"callee_aor": "<sip:user4@example.org>", "callee_user": "user4", "caller_user": "user3", "start_time": t}
    Cdr.objects.create(call_id="a", caller_aor='"Three" <sip:user3@example.org>', termination="I", **common)
    Cdr.objects.create(call_id="b", caller_aor="<sip:user3@example.org>", termination="C", end_time=t, **common)
    Cdr.objects.create(call_id="c", caller_aor="<sip:user3@example.org>", termination="F", end_time=t, **common)
    Cdr.objects.create(call_id="d", caller_aor="<sip:user3@example.org>", termination="R", **common)
    cdrs = json.loads(client.get(REST + "/my/activecdrs", **basic("user4", "1234"), **JSON).content)["cdrs"]
    assert [c["from"] for c in cdrs] == ["Three - user3"]
    assert 55_000 <= cdrs[0]["duration"] <= 120_000


def test_housekeeping_closes_zombie_calls(client, users):
    old = datetime.now(UTC) - timedelta(hours=9)
    Cdr.objects.create(
        call_id="z",
        caller_aor="<sip:user3@x>",
        callee_aor="<sip:user4@x>",
        caller_user="user3",
        callee_user="user4",
        start_time=old,
        termination="I",
    )
    assert json.loads(client.get(REST + "/my/activecdrs", **basic("user3", "1234"), **JSON).content)["cdrs"] == []
    assert Cdr.objects.get(call_id="z").termination == "U"


# ---- POST /cse -----------------------------------------------------------------------------------------

EVENTS = [
    {
        "event_type": "R",
        "event_time": "2026-11-27T10:00:00Z",
        "call_id": "x1",
        "from_url": '"A" <sip:user3@example.org>;tag=1',
        "to_url": "<sip:user4@example.org>",
        "cseq": 1,
        "from_tag": "1",
    },
    {
        "event_type": "S",
        "event_time": "2026-11-27T10:00:04Z",
        "call_id": "x1",
        "to_tag": "9",
        "contact": "<sip:user4@10.0.0.4:5060>",
        "caller_internal": True,
    },
]


def test_cse_json_and_xml(client, users):
    response = client.post(
        REST + "/cse", data=json.dumps(EVENTS), content_type="application/json", **basic("superadmin", "admin1234")
    )
    assert response.status_code == 200 and response.content == b""
    cdr = Cdr.objects.get(call_id="x1")
    assert (cdr.caller_aor, cdr.termination, cdr.callee_contact) == (
        "<sip:user3@example.org>",
        "I",
        "<sip:user4@10.0.0.4:5060>",
    )
    xml = (
        "<call-state-events><call-state-event><event_type>E</event_type><event_time>1795860000000</event_time>"
        "<call_id>x1</call_id></call-state-event></call-state-events>"
    )
    response = client.post(REST + "/cse", data=xml, content_type="text/xml", **basic("superadmin", "admin1234"))
    assert response.status_code == 200
    cdr.refresh_from_db()
    assert cdr.termination == "C" and cdr.end_time is not None
    assert CallStateEvent.objects.count() == 3


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        json.dumps({"events": []}),
        json.dumps([{"event_type": "X", "event_time": "2026-11-27T10:00:00Z", "call_id": "x"}]),
        json.dumps([EVENTS[0], {"event_type": "R", "call_id": "x"}]),
        json.dumps([{**EVENTS[0], "colour": "red"}]),
        json.dumps([{**EVENTS[0], "cseq": "many"}]),
        json.dumps([{**EVENTS[0], "event_time": "yesterday"}]),
        json.dumps([{**EVENTS[0], "call_id": "x" * 300}]),
        json.dumps([1]),
    ],
)
def test_cse_bad_events_are_400_and_nothing_is_stored(client, users, body):
    response = client.post(
        REST + "/cse", data=body, content_type="application/json", **basic("superadmin", "admin1234")
    )
    assert response.status_code == 400, response.content
    assert not CallStateEvent.objects.exists() and not Cdr.objects.exists()


def test_cse_bad_xml_and_roles(client, users):
    admin = basic("superadmin", "admin1234")
    for xml in ("<call-state-events><x/></call-state-events>", "<other/>", "<a", '<!DOCTYPE a [<!ENTITY b "c">]><a/>'):
        assert client.post(REST + "/cse", data=xml, content_type="text/xml", **admin).status_code == 400
    assert (
        client.post(REST + "/cse", data="[]", content_type="application/json", **basic("bob", "1234")).status_code
        == 403
    )
    assert client.get(REST + "/cse", **admin).status_code == 405


def test_cse_takes_the_proxys_bearer_credential_beside_api_tokens(client, users, settings):
    """The SIP proxy posts its events with `Authorization: Bearer <SIPPROXY_TOKEN>`; the admin JSON API's token
    authentication, which DRF tries first, must leave a Bearer credential that is not an API token alone (it
    answered 401 and no call reached the active calls)."""
    settings.SIPPROXY_TOKEN = "proxy-service-credential-0123456789"
    proxy = {"HTTP_AUTHORIZATION": "Bearer proxy-service-credential-0123456789"}
    response = client.post(REST + "/cse", data=json.dumps(EVENTS), content_type="application/json", **proxy)
    assert response.status_code == 200, response.content
    assert Cdr.objects.filter(call_id="x1").exists()
    wrong = {"HTTP_AUTHORIZATION": "Bearer someone-else"}
    assert client.post(REST + "/cse", data="[]", content_type="application/json", **wrong).status_code in (401, 403)
