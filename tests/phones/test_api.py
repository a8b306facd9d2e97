"""Golden and behaviour tests of POST /phone (docs/compatibility.md B.2.3, D13): the sample, every body form,
skipped phones with their reasons, bad bodies and the roles."""

import json

import pytest

from apps.phones.models import Line, Phone
from tests.conftest import REST, basic, golden


@pytest.fixture
def people(admin_user, alice, make_user):
    """Who posts phones: the administrator may; a user (alice) and an attendant administrator (carol) may not."""
    return {"admin": admin_user, "user": alice, "aa": make_user("202", aliases=["carol"], perm_attendant_admin=True)}


SPEC_PHONES = """<phones>
  <phone><serialNumber>0004F2000001</serialNumber><model>polycom335</model><description>new one</description></phone>
  <phone><serialNumber>0004f2a1b2c3</serialNumber><model>polycom335</model><description>duplicate</description></phone>
  <phone><serialNumber>0004f2000002</serialNumber><model>noSuchPhoneModel</model><description>bad</description></phone>
  <phone><serialNumber>001565000003</serialNumber><model>yealinkPhoneT46</model><description>another</description></phone>
</phones>"""


@pytest.fixture
def demo_phone(db):
    return Phone.objects.create(serial_number="0004f2a1b2c3", model="polycom335", description="Alice desk")


def post_phones(client, body, content_type="text/xml", **headers):
    return client.post(REST + "/phone", body, content_type=content_type, **basic("superadmin", "admin1234"), **headers)


def test_post_phone_spec_sample_xml(client, people, demo_phone):
    response = post_phones(client, SPEC_PHONES)
    assert response.status_code == 200
    assert response.content == golden("phones-result-spec.xml")
    assert sorted(Phone.objects.values_list("serial_number", flat=True)) == [
        "0004f2000001",
        "0004f2a1b2c3",
        "001565000003",
    ]
    assert Phone.objects.get(serial_number="0004f2a1b2c3").description == "Alice desk"  # duplicate untouched


def test_post_phone_spec_sample_json_answer(client, people, demo_phone):
    response = post_phones(client, SPEC_PHONES, HTTP_ACCEPT="application/json")
    assert response.content == golden("phones-result-spec.json")


def test_post_phone_json_body_all_forms(client, people):
    bodies = [
        {"phones": {"phone": [{"serialNumber": "00:04:f2:00:00:11", "model": "polycomVVX400", "version": "5.9"}]}},
        {"phones": {"phone": {"serialNumber": "0004f2000012", "model": "snomD735"}}},
        {"phones": [{"serialNumber": "0004f2000013", "model": "sipxSoftPhone", "description": "soft"}]},
    ]
    for body in bodies:
        response = post_phones(client, json.dumps(body), "application/json", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert json.loads(response.content)["phones-result"]["skipped"] == []
    vvx = Phone.objects.get(serial_number="0004f2000011")
    assert (vvx.model, vvx.version) == ("polycomVVX400", "5.9.X")
    assert Phone.objects.get(serial_number="0004f2000012").version == "10.1.X"  # newest when omitted
    assert Phone.objects.get(serial_number="0004f2000013").version is None


def test_post_phone_skips_bad_versions_serials_and_repeats(client, people):
    body = """<phones>
  <phone><serialNumber>0004f2000021</serialNumber><model>polycom335</model><version>9.9</version></phone>
  <phone><serialNumber>xyz</serialNumber><model>polycom335</model></phone>
  <phone><serialNumber>0004f2000022</serialNumber><model>polycom335</model></phone>
  <phone><serialNumber>0004F2000022</serialNumber><model>polycom335</model></phone>
</phones>"""
    response = post_phones(client, body, HTTP_ACCEPT="application/json")
    result = json.loads(response.content)["phones-result"]
    assert result["created"] == ["0004f2000022"]
    reasons = {s["serialNumber"]: s["reason"] for s in result["skipped"]}
    assert "9.9" in reasons["0004f2000021"] and "12 hexadecimal" in reasons["xyz"]
    assert "already exists" in reasons["0004f2000022"]
    assert Phone.objects.count() == 1 and Line.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "<phones><phone><serialNumber>0004f2000031</serialNumber><model>polycom335</model><colour>red</colour>"
        "</phone></phones>",
        "<phones><phone>",
        "<phone><serialNumber>0004f2000031</serialNumber></phone>",
        "<phones><phone><model>polycom335</model></phone></phones>",
    ],
)
def test_post_phone_bad_bodies_are_400_and_create_nothing(client, people, body):
    response = post_phones(client, body)
    assert response.status_code == 400
    assert Phone.objects.count() == 0


def test_post_phone_roles(client, people):
    assert client.post(REST + "/phone", SPEC_PHONES, content_type="text/xml").status_code == 401
    response = client.post(REST + "/phone", SPEC_PHONES, content_type="text/xml", **basic("alice", "1234"))
    assert response.status_code == 403
    response = client.post(REST + "/phone", SPEC_PHONES, content_type="text/xml", **basic("carol", "1234"))
    assert response.status_code == 403
    assert Phone.objects.count() == 0


def test_empty_phone_list(client, people):
    response = post_phones(client, "<phones/>")
    assert (response.status_code, response.content) == (200, b"<phones-result/>")
