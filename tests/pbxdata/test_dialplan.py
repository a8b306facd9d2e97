"""The data file's `dialPlan` section (apps/pbxdata/sections/dialplan.py onto apps/sipproxy/dialplan_services.py):
optional on import, always written on export, all or nothing with the other sections, and its numbers share the
dial plan with the file's and the stored user names, aliases and conference extensions."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.conferences.models import Conference
from apps.sipproxy.dialplan_services import DialPlan, dial_plan, save_dial_plan
from apps.users.models import User
from tests.pbxdata.helpers import doc, export

pytestmark = pytest.mark.django_db

SIPXECS = {"attendant": ["100", "operator", "0"], "voicemail": ["101"]}


def refused(import_file, document, *args) -> str:
    with pytest.raises(CommandError) as error:
        import_file(document, *args)
    return str(error.value)


def test_export_always_writes_it_and_import_replace_reads_it_back(import_file):
    assert export()["dialPlan"] == {"attendant": [], "voicemail": []}
    import_file(doc(dialPlan=SIPXECS))
    assert export()["dialPlan"] == SIPXECS
    assert dial_plan() == DialPlan(attendant=("100", "operator", "0"), voicemail=("101",))
    first = export()
    import_file(first, "--replace")
    assert export() == first


def test_absent_it_is_kept_on_merge_and_emptied_by_replace(import_file):
    save_dial_plan(**SIPXECS)
    import_file(doc(users=[{"userName": "200"}]))
    assert export()["dialPlan"] == SIPXECS
    import_file(doc(users=[{"userName": "200"}]), "--replace")
    assert export()["dialPlan"] == {"attendant": [], "voicemail": []}


def test_a_missing_list_is_empty(import_file):
    save_dial_plan(**SIPXECS)
    import_file(doc(dialPlan={"voicemail": ["101"]}))
    assert dial_plan() == DialPlan(voicemail=("101",))


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({"attendant": "100"}, "dialPlan.attendant: expected a list, not a string"),
        ({"attendant": [100]}, "dialPlan.attendant[0]: expected a string, not a number"),
        ({"attendants": ["100"]}, 'dialPlan.attendants: unknown key (did you mean "attendant"?)'),
        ({"voicemail": ["101", "1 01"]}, 'dialPlan.voicemail[1]: "1 01" is not a dial plan number (1 to 64'),
        ({"attendant": ["100"], "voicemail": ["100"]}, 'dialPlan.voicemail[0]: "100" is listed twice in the dial plan'),
        ({"attendant": ["x"] * 2 + [str(n) for n in range(20)]}, "dialPlan.attendant: At most 20 numbers"),
        ({"attendant": ["1" * 65]}, "dialPlan.attendant[0]: is longer than 64 characters"),
    ],
)
def test_a_bad_section_names_its_path_and_imports_nothing(import_file, plan, message):
    error = refused(import_file, doc(users=[{"userName": "300"}], dialPlan=plan))
    assert message in error and "(nothing was imported)" in error
    assert not User.objects.exists() and dial_plan() == DialPlan()


def test_a_number_of_the_file_that_a_stored_user_or_conference_holds_is_refused(import_file, make_user):
    make_user("200", aliases=["alice"])
    Conference.objects.create(name="team", extension="8000")
    error = refused(import_file, doc(dialPlan={"attendant": ["100", "Alice"]}))
    assert 'dialPlan.attendant[1]: "Alice" is already a user name or alias ("200")' in error
    error = refused(import_file, doc(dialPlan={"voicemail": ["8000"]}))
    assert 'dialPlan.voicemail[0]: "8000" is already the extension of a conference ("team")' in error
    assert dial_plan() == DialPlan()


def test_a_user_of_the_file_that_has_a_stored_service_number_is_refused(import_file):
    save_dial_plan(**SIPXECS)
    error = refused(import_file, doc(users=[{"userName": "300"}, {"userName": "301", "aliases": ["x", " OPERATOR"]}]))
    assert 'users[1].aliases[1]: "OPERATOR" is the auto-attendant number of the dial plan' in error
    error = refused(import_file, doc(users=[{"userName": "101"}]))
    assert 'users[0].userName: "101" is the voicemail number of the dial plan' in error
    assert not User.objects.exists()


def test_the_file_may_move_a_number_and_a_name_in_one_import(import_file, make_user):
    save_dial_plan(**SIPXECS)
    make_user("200", aliases=["102"])
    # The file gives 101 to a user and 102 to voicemail, and takes 102 from user 200: consistent once loaded.
    import_file(doc(users=[{"userName": "101"}, {"userName": "200"}], dialPlan={"voicemail": ["102"]}))
    assert dial_plan() == DialPlan(voicemail=("102",))
    assert User.objects.get(username="200").aliases == []
    # And a conference may take a number the file's dial plan gives up.
    import_file(doc(dialPlan={"voicemail": ["103"]}, conferences=[{"name": "team", "extension": "102"}]))
    assert Conference.objects.get().extension == "102"


def test_a_conference_of_the_file_may_not_take_a_number_the_plan_keeps(import_file):
    save_dial_plan(**SIPXECS)
    error = refused(import_file, doc(conferences=[{"name": "team", "extension": "0"}]))
    assert 'conferences[0].extension: Extension "0" is the auto-attendant number of the dial plan' in error
    assert not Conference.objects.exists()


def test_a_clash_found_after_loading_rolls_back_every_section(import_file):
    save_dial_plan(attendant=["100"], voicemail=[])
    error = refused(
        import_file, doc(groups=[{"name": "g"}], users=[{"userName": "101"}], dialPlan={"voicemail": ["101"]})
    )
    assert 'dialPlan.voicemail[0]: "101" is already a user name or alias ("101")' in error
    assert not User.objects.exists() and dial_plan() == DialPlan(attendant=("100",))


def test_the_demo_pbx_carries_sipxecs_numbers(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert export()["dialPlan"] == SIPXECS
