"""The dial plan across apps (sipxweb/dialplan.py): settings.DIALPLAN_OWNERS names who holds dialable names,
and the users' and conferences' rules ask it instead of looking each other's models up."""

import pytest
from django.core.exceptions import ValidationError

from apps.conferences import services as conferences
from apps.conferences.models import Conference
from apps.users import services as users
from sipxweb import dialplan


def test_owners_names_each_holder_with_its_own_spelling(db, make_user):
    make_user("200", aliases=["Alice"])
    Conference.objects.create(name="team", extension="Alice")  # written directly: the services refuse this
    found = dialplan.owners(["ALICE", "200", "nobody"])
    assert sorted((o.app, o.name, o.number) for o in found["alice"]) == [
        ("conferences", "team", "Alice"),
        ("users", "200", "Alice"),
    ]
    assert [(o.app, o.name) for o in found["200"]] == [("users", "200")]
    assert "nobody" not in found
    assert dialplan.held_elsewhere(["alice"], "users") == {"alice": found["alice"][1]}


def test_settings_decide_which_apps_share_the_plan(db, settings):
    team = Conference.objects.create(name="team", extension="8000")
    with pytest.raises(ValidationError) as exc:
        users.create_user("8000", pin="1234")
    assert exc.value.message_dict == {"username": ['"8000" is the extension of a conference.']}
    settings.DIALPLAN_OWNERS = {"users": "apps.users.dialplan.owner_of"}
    users.create_user("8000", pin="1234")  # the conferences are out of the plan: nothing to clash with

    settings.DIALPLAN_OWNERS = {"users": "apps.users.dialplan.owner_of", "conferences": "x.never.imported"}
    with pytest.raises(ValidationError) as exc:
        conferences.validate_extension("8000", team)  # the conferences' own function is not asked for their rule
    assert exc.value.message_dict == {"extension": ['Extension "8000" is a user name or alias.']}
    settings.DIALPLAN_OWNERS = {"conferences": "apps.conferences.dialplan.owner_of"}
    conferences.validate_extension("8000", team)  # the users are out of the plan
