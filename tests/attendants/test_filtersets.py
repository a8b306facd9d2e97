"""The `/attendants/` list's FilterSet (apps/attendants/filtersets.py): attendants by an action of their menu, beside
the search box; the menu-key counts stay those of the whole menu."""

from django.urls import reverse

from apps.attendants import services
from apps.attendants.models import AutoAttendant


def test_attendants_by_menu_action(admin_client):
    sales = AutoAttendant.objects.create(name="Sales", description="Sales menu")
    services.set_menu(sales, [("0", "operator", ""), ("1", "transfer_out", "201"), ("2", "transfer_out", "202")])
    support = AutoAttendant.objects.create(name="Support")
    services.set_menu(support, [("0", "operator", "")])
    url = reverse("attendants:attendant_list")

    rows = admin_client.get(url, {"action": "transfer_out"}).context["object_list"]
    assert [(a.name, a.menu_size) for a in rows] == [("Sales", 3)]
    rows = admin_client.get(url, {"action": "operator", "q": "supp"}).context["object_list"]
    assert [a.name for a in rows] == ["Support"]
    response = admin_client.get(url, {"action": "no-such-action"})
    assert response.status_code == 200 and len(response.context["object_list"]) == AutoAttendant.objects.count()
    assert 'name="action"' in admin_client.get(url).content.decode()
