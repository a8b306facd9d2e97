"""Parity: every rule of the dial plan gives the same answer whether it arrives through the dial-plan page (logged in
as an administrator) or import_pbx — both call apps/sipproxy/dialplan_services.save_dial_plan. Each row runs once
per channel on its own database; an accepted plan stores the same numbers, a refused one changes nothing. There is
no REST URI for the dial plan (sipXconfig has none)."""

import pytest
from django.urls import reverse

from apps.conferences import services as conferences
from apps.conferences.models import Conference
from apps.sipproxy.dialplan_services import DialPlan, dial_plan, save_dial_plan
from tests.pbxdata.helpers import doc
from tests.pbxdata.test_parity import file_accepts

STORED = DialPlan(attendant=("9",), voicemail=())  # what a refused row leaves

# (id, attendant, voicemail, stored when accepted or None when refused)
PLANS = [
    ("sipXecs defaults", ["100", "operator", "0"], ["101"], DialPlan(("100", "operator", "0"), ("101",))),
    ("empty", [], [], DialPlan()),
    ("surrounding blanks dropped", [" 100"], ["101 "], DialPlan(("100",), ("101",))),
    ("the stored number kept", ["9"], ["*98"], DialPlan(("9",), ("*98",))),
    ("characters of an extension", ["+1555", "#9", "a.b_c-d"], [], DialPlan(("+1555", "#9", "a.b_c-d"), ())),
    ("64 characters", ["1" * 64], [], DialPlan(("1" * 64,), ())),
    ("65 characters", ["1" * 65], [], None),
    ("a SIP URI", ["sip:100@example.org"], [], None),
    ("twice in one list", ["100", "100"], [], None),
    ("twice across lists ignoring case", ["Operator"], ["operator"], None),
    ("21 numbers", [str(n) for n in range(100, 121)], [], None),
    ("a user name", ["200"], [], None),
    ("an alias in another case", [], ["ALICE"], None),
    ("a conference extension", ["8000"], [], None),
    ("an IM id", ["alice.im"], [], DialPlan(("alice.im",), ())),
    ("a disabled user's name", ["201"], [], None),
]


@pytest.fixture
def pbx(make_user, admin_user):
    """200 (alias alice, IM id alice.im), 201 disabled, conference 8000, and the stored plan attendant 9."""
    alice = make_user("200", aliases=["alice"], im_id="alice.im", im_enabled=True)
    make_user("201", is_active=False)
    conferences.save_conference(Conference(name="team", extension="8000", owner=alice))
    save_dial_plan(attendant=["9"], voicemail=[])
    return admin_user


def send(channel: str, attendant: list[str], voicemail: list[str], client, tmp_path) -> bool:
    if channel == "page":
        # The page's lists are typed separated by commas: a number with a blank inside cannot be typed there.
        form = {"attendant": ", ".join(attendant), "voicemail": ", ".join(voicemail)}
        response = client.post(reverse("routing:dial_plan"), form)
        assert response.status_code in (302, 400), response.status_code
        return response.status_code == 302
    return file_accepts(tmp_path, doc(dialPlan={"attendant": attendant, "voicemail": voicemail}))


@pytest.mark.parametrize("channel", ["page", "file"])
@pytest.mark.parametrize(("attendant", "voicemail", "stored"), [p[1:] for p in PLANS], ids=[p[0] for p in PLANS])
def test_the_page_and_the_file_agree(channel, attendant, voicemail, stored, pbx, client, tmp_path):
    client.force_login(pbx)
    accepted = send(channel, attendant, voicemail, client, tmp_path)
    assert accepted == (stored is not None)
    assert dial_plan() == (stored if accepted else STORED)
