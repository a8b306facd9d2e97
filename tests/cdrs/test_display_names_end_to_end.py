"""A user's own awkward name, from the contact-information PUT through a click-to-call, the agent's quoted
display name in its call-state events, the call record, /my/activecdrs, the history page and a backup:
the name shown is the user's name unescaped, and export -> import --replace -> export is identical."""

import asyncio
import html
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.callcontrol import store
from apps.callcontrol.agent import Agent
from apps.callcontrol.attempt import Attempt
from apps.callcontrol.legs import Leg
from apps.cdrs.models import Cdr
from tests.conftest import REST, basic, unlabelled

FIRST = 'Bo"b\\ <b>é'
LAST = "Sm\r\nith 😀"
# CR and LF cannot travel inside a SIP quoted-string: the agent writes each as a space, so that is what the call
# shows; every other character (quote, backslash, angle brackets, é, the emoji) comes back as the user typed it.
SHOWN = 'Bo"b\\ <b>é Sm  ith 😀'


def dump() -> str:
    out = io.StringIO()
    call_command("export_pbx", stdout=out)
    return out.getvalue()


class AgentLeg:
    """The agent's own Leg (its From/To builders) and Agent.event (the event dict it stores) for one leg of a
    claimed attempt. The database calls it asks for run afterwards in this thread: Django refuses them inside
    the event loop, and the agent runs them in its database thread anyway."""

    def __init__(self, attempt: dict):
        self.agent = SimpleNamespace(address="127.0.0.1", port=5070, contact="<sip:callcontroller@127.0.0.1:5070>")
        self.agent.db = self.db
        self.calls = []

        async def make():
            uri = attempt["calling_uri"]
            return Leg(self.agent, Attempt.from_row(attempt), uri, uri, uri)

        self.leg = asyncio.run(make())
        self.leg.remote_tag = "phone1"

    async def db(self, fn, *args):
        self.calls.append((fn, args))

    def events(self, kinds: str) -> None:
        for kind in kinds:
            extra = {"contact": self.agent.contact} if kind in "RS" else {}
            asyncio.run(Agent.event(self.agent, self.leg, kind, **extra))
        for fn, args in self.calls:
            fn(*args)
        self.calls.clear()


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob", last_name="Jones")


def test_awkward_names_survive_the_call_the_pages_and_a_backup(client, bob, tmp_path):
    auth = basic("bob", "1234")
    body = {"contact-information": {"firstName": FIRST, "lastName": LAST}}
    response = client.put(REST + "/my/contact-information", json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 200, response.content
    bob.refresh_from_db()
    assert (bob.first_name, bob.last_name) == (FIRST, LAST)

    assert client.put(REST + "/my/call/900", b"", **auth).status_code == 200
    [attempt] = store.claim("test-agent")
    leg = AgentLeg(attempt)
    leg.events("RS")
    from_header = leg.leg.from_header
    assert "\r" not in from_header and "\n" not in from_header
    assert from_header.startswith('"Bo\\"b\\\\ <b>é Sm  ith 😀" <sip:')

    cdr = Cdr.objects.get()
    assert cdr.caller_name == SHOWN and cdr.caller_user == "201"
    active = client.get(REST + "/my/activecdrs", **auth, HTTP_ACCEPT="application/json")
    assert active.status_code == 200
    # sipXconfig's wire rule: `from` names the caller only when the caller AOR carries a name, and the
    # resolved AOR is bare; the name is kept for the history page below.
    assert [c["from"] for c in json.loads(active.content)["cdrs"]] == ["201"]

    leg.events("E")
    client.force_login(bob)
    page = unlabelled(html.unescape(client.get(reverse("portal-cdrs:my_cdr_list")).content.decode()))
    # The history names a user as the directory does (the name beside the extension), unescaped.
    assert f'<td class="caller">{FIRST} {LAST} <span class="muted">201</span></td>' in page

    first = dump()
    exported = tmp_path / "pbx.json"
    exported.write_text(first)
    assert json.loads(first)["calls"][0]["from"].startswith('"Bo\\"b\\\\ <b>é Sm  ith 😀" <sip:201@')
    call_command("import_pbx", str(exported), "--replace", stdout=io.StringIO())
    assert dump() == first
    cdr = Cdr.objects.get()
    assert (cdr.caller_name, cdr.termination) == (SHOWN, "C")
