"""Backups that restore: whatever the REST API and the services store, `export_pbx` writes and `import_pbx
--replace` takes back unchanged; whatever the data file would refuse, POST /cse refuses when it first comes
in (400, a sentence, nothing stored). The bad-input corpus of /cse is here, each case with its answer."""

import json

import pytest

from apps.callcontrol import store
from apps.cdrs.models import CallStateEvent, Cdr
from tests.conftest import REST, basic
from tests.pbxdata.helpers import export_text, run_import

ADMIN = basic("superadmin", "admin1234")
R = {
    "event_type": "R",
    "event_time": "2026-11-27T10:00:00Z",
    "call_id": "c1",
    "from_url": '"Alice" <sip:200@example.org>;tag=1',
    "to_url": "<sip:201@example.org>",
}


@pytest.fixture
def pbx(make_user, admin_user):
    return {"alice": make_user("200", aliases=["alice"], first_name="Alice"), "bob": make_user("201")}


def cse(client, events, **headers):
    body = events if isinstance(events, str | bytes) else json.dumps(events)
    return client.post(REST + "/cse", data=body, content_type="application/json", **(headers or ADMIN))


def round_trip(tmp_path) -> tuple[str, str]:
    """export -> import --replace -> export, through the commands an operator runs."""
    first = export_text()
    run_import(tmp_path, first, "--replace")
    return first, export_text()


# ---- the two reproductions of the issue ------------------------------------------------------------------


def test_a_call_by_a_user_named_with_markup_restores(client, pbx, tmp_path):
    response = client.put(
        REST + "/my/contact-information",
        data=json.dumps({"contact-information": {"firstName": 'Bo<b> "x" \\', "lastName": "Smith"}}),
        content_type="application/json",
        **basic("alice", "1234"),
    )
    assert response.status_code == 200, response.content
    pbx["alice"].refresh_from_db()
    name = f"{pbx['alice'].first_name} {pbx['alice'].last_name}"
    # The agent stores the From it sent: with the display name as an RFC 3261 quoted-string, and (before the
    # SIP builders) unescaped between quotes. Both are read back as the same caller.
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    for call_id, from_url in (("escaped", quoted), ("unescaped", f'"{name}"')):
        store.event(
            {
                "event_type": "R",
                "event_time": R["event_time"],
                "call_id": call_id,
                "from_url": f"{from_url} <sip:200@example.org>;tag=7",
                "to_url": "<sip:201@example.org>",
            }
        )
    assert {(c.caller_aor, c.caller_name, c.caller_user) for c in Cdr.objects.all()} == {
        ("<sip:200@example.org>", name, "200")
    }
    # and the same through the feed, with the name quoted as SIP writes it
    assert cse(client, [{**R, "call_id": "fed", "from_url": f"{quoted} <sip:200@example.org>"}]).status_code == 200
    first, second = round_trip(tmp_path)
    assert first == second
    assert {c.caller_name for c in Cdr.objects.all()} == {name} and Cdr.objects.count() == 3


def test_an_r_event_without_to_url_is_refused_and_nothing_is_stored(client, pbx):
    response = cse(client, [{k: v for k, v in R.items() if k != "to_url"}])
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "events[0].to_url is required in an R event."
    assert not CallStateEvent.objects.exists() and not Cdr.objects.exists()


def test_events_before_their_request_restore_and_the_late_request_names_the_parties(client, pbx, tmp_path):
    """An S/E whose R has not come yet makes a record without parties: the file carries it (empty from/to),
    and the R, when it comes, names them."""
    early = {"event_type": "E", "event_time": "2026-11-27T09:59:00Z", "call_id": "c1"}
    assert cse(client, [early]).status_code == 200
    first, second = round_trip(tmp_path)
    assert first == second and '"from": ""' in first
    assert cse(client, [R]).status_code == 200
    cdr = Cdr.objects.get()
    assert (cdr.caller_aor, cdr.caller_name, cdr.callee_user) == ("<sip:200@example.org>", "Alice", "201")
    assert cdr.start_time <= cdr.end_time  # the end came first: the call starts no later than it
    first, second = round_trip(tmp_path)
    assert first == second


# ---- bad-input corpus of POST /cse ------------------------------------------------------------------------


def missing(key):
    return [{k: v for k, v in R.items() if k != key}]


CORPUS = [
    # (case, body, expected answer: status and the start of the error sentence)
    ("no event_type", missing("event_type"), 400, "events[0].event_type is required"),
    ("no event_time", missing("event_time"), 400, "events[0].event_time is required"),
    ("no call_id", missing("call_id"), 400, "events[0].call_id is required"),
    ("blank call_id", [{**R, "call_id": "  "}], 400, "events[0].call_id is required"),
    ("R without from_url", missing("from_url"), 400, "events[0].from_url is required in an R event"),
    ("R without to_url", missing("to_url"), 400, "events[0].to_url is required in an R event"),
    ("R with an empty to_url", [{**R, "to_url": ""}], 400, "events[0].to_url is required in an R event"),
    ("year 1", [{**R, "event_time": "0001-01-01T00:00:00Z"}], 400, "events[0].event_time: 0001-01-01"),
    ("year 1 east of UTC", [{**R, "event_time": "0001-01-01T00:00:00+05:00"}], 400, "events[0].event_time: 0001"),
    ("year 9999", [{**R, "event_time": "9999-12-31T23:59:59Z"}], 400, "events[0].event_time: 9999-12-31"),
    ("year 9999 west of UTC", [{**R, "event_time": "9999-12-31T23:00:00-05:00"}], 400, "events[0].event_time"),
    ("before 1970", [{**R, "event_time": "1969-12-31T23:59:59Z"}], 400, "events[0].event_time"),
    ("epoch ms too big", [{**R, "event_time": "9" * 30}], 400, "events[0].event_time"),
    ("time of 5000 digits", [{**R, "event_time": "9" * 5000}], 400, "events[0].event_time is not a time"),
    ("unicode digits in a time", [{**R, "event_time": "²⁰²⁶"}], 400, "events[0].event_time"),
    ("unicode digits in cseq", [{**R, "cseq": "²"}], 400, "events[0].cseq must be an integer"),
    ("cseq of 5000 digits", [{**R, "cseq": "9" * 5000}], 400, "events[0].cseq must be an integer"),
    ("huge call_id", [{**R, "call_id": "x" * 256}], 400, "events[0].call_id must be a string of at most 255"),
    ("huge from_url", [{**R, "from_url": "<sip:" + "a" * 600 + "@h>"}], 400, "events[0].from_url must be"),
    ("from_url no address", [{**R, "from_url": "alice"}], 400, "events[0].from_url must be a SIP address"),
    ("to_url unquoted <", [{**R, "to_url": "Bo<b> <sip:201@h>"}], 400, "events[0].to_url must be a SIP address"),
    ("contact with CR/LF", [{**R, "contact": "<sip:a@h>\r\nX: y"}], 400, "events[0].contact must be a SIP address"),
    ("NUL", [{**R, "from_tag": "a\x00b"}], 400, "events[0].from_tag contains a NUL character"),
    (
        "lone surrogate",
        '[{"event_type": "R", "event_time": "2026-11-27T10:00:00Z", "call_id": "\\ud800", '
        '"from_url": "<sip:a@h>", "to_url": "<sip:b@h>"}]',
        400,
        "events[0].call_id contains a lone UTF-16 surrogate",
    ),
    ("failure status 999", [{**R, "failure_status": 999}], 400, "events[0].failure_status: 999 is not a SIP"),
    ("failure status 0", [{**R, "event_type": "F", "failure_status": "0"}], 400, "events[0].failure_status: 0"),
    ("boolean call_id", [{**R, "call_id": True}], 400, "events[0].call_id is required"),
    ("10001 events", [{"event_type": "E", "event_time": "0", "call_id": "x"}] * 10001, 400, "At most 10000 events"),
    ("JSON nested 50000 deep", "[" * 50000 + "]" * 50000, 400, "The JSON body is nested too deeply"),
    ("second event bad", [R, {**R, "event_time": "0001-01-01T00:00:00Z"}], 400, "events[1].event_time"),
]


@pytest.mark.parametrize(("case", "body", "status", "error"), CORPUS, ids=[c[0] for c in CORPUS])
def test_cse_bad_input_corpus(client, pbx, case, body, status, error):
    response = cse(client, body)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["error"].startswith(error)
    assert not CallStateEvent.objects.exists() and not Cdr.objects.exists()  # nothing stored


ACCEPTED = [
    ("unknown call id: an end alone", [{"event_type": "E", "event_time": "2026-11-27T10:00:00Z", "call_id": "new"}]),
    ("edge of the window", [{**R, "event_time": "8999-12-31T23:59:59.999999Z"}]),
    ("first millisecond of 1970", [{**R, "event_time": "0"}]),
    ("astral and RTL display name", [{**R, "from_url": '"\U0001f600 \u202eolleh \\"q\\"" <sip:200@h>'}]),
    ("display name with CR/LF escaped", [{**R, "from_url": '"a\\\r\\\nb" <sip:200@h>'}]),
    ("tel URI", [{**R, "to_url": "<tel:+15551234567>"}]),
    ("microseconds", [{**R, "event_time": "2026-11-27T10:00:00.123456+02:00"}]),
]


@pytest.mark.parametrize(("case", "body"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_cse_odd_but_valid_input_is_stored_and_restores(client, pbx, tmp_path, case, body):
    assert cse(client, body).status_code == 200
    assert Cdr.objects.count() == 1
    first, second = round_trip(tmp_path)
    assert first == second


def test_data_file_refuses_what_cse_refuses(pbx, tmp_path):
    """The data file and /cse share the rules (apps.cdrs.rules, sipxweb.text): the same values are
    refused on import, naming the path, and nothing is stored."""
    call = {"callId": "k", "from": "<sip:200@h>", "to": "<sip:201@h>", "start": "2026-11-27T10:00:00Z"}
    bad = [
        ({"start": "0001-01-01T00:00:00Z"}, "calls[0].start: 0001-01-01"),
        ({"start": "9999-12-31T00:00:00Z"}, "calls[0].start: 9999-12-31"),
        ({"failureStatus": 999}, "calls[0].failureStatus: 999 is not a SIP status"),
        ({"callId": "a\x00b"}, "calls[0].callId: contains a NUL character"),
        ({"from": '"Bo"b" <sip:200@h>'}, "calls[0].from: expected a SIP address"),
        ({"from": "alice"}, "calls[0].from: expected a SIP address"),
    ]
    from django.core.management.base import CommandError

    for change, message in bad:
        with pytest.raises(CommandError) as info:
            run_import(tmp_path, {"format": "sipxweb-pbx", "version": 1, "calls": [{**call, **change}]})
        assert message in str(info.value), str(info.value)
        assert not Cdr.objects.exists()
