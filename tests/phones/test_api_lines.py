"""POST /phone may carry the phone's line users (sipxweb's addition: `<line>` repeated inside `<phone>`, JSON `"line"`
a name or a list), checked by services.create_phone like every channel; bodies without it keep sipXconfig's
behaviour (tests/phones/test_api.py, the golden answers)."""

import json

from apps.phones.models import Phone
from tests.phones.test_api import people, post_phones  # noqa: F401  (fixture)


def lines_of(serial: str) -> list[str]:
    return [line.user.username for line in Phone.objects.get(serial_number=serial).lines.all()]


def test_xml_lines_in_order_by_name_or_alias(client, people, make_user):  # noqa: F811
    make_user("201", aliases=["bob"])
    body = """<phones>
  <phone><serialNumber>0004f2000041</serialNumber><model>polycom335</model><line>bob</line><line>alice</line></phone>
  <phone><serialNumber>0004f2000042</serialNumber><model>polycom335</model><line>200</line></phone>
  <phone><serialNumber>0004f2000043</serialNumber><model>polycom335</model></phone>
</phones>"""
    response = post_phones(client, body, HTTP_ACCEPT="application/json")
    assert json.loads(response.content)["phones-result"]["skipped"] == []
    assert lines_of("0004f2000041") == ["201", "200"]
    assert lines_of("0004f2000042") == ["200"]
    assert lines_of("0004f2000043") == []


def test_json_line_as_a_name_or_a_list(client, people):  # noqa: F811
    body = {"phones": {"phone": [
        {"serialNumber": "0004f2000051", "model": "polycom335", "line": "alice"},
        {"serialNumber": "0004f2000052", "model": "polycom335", "line": ["alice"]},
    ]}}  # fmt: skip
    response = post_phones(client, json.dumps(body), "application/json", HTTP_ACCEPT="application/json")
    assert json.loads(response.content)["phones-result"]["created"] == ["0004f2000051", "0004f2000052"]
    assert lines_of("0004f2000051") == lines_of("0004f2000052") == ["200"]


def test_a_bad_line_skips_its_phone_with_the_services_reason(client, people):  # noqa: F811
    body = """<phones>
  <phone><serialNumber>0004f2000061</serialNumber><model>polycom335</model><line>nobody</line></phone>
  <phone><serialNumber>0004f2000062</serialNumber><model>polycom335</model><line>alice</line><line>200</line></phone>
  <phone><serialNumber>0004f2000063</serialNumber><model>polycom5000</model><line>alice</line><line>202</line></phone>
  <phone><serialNumber>0004f2000064</serialNumber><model>polycom335</model><line>alice</line></phone>
</phones>"""
    response = post_phones(client, body, HTTP_ACCEPT="application/json")
    result = json.loads(response.content)["phones-result"]
    reasons = {s["serialNumber"]: s["reason"] for s in result["skipped"]}
    assert reasons == {
        "0004f2000061": 'there is no user "nobody" for a line.',
        "0004f2000062": 'user "200" has a line on this phone already ("200").',
        "0004f2000063": "model polycom5000 has 1 lines, not 2.",
    }
    assert result["created"] == ["0004f2000064"] and lines_of("0004f2000064") == ["200"]
    assert Phone.objects.count() == 1


def test_an_empty_or_oversized_line_list_is_a_bad_body(client, people):  # noqa: F811
    too_many = "".join(f"<line>u{n}</line>" for n in range(65))
    phone = f"<serialNumber>0004f2000071</serialNumber><model>polycom335</model>{too_many}"
    body = f"<phones><phone>{phone}</phone></phones>"
    assert post_phones(client, body).status_code == 400
    body = "<phones><phone><serialNumber>0004f2000072</serialNumber><model>polycom335</model><line/></phone></phones>"
    assert post_phones(client, body).status_code == 200 and lines_of("0004f2000072") == []
    assert Phone.objects.count() == 1
