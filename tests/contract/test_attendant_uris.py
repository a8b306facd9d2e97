"""Golden and behaviour tests of the auto-attendant URIs (B.2.5-2.7 with D11, D12) and POST /phone (B.2.3, D13)."""

import json

import pytest

from apps.attendants import services
from apps.attendants.models import AutoAttendant, SpecialMode
from apps.phones.models import Line, Phone
from tests.conftest import REST, basic, count_queries, golden

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def people(make_user):
    return {
        "admin": make_user("superadmin", pin="admin1234", is_admin=True),
        "aa": make_user("202", aliases=["carol"], perm_attendant_admin=True),
        "user": make_user("200", aliases=["alice"]),
    }


@pytest.fixture
def sales_menu(db):
    return AutoAttendant.objects.create(name="Sales menu")


def call(client, method, path, who="carol", pin="1234", body=None, **headers):
    if body is not None:
        headers.setdefault("content_type", "text/plain")
        return getattr(client, method)(REST + path, body, **basic(who, pin), **headers)
    return getattr(client, method)(REST + path, **basic(who, pin), **headers)


def selected(client):
    data = json.loads(call(client, "get", "/auto-attendant", **JSON).content)["autoAttendants"]
    return [a["name"] for a in data if a["specialSelected"]]


def test_spec_sample_two_system_attendants_special_mode_on(client, people, sales_menu):
    services.special_mode_on()
    response = call(client, "get", "/auto-attendant")
    assert response.status_code == 200
    assert response.content == golden("attendants-special-on.xml")
    assert call(client, "get", "/auto-attendant", **JSON).content == golden("attendants-special-on.json")
    assert call(client, "get", "/auto-attendant/specialmode").content == golden("specialmode-on.xml")
    response = call(client, "get", "/auto-attendant/specialmode", **JSON)
    assert response.content == golden("specialmode-on.json")


def test_special_mode_off_bytes(client, people):
    assert call(client, "get", "/auto-attendant/specialmode").content == golden("specialmode-off.xml")
    response = call(client, "get", "/auto-attendant/specialmode", **JSON)
    assert response.content == golden("specialmode-off.json")


def test_state_machine_d11_d12(client, people, sales_menu):
    assert selected(client) == []
    assert call(client, "put", "/auto-attendant/specialmode", body="+").status_code == 204
    assert selected(client) == ["After hours"]  # afterhour selected because nothing was
    assert call(client, "delete", "/auto-attendant/operator/special").status_code == 409
    assert selected(client) == ["After hours"]  # 409 changed nothing
    assert call(client, "put", "/auto-attendant/Sales%20menu/special", body="+").status_code == 204
    assert selected(client) == ["Sales menu"]
    assert call(client, "put", "/auto-attendant/specialmode", body="+").status_code == 204
    assert selected(client) == ["Sales menu"]  # PUT while on keeps the selection (4.4, not 4.6)
    assert call(client, "delete", "/auto-attendant/specialmode").status_code == 204
    assert selected(client) == []  # off: nothing reported selected...
    assert SpecialMode.current().attendant == sales_menu  # ...but the selection is kept (D11)
    assert call(client, "put", "/auto-attendant/specialmode", body="").status_code == 204
    assert selected(client) == ["Sales menu"]
    call(client, "delete", "/auto-attendant/specialmode")
    assert call(client, "delete", "/auto-attendant/Sales%20menu/special").status_code == 204
    assert SpecialMode.current().attendant is None
    assert call(client, "put", "/auto-attendant/specialmode", body="+").status_code == 204
    assert selected(client) == ["After hours"]


@pytest.mark.parametrize("name", ["operator", "afterhour", "xcf{id}", "Sales menu"])
def test_attendant_names_d12(client, people, sales_menu, name):
    name = name.format(id=sales_menu.pk)
    assert call(client, "put", f"/auto-attendant/{name}/special", body="+").status_code == 204
    expected = {"operator": "operator", "afterhour": "After hours"}.get(name, "Sales menu")
    assert SpecialMode.current().attendant.name == expected


@pytest.mark.parametrize("name", ["nosuch", "xcf-1", "xcf0", "xcf99999", "xcf1"])
def test_unknown_attendants_are_404(client, people, name):
    response = call(client, "put", f"/auto-attendant/{name}/special", body="+")
    assert response.status_code == 404
    assert json.loads(response.content)["type"] == "not_found"
    assert call(client, "delete", f"/auto-attendant/{name}/special").status_code == 404


def test_xcf_of_a_system_attendant_is_not_a_user_attendant(client, people):
    operator = AutoAttendant.objects.get(system_id="operator")
    assert call(client, "put", f"/auto-attendant/xcf{operator.pk}/special", body="+").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/auto-attendant", 405),
        ("put", "/auto-attendant", 405),
        ("delete", "/auto-attendant", 405),
        ("post", "/auto-attendant/specialmode", 405),
        ("get", "/auto-attendant/operator/special", 405),
        ("post", "/auto-attendant/operator/special", 405),
        ("get", "/phone", 405),
        ("put", "/phone", 405),
    ],
)
def test_methods(client, people, method, path, status):
    who = "superadmin" if path == "/phone" else "carol"
    pin = "admin1234" if who == "superadmin" else "1234"
    assert call(client, method, path, who, pin).status_code == status


@pytest.mark.parametrize(
    ("who", "pin", "expected"),
    [(None, None, 401), ("alice", "1234", 403), ("carol", "1234", 200), ("superadmin", "admin1234", 200)],
)
def test_role_matrix_attendants(client, people, who, pin, expected):
    for method, path in (
        ("get", "/auto-attendant"),
        ("get", "/auto-attendant/specialmode"),
        ("put", "/auto-attendant/specialmode"),
        ("delete", "/auto-attendant/specialmode"),
        ("put", "/auto-attendant/operator/special"),
        ("delete", "/auto-attendant/operator/special"),
    ):
        if who is None:
            response = getattr(client, method)(REST + path)
        else:
            response = call(client, method, path, who, pin, body="+" if method == "put" else None)
        ok = expected == 200 and response.status_code in (200, 204)
        assert ok or response.status_code == expected, (method, path, response.status_code)


def test_attendant_list_constant_queries(client, people):
    counts = []
    for n in (10, 200):
        AutoAttendant.objects.bulk_create(
            [AutoAttendant(name=f"menu {n}-{i}") for i in range(n - AutoAttendant.objects.count())]
        )
        listed = json.loads(call(client, "get", "/auto-attendant", **JSON).content)["autoAttendants"]
        assert len(listed) == n  # the answer counted below is the whole list, not a refusal
        counts.append(count_queries(call, client, "get", "/auto-attendant"))  # 200 is asserted there
    assert counts[0] == counts[1], counts


# ---- POST /phone --------------------------------------------------------------------------------------

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
