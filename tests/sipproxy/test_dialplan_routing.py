"""Where a call to a service number goes (apps/sipproxy/routing.py): the dial plan's attendant numbers reach the
auto-attendant that plays now — the operator attendant, or the special attendant while special mode is on — and
its voicemail numbers voicemail retrieval, on the media server (SIPX_MEDIA_URI with {number}, {app}, {service} and
{target}); GET /sipproxy/route answers the same with `service` and `target`, and the preview pages say it in a
sentence. Django's test client; no Kamailio (tests/sip/test_kamailio_dialplan.py runs it end to end)."""

import html
import re

import pytest
from django.conf import settings

from apps.attendants import services as attendants
from apps.attendants.models import AutoAttendant
from apps.conferences import services as conferences
from apps.conferences.models import Conference
from apps.sipproxy import routing
from apps.sipproxy.dialplan_services import save_dial_plan
from sipxweb.dialplan import Owner
from tests.conftest import count_queries

MEDIA = "sip:{number}@media.example.org;app={app};service={service};target={target}"


def bearer() -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {settings.SIPPROXY_TOKEN}"}


@pytest.fixture
def plan(db, settings):
    settings.SIPX_MEDIA_URI = MEDIA
    return save_dial_plan(attendant=["100", "operator", "0"], voicemail=["101"])


def test_an_attendant_number_reaches_the_operator_attendant_while_special_mode_is_off(plan):
    for dialled in ("100", "OPERATOR", "0"):
        route = routing.route_for(dialled)
        assert (route.kind, route.service, route.target, route.target_name, route.special) == (
            "media", "attendant", "operator", "operator", False
        )  # fmt: skip
    assert routing.route_for("Operator").media == (
        "sip:operator@media.example.org;app=sipproxy;service=attendant;target=operator"
    )


def test_special_mode_decides_which_attendant_plays(plan):
    attendants.special_mode_on()  # nothing selected: afterhour
    route = routing.route_for("100")
    assert (route.target, route.target_name, route.special) == ("afterhour", "After hours", True)
    assert route.media == "sip:100@media.example.org;app=sipproxy;service=attendant;target=afterhour"
    sales = attendants.save_attendant(AutoAttendant(name="Sales menu"))
    attendants.select_special(sales)
    assert routing.route_for("0").target == f"xcf{sales.pk}"
    attendants.special_mode_off()  # the selection is kept, but the operator plays again
    assert routing.route_for("0").target == "operator"


def test_a_voicemail_number_reaches_voicemail_retrieval(plan):
    route = routing.route_for("101")
    assert (route.kind, route.service, route.target) == ("media", "voicemail", "")
    assert route.media == "sip:101@media.example.org;app=sipproxy;service=voicemail;target="


def test_the_proxy_gets_service_and_target_in_its_flat_answer(client, plan, make_user):
    attendants.special_mode_on()
    answer = client.get("/sipproxy/route", {"to": "100"}, **bearer()).json()
    assert {k: answer[k] for k in ("kind", "service", "target", "media")} == {
        "kind": "media",
        "service": "attendant",
        "target": "afterhour",
        "media": "sip:100@media.example.org;app=sipproxy;service=attendant;target=afterhour",
    }
    make_user("200")
    answer = client.get("/sipproxy/route", {"to": "200"}, **bearer()).json()
    assert (answer["kind"], answer["service"], answer["target"]) == ("user", "", "")


def odd_owner(names):
    """A stand-in dial-plan owner whose name is not URI-safe (the conferences' own rules would refuse it)."""
    return {
        n: Owner("conferences", "board; x=<y>", "8000", "the extension of a conference") for n in names if n == "8000"
    }


def test_every_value_is_escaped_where_the_media_uri_is_written(plan, settings):
    conferences.save_conference(Conference(name="team", extension="8001"))
    assert (
        routing.route_for("8001").media == "sip:8001@media.example.org;app=conferences;service=conference;target=team"
    )
    settings.DIALPLAN_OWNERS = {**settings.DIALPLAN_OWNERS, "conferences": f"{__name__}.odd_owner"}
    route = routing.route_for("8000")
    assert (route.service, route.target) == ("conference", "board; x=<y>")
    assert route.media == "sip:8000@media.example.org;app=conferences;service=conference;target=board%3B%20x%3D%3Cy%3E"
    save_dial_plan(attendant=["#9"], voicemail=[])
    assert routing.route_for("#9").media.startswith("sip:%239@media.example.org;")


def test_without_a_media_server_or_an_operator_attendant_a_service_number_reaches_nothing(plan, settings):
    settings.SIPX_MEDIA_URI = ""
    with pytest.raises(routing.UnknownNumber, match="101 is the voicemail number of the dial plan, but no media"):
        routing.route_for("101")
    settings.SIPX_MEDIA_URI = MEDIA
    AutoAttendant.objects.filter(system_id="operator").delete()  # no service deletes it; a damaged database might
    with pytest.raises(routing.UnknownNumber, match="no auto-attendant plays now"):
        routing.route_for("100")


# ---- the preview pages ---------------------------------------------------------------------------------------


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def summary(response) -> str:
    found = re.search(r'<p id="route-summary">(.*?)</p>', response.content.decode(), re.S)
    assert found, response.content.decode()[-2000:]
    return text_of(found.group(1))


def service_lines(response) -> dict[str, str]:
    found = re.findall(r'<li id="service-(\w+)">(.*?)</li>', response.content.decode(), re.S)
    return {service: text_of(line) for service, line in found}


def test_the_admin_preview_says_which_attendant_a_call_to_100_reaches_now(admin_client, plan):
    assert summary(admin_client.get("/routing/", {"to": "100"})) == (
        "A call to 100 now reaches the attendant operator: "
        "sip:100@media.example.org;app=sipproxy;service=attendant;target=operator."
    )
    attendants.special_mode_on()
    response = admin_client.get("/routing/", {"to": "100"})
    assert summary(response).startswith("A call to 100 now reaches the attendant After hours (special mode): sip:100@")
    assert service_lines(response) == {
        "attendant": "A call to 100, operator or 0 now reaches the attendant After hours (special mode).",
        "voicemail": "A call to 101 now reaches voicemail retrieval.",
    }
    assert summary(admin_client.get("/routing/", {"to": "101"})) == (
        "A call to 101 now reaches voicemail retrieval: "
        "sip:101@media.example.org;app=sipproxy;service=voicemail;target=."
    )


def test_the_portal_preview_lists_the_service_numbers_as_they_are_now(client, plan, make_user):
    client.force_login(make_user("200", aliases=["alice"]))
    lines = service_lines(client.get("/portal/routing/"))
    assert lines["attendant"] == "A call to 100, operator or 0 now reaches the attendant operator."
    attendants.special_mode_on()
    response = client.get("/portal/routing/")
    assert service_lines(response)["attendant"] == (
        "A call to 100, operator or 0 now reaches the attendant After hours (special mode)."
    )
    assert summary(response).startswith("A call to 200 or alice now rings")
    assert b"/routing/dial-plan/" not in response.content  # the dial plan page is the admin's


def test_a_service_that_reaches_nothing_says_why(admin_client, plan, settings):
    settings.SIPX_MEDIA_URI = ""
    lines = service_lines(admin_client.get("/routing/"))
    assert lines["voicemail"] == (
        "A call to 101 reaches nothing now: 101 is the voicemail number of the dial plan, but no media server is "
        "configured (SIPX_MEDIA_URI)."
    )


def test_the_service_numbers_cost_the_same_queries_however_many_there_are(admin_client, plan):
    few = count_queries(admin_client.get, "/routing/")
    save_dial_plan(attendant=[str(n) for n in range(100, 120)], voicemail=[str(n) for n in range(200, 220)])
    assert count_queries(admin_client.get, "/routing/") == few
