"""The dial plan's service numbers (apps/sipproxy/dialplan_services.py): their rules, their one writer, and the
namespace they share with user names, aliases and conference extensions — a clash is refused whichever side
introduces it, with a sentence that says what holds the number."""

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.conferences import services as conferences
from apps.conferences.models import Conference
from apps.sipproxy import dialplan_services as services
from apps.sipproxy.dialplan_services import DialPlan, DialPlanError, dial_plan, save_dial_plan
from apps.sipproxy.models import ServiceNumber
from apps.sipproxy.routing import _NUMBER

pytestmark = pytest.mark.django_db

SIPXECS = {"attendant": ["100", "operator", "0"], "voicemail": ["101"]}


@pytest.fixture
def plan():
    return save_dial_plan(**SIPXECS)


def test_the_plan_is_stored_in_the_order_given_and_read_back():
    assert dial_plan() == DialPlan()
    saved = save_dial_plan(attendant=[" 100 ", "Operator", "0"], voicemail=["101", "*98"])
    assert saved == dial_plan() == DialPlan(attendant=("100", "Operator", "0"), voicemail=("101", "*98"))
    assert sorted(ServiceNumber.objects.values_list("folded", flat=True)) == ["*98", "0", "100", "101", "operator"]
    save_dial_plan(attendant=["0"], voicemail=[])  # a save replaces the whole plan
    assert dial_plan() == DialPlan(attendant=("0",))


@pytest.mark.parametrize(
    ("attendant", "voicemail", "service", "index", "sentence"),
    [
        (["100", "a b"], [], "attendant", 1, '"a b" is not a dial plan number'),
        (["100", ""], [], "attendant", 1, "An empty number is not a dial plan number"),
        ([], ["sip:101@x"], "voicemail", 0, '"sip:101@x" is not a dial plan number'),
        ([], ["1" * 65], "voicemail", 0, "is not a dial plan number (1 to 64"),
        (["100", "100"], [], "attendant", 1, '"100" is listed twice in the dial plan'),
        (
            ["Operator"],
            ["operator"],
            "voicemail",
            0,
            '"operator" is listed twice in the dial plan (numbers ignore case)',
        ),
        ([str(n) for n in range(21)], [], "attendant", None, "At most 20 numbers may reach one service."),
    ],
)
def test_a_bad_plan_is_refused_at_its_number_and_nothing_changes(plan, attendant, voicemail, service, index, sentence):
    with pytest.raises(DialPlanError) as refused:
        save_dial_plan(attendant=attendant, voicemail=voicemail)
    assert (refused.value.service, refused.value.index) == (service, index)
    assert sentence in refused.value.message
    assert dial_plan() == DialPlan(attendant=("100", "operator", "0"), voicemail=("101",))


def test_every_valid_number_is_one_the_route_lookup_accepts():
    for number in ("100", "operator", "+1555", "*98", "#9", "a.b_c-d", "x" * 64):
        assert services.NUMBER.fullmatch(number) and _NUMBER.fullmatch(number), number


def test_a_number_a_user_or_a_conference_holds_is_refused(make_user):
    owner = make_user("200", aliases=["alice"], im_id="operator", im_enabled=True)
    conferences.save_conference(Conference(name="team", extension="8000", owner=owner))
    cases = [
        ({"voicemail": ["ALICE"]}, "voicemail", '"ALICE" is already a user name or alias ("200").'),
        ({"attendant": ["100", "200"]}, "attendant", '"200" is already a user name or alias ("200").'),
        ({"attendant": ["8000"]}, "attendant", '"8000" is already the extension of a conference ("team").'),
    ]
    for lists, service, sentence in cases:
        with pytest.raises(DialPlanError) as refused:
            save_dial_plan(**{"attendant": [], "voicemail": [], **lists})
        assert (refused.value.service, refused.value.message) == (service, sentence)
        assert dial_plan() == DialPlan()
    # An IM id is nobody's dialable name: "operator" may be both.
    assert save_dial_plan(**SIPXECS).attendant == ("100", "operator", "0")


def test_a_user_name_or_alias_that_is_a_service_number_is_refused(plan, make_user):
    for name, aliases, field, sentence in [
        ("101", [], "username", '"101" is the voicemail number of the dial plan.'),
        ("300", ["Operator"], "aliases", '"Operator" is the auto-attendant number of the dial plan.'),
    ]:
        with pytest.raises(ValidationError) as refused:
            make_user(name, aliases=aliases)
        assert refused.value.message_dict == {field: [sentence]}
    user = make_user("300", im_id="operator", im_enabled=True)  # an IM id may be one
    assert user.im_id == "operator"


def test_a_conference_extension_that_is_a_service_number_is_refused(plan):
    with pytest.raises(conferences.ConferenceError) as refused:
        conferences.save_conference(Conference(name="room", extension="100"))
    assert refused.value.messages == ['Extension "100" is the auto-attendant number of the dial plan.']
    assert not Conference.objects.exists()


def test_the_user_page_shows_the_clash_at_the_field(plan, admin_client):
    response = admin_client.post(reverse("users:user_add"), {"username": "101", "pin": "5812", "is_active": "on"})
    assert response.context["form"].errors["username"] == ['"101" is the voicemail number of the dial plan.']


def test_a_media_uri_with_an_unknown_placeholder_fails_the_system_check(settings):
    settings.SIPX_MEDIA_URI = "sip:{number}@media.example.org;aa={attendant}"
    errors = [e for e in checks.run_checks() if e.id == "sipproxy.E001"]
    assert len(errors) == 1 and "'attendant'" in errors[0].msg
    settings.SIPX_MEDIA_URI = "sip:{number}@media.example.org;app={app};service={service};target={target}"
    assert not [e for e in checks.run_checks() if e.id == "sipproxy.E001"]
