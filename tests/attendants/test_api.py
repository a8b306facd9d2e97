"""Golden and behaviour tests of the auto-attendant URIs (B.2.5-2.7 with D11, D12); POST /phone is in
tests/phones/test_api.py."""

import json

import pytest

from apps.attendants import services
from apps.attendants.models import AutoAttendant, SpecialMode
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
