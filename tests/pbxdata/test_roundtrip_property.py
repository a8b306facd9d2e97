"""Property: whatever users and admins can store through the pages, the REST API and the services, the backup
gives back. Hypothesis draws users (names, contact information, aliases, forwarding), a shared phonebook's
entries, private phonebook entries and calls fed to POST /cse, with text from the whole Unicode range plus the
characters that break writers (`<>&"'`, CR/LF, NUL, astral characters, RTL marks, `=`-leading strings). Each
is entered the way its user does; then export -> import --replace -> export must succeed and be identical.

A value a boundary refuses must be refused with a 4xx (never a 5xx), the same way on SQLite and PostgreSQL:
NUL is refused everywhere (PostgreSQL cannot store it). Deterministic (derandomize) and bounded (40 examples)."""

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from apps.phonebooks import services as phonebooks
from apps.phonebooks.models import Phonebook
from tests.conftest import REST, basic
from tests.pbxdata.helpers import export_text, run_import

NASTY = [
    "Bo<b>",
    "<>&\"'",
    "a\r\nX-Injected: yes",
    '=HYPERLINK("http://x")',
    "+1-2",
    "@cmd",
    "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd",
    "\U0001f600\U00010348",
    "tab\there",
    "back\\slash",
    "nul\x00byte",
    "  padded  ",
    "]]>",
    "&amp;",
]
# Any code point but lone surrogates (no client can send one as UTF-8): NUL, controls, astral included.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=12),
    st.sampled_from(NASTY),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=3)), max_size=3).map("".join),
)
ALIAS = st.from_regex(r"[a-z][a-z0-9._-]{0,8}", fullmatch=True)


def contact_info():
    return st.fixed_dictionaries(
        {"firstName": TEXT, "lastName": TEXT},
        optional={"jobTitle": TEXT, "companyName": TEXT, "officeAddress": st.fixed_dictionaries({"street": TEXT})},
    )


def ring():
    return st.fixed_dictionaries(
        {
            "number": TEXT,
            "expiration": st.integers(1, 999),
            "type": st.sampled_from(["If no response", "At the same time"]),
            "enabled": st.booleans(),
        }
    )


def entry():
    return st.fixed_dictionaries({"first-name": TEXT, "last-name": TEXT, "number": TEXT})


def call():
    return st.fixed_dictionaries(
        {
            "call_id": TEXT,
            "display": TEXT,
            "start_ms": st.integers(0, 4_000_000_000_000),
            "steps": st.lists(st.sampled_from(["S", "T", "E", "F"]), max_size=3),
        }
    )


USER = st.fixed_dictionaries(
    {
        "first": TEXT,
        "alias": ALIAS,
        "contact": contact_info(),
        "rings": st.lists(ring(), max_size=2),
        "entries": st.lists(entry(), max_size=2),
    }
)
PBX = st.fixed_dictionaries(
    {
        "users": st.lists(USER, min_size=1, max_size=2),
        "phonebook": st.tuples(TEXT, st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=3)),
        "calls": st.lists(call(), max_size=3),
    }
)
ADMIN = basic("superadmin", "admin1234")


def quoted(display: str) -> str:
    """RFC 3261 quoted-string, written here independently of the code under test."""
    return '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'


def accepted(response) -> bool:
    """True for a 2xx/3xx; a refusal must be a 4xx, never a 5xx."""
    assert response.status_code < 500, (response.status_code, response.content[:300])
    return response.status_code < 400


def has_nul(value) -> bool:
    return "\\u0000" in json.dumps(value)


def enter(client, pbx) -> None:
    """Enters the drawn PBX through the pages, the REST API and the services, as its users would."""
    admin_page = client.__class__()
    admin_page.force_login(pbx["admin"])
    for i, user in enumerate(pbx["users"]):
        username = f"30{i}"
        response = admin_page.post(
            "/users/add/",
            {
                "username": username,
                "first_name": user["first"],
                "aliases": user["alias"],
                "pin": "5812",  # a PIN the pages take (the portal PIN policy)
                "is_active": "on",
            },
        )
        assert response.status_code in (200, 302)
        if response.status_code != 302:  # refused by the form: the name must be one the form cannot take
            assert has_nul(user["first"]) or user["alias"] in [u["alias"] for u in pbx["users"][:i]]
            continue
        me = basic(username, "5812")
        body = {"contact-information": user["contact"]}
        response = client.put(REST + "/my/contact-information", json.dumps(body), "application/json", **me)
        assert accepted(response) or response.status_code == 400
        if has_nul(user["contact"]):
            assert response.status_code == 400, (user["contact"], response.content)
        body = {"call-sequence": {"rings": user["rings"], "expiration": 20}}
        response = client.put(REST + "/my/forward", json.dumps(body), "application/json", **me)
        assert accepted(response) or response.status_code == 400
        if has_nul(user["rings"]):
            assert response.status_code == 400, (user["rings"], response.content)
        for e in user["entries"]:
            body = {"entry": {**e, "contact-information": {}}}
            response = client.post(REST + "/my/phonebook/entry/new", json.dumps(body), "application/json", **me)
            assert accepted(response) or response.status_code == 400
            if has_nul(e):
                assert response.status_code == 400, (e, response.content)
    name, rows = pbx["phonebook"]
    response = admin_page.post("/phonebooks/add/", {"name": name, "description": name})
    assert response.status_code in (200, 302)
    book = Phonebook.objects.filter(name=name.strip()).first()
    if book is not None:
        # The file importers (CSV, vCard) take no row without a number and no NUL: the service gets what they pass.
        datas = [
            {"first_name": f, "last_name": last, "number": n}
            for f, last, n in rows
            if n.strip() and not has_nul([f, last, n])
        ]
        phonebooks.replace_file_entries(book, datas)
    for i, c in enumerate(pbx["calls"]):
        t = c["start_ms"]
        events = [
            {
                "event_type": "R",
                "event_time": str(t),
                "call_id": c["call_id"],
                "from_url": f"{quoted(c['display'])} <sip:300@example.org>;tag={i}",
                "to_url": "<sip:301@example.org>",
            }
        ]
        events += [
            {"event_type": kind, "event_time": str(t + 1000 * (n + 1)), "call_id": c["call_id"], "failure_status": 486}
            for n, kind in enumerate(c["steps"])
        ]
        response = client.post(REST + "/cse", json.dumps(events), "application/json", **ADMIN)
        assert accepted(response) or response.status_code == 400
        if has_nul(c) or not c["call_id"].strip():
            assert response.status_code == 400, (c, response.content)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its whole example, in bounded time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pbx=PBX)
def test_export_import_export_is_identical(client, admin_user, tmp_path, pbx):
    with transaction.atomic():  # each example starts from the same database: its rows are rolled back
        enter(client, {**pbx, "admin": admin_user})
        first = export_text()
        run_import(tmp_path, first, "--replace")
        second = export_text()
        assert first == second
        transaction.set_rollback(True)
