"""The dial-plan page (/routing/dial-plan/, apps/sipproxy/views.py DialPlanView): admins see and change the service
numbers through dialplan_services.save_dial_plan; bad input is a 400 with the service's sentence at the field of
its list, and changes nothing. Django's test client."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.sipproxy.dialplan_services import DialPlan, dial_plan, save_dial_plan

URL = "/routing/dial-plan/"


@pytest.fixture
def plan(db):
    return save_dial_plan(attendant=["100", "operator", "0"], voicemail=["101"])


def test_the_page_shows_the_plan_and_saves_a_new_one(admin_client, plan):
    assert reverse("routing:dial_plan") == URL
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert page.context["form"].initial == {"attendant": "100, operator, 0", "voicemail": "101"}
    assert b'value="100, operator, 0"' in page.content and b'href="/routing/" aria-current="page"' in page.content
    response = admin_client.post(URL, {"attendant": "100,0\n  operator  ", "voicemail": "101 102"})
    assert response.status_code == 302 and response["Location"] == URL
    assert dial_plan() == DialPlan(attendant=("100", "0", "operator"), voicemail=("101", "102"))
    assert "Dial plan saved." in admin_client.get(URL).content.decode()
    assert admin_client.post(URL, {"attendant": "", "voicemail": ""}).status_code == 302
    assert dial_plan() == DialPlan()


@pytest.mark.parametrize(
    ("form", "field", "sentence"),
    [
        ({"attendant": "100 100", "voicemail": ""}, "attendant", '"100" is listed twice in the dial plan'),
        ({"attendant": "100", "voicemail": "OPERATOR 100"}, "voicemail", '"100" is listed twice in the dial plan'),
        ({"attendant": "sip:x@y", "voicemail": ""}, "attendant", '"sip:x@y" is not a dial plan number'),
        ({"attendant": "alice", "voicemail": ""}, "attendant", '"alice" is already a user name or alias ("200").'),
        ({"attendant": "", "voicemail": "x" * 2001}, "voicemail", "at most 2000 characters"),
    ],
)
def test_bad_input_is_a_400_at_its_field_and_changes_nothing(admin_client, plan, make_user, form, field, sentence):
    make_user("200", aliases=["alice"])
    response = admin_client.post(URL, form)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and sentence in errors[field][0]
    assert sentence.replace('"', "&quot;") in response.content.decode()
    assert dial_plan() == plan


def test_only_admins_see_or_change_it(client, plan, make_user):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(make_user("200"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"attendant": "", "voicemail": ""}).status_code == 403
    assert dial_plan() == plan


def test_the_routing_page_links_the_dial_plan(admin_client, plan):
    page = admin_client.get("/routing/").content.decode()
    assert f'href="{URL}"' in page


def test_a_change_on_the_page_is_in_the_audit_log(admin_client, plan):
    """One entry per save that changes the plan, with the services whose numbers changed, before and after."""
    AuditEntry.objects.all().delete()
    admin_client.post(URL, {"attendant": "100, operator, 0", "voicemail": "101 102"})
    admin_client.post(URL, {"attendant": "100 operator 0", "voicemail": "101, 102"})  # the same plan: nothing told
    admin_client.post(URL, {"attendant": "100 100", "voicemail": ""})  # refused: nothing changed, nothing told
    admin_client.post(URL, {"attendant": "0", "voicemail": ""})
    rows = AuditEntry.objects.filter(kind="dial plan", key="service numbers").order_by("id")
    assert [(e.actor, e.channel, e.address, e.action, e.changes) for e in rows] == [
        ("superadmin", "page", "127.0.0.1", "update", {"voicemail": [["101"], ["101", "102"]]}),
        (
            "superadmin",
            "page",
            "127.0.0.1",
            "update",
            {"attendant": [["100", "operator", "0"], ["0"]], "voicemail": [["101", "102"], []]},
        ),
    ]
    log = admin_client.get("/audit/?kind=dial+plan")
    assert log.status_code == 200 and "dial plan service numbers" in log.content.decode()
    assert "<del>101</del> → <ins>101; 102</ins>" in log.content.decode()
