"""Every page is German for a user who chose German (User.language "de"): an administrator, a user and an attendant
administrator of the demo PBX each open every page their links reach (the menus, the list pages, the add, edit and
delete forms of every object type: one path per view, tests/floor/crawl.py, as test_layout_names.py opens them), and
the text a person sees on each page (text nodes, option labels, button values, title/placeholder/aria-label/alt
attributes; not scripts or styles) is read node by node. Two checks:

- no node is English: after the values of the demo PBX's own rows are taken out (user names, phonebook entries, the
  attendants "After hours" and "Sales menu", group names, descriptions: every text value of every row, read from the
  database, not listed by hand), no English giveaway word may stay ("the", "Save", "Delete", "your", ...);
- no node is a marked string shown untranslated: a node equal to a msgid of the German catalogue whose German
  differs is a string marked but rendered in English (a lazy string made a str at import time, a template that
  lost its {% translate %}).

Each failure names the page and the text."""

import html
import io
import re
import zoneinfo
from datetime import UTC, datetime, time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

from apps.attendants.models import SpecialModePeriod
from apps.users.models import AwayPeriod, User
from tests.floor.crawl import crawl, is_html
from tests.floor.test_translation import _entries

pytestmark = pytest.mark.django_db

# Words no German page shows: English function words (lower case; a sentence's first word too) and the labels a page
# forgets most, not inside a compound the German keeps ("Click-to-Call"). "Name" is not among them: it is German too.
GIVEAWAYS = re.compile(
    r"(?<![\w-])(?:[Tt]he|[Aa]nd|[Yy]our|[Ww]ith|[Ff]rom|of|to|is|are|[Nn]ot|none|Save|Delete|Edit|Add|Cancel|Search"
    r"|Number|Settings|Log out|Yes|No|Any|Choose|Select|[Oo]r|for|all|this|only|by|at|when|will|can|be|has)(?![\w-])"
)
# Attributes a person reads (a screen reader's, a tooltip's, an empty field's); the value of a button.
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
BUTTON_TYPES = ("submit", "button", "reset")
HIDDEN_ELEMENTS = ("script", "style", "template")
# Literal text, shown as the machine reads it: a phone's file in the preview, a CSV header a file must have.
LITERAL_ELEMENTS = ("pre", "code")


class VisibleText(HTMLParser):
    """The text a page shows, one entry per text node or shown attribute, whitespace collapsed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.hidden = 0

    def add(self, text: str | None) -> None:
        text = " ".join((text or "").split())
        if text:
            self.nodes.append(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN_ELEMENTS + LITERAL_ELEMENTS:
            self.hidden += 1
        for name in SHOWN_ATTRIBUTES:
            self.add(attrs.get(name))
        if tag == "input" and attrs.get("type") in BUTTON_TYPES:
            self.add(attrs.get("value"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_ELEMENTS + LITERAL_ELEMENTS:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS + LITERAL_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.add(data)


def visible_text(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    parser.close()
    return parser.nodes


def strings(value) -> list[str]:
    """The strings in a stored value: itself, or the keys and leaves of a JSON value (an audit entry's changed
    fields, named by their wire names, with their before and after)."""
    if isinstance(value, dict):
        return [*(k for k in value if isinstance(k, str)), *(s for v in value.values() for s in strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def data_values() -> set[str]:
    """Every text value of every row in the database (CharField, TextField and the strings in a JSONField; not a
    field with choices, whose page shows a label, not the stored value) and the time zones' names (the IANA's, shown
    with spaces for underscores): what the pages may show in the language it was written in."""
    values = {zone.replace("_", " ") for zone in zoneinfo.available_timezones()}
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in strings(list(row)):
                value = " ".join(value.split())
                if len(value) > 1:
                    values.add(value)
    return values


def data_pattern(values: set[str]) -> re.Pattern:
    """Matches any of `values` as whole words (the longest first, so a description goes before a name in it)."""
    ordered = sorted(values, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in ordered) + r")(?!\w)")


def catalogue() -> dict[str, str]:
    """{msgid: German} of the German catalogue (locale/de/LC_MESSAGES/django.po) for every msgid whose German
    differs from it or is missing ("": a string marked but not translated yet); plural entries left out (a page
    shows them with their count)."""
    po = Path(settings.LOCALE_PATHS[0]) / "de" / "LC_MESSAGES" / "django.po"
    out = {}
    for entry in _entries(po.read_text(encoding="utf-8")):
        if "msgid_plural" in entry or len(entry["msgstr"]) != 1:
            continue
        msgid, german = " ".join(entry["msgid"].split()), " ".join(entry["msgstr"][0].split())
        if msgid != german:
            out[msgid] = german
    return out


def english_on(page: str, nodes: list[str], data: re.Pattern, marked: dict[str, str]) -> list[str]:
    """The problems of one page's text nodes: English giveaways outside the data, marked strings left English."""
    found = []
    for node in nodes:
        if node in marked and not data.fullmatch(node):
            found.append(f"{page}: untranslated msgid {node!r} (German: {marked[node] or 'none yet'!r})")
        elif GIVEAWAYS.search(node) and (word := GIVEAWAYS.search(data.sub(" ", node))):
            found.append(f"{page}: English {word.group()!r} in {node!r}")
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    User.objects.filter(username__in=["superadmin", "200", "202"]).update(language="de")
    # The rows the demo PBX has none of, so that their edit and delete pages are reached too.
    start = datetime(2027, 1, 4, 8, tzinfo=UTC)
    AwayPeriod.objects.create(
        user=User.objects.get(username="200"),
        start=start,
        end=start.replace(hour=17),
        time_zone="UTC",
        forward_to="201",
    )
    SpecialModePeriod.objects.create(name="Night", weekdays="01234", start_time=time(18), end_time=time(8))


@pytest.fixture
def checks(demo):
    return data_pattern(data_values()), catalogue()


@pytest.mark.parametrize("who", ["superadmin", "200", "202"], ids=["admin", "user", "attendant-admin"])
def test_every_page_is_german(checks, client, who):
    data, marked = checks
    client.raise_request_exception = False
    user = User.objects.get(username=who)
    assert user.language == "de"
    client.force_login(user)
    problems, seen = [], 0
    for page, response in crawl(client):
        if not is_html(response):
            continue
        seen += 1
        assert response.get("Content-Language") == "de", page
        problems += english_on(page, visible_text(response.content.decode()), data, marked)
    # An unknown page, for the error page in German.
    missing = client.get("/no-such-page/")
    problems += english_on("/no-such-page/", visible_text(missing.content.decode()), data, marked)
    assert seen > 10, f"only {seen} pages: the crawl went nowhere"
    assert problems == [], f"{len(problems)} English texts:\n" + "\n".join(problems)


def test_the_login_page_is_german_for_a_german_browser(checks, client):
    data, marked = checks
    response = client.get("/", follow=True, headers={"accept-language": "de"})
    nodes = visible_text(response.content.decode())
    assert response.get("Content-Language") == "de"
    assert english_on("login", nodes, data, marked) == []


def test_an_english_page_is_found(checks):
    """The checks can fail: an English page, and a marked string shown untranslated, are both named."""
    data, marked = checks
    page = (
        "<html><head><title>Telefonbuch</title><script>var save = 'Save the phone';</script></head><body>"
        "<h1>Edit the phonebook</h1><p>After hours</p><p>Sales menu and Alice Smith</p><button>Speichern</button>"
        "<input type='submit' value='Add to it'><select><option>Do not call</option></select>"
        "<span title='Search the list'>Europe/Isle of Man</span><pre>the file</pre></body></html>"
    )
    msgid = next(m for m in marked if marked[m] and not GIVEAWAYS.search(m) and not data.fullmatch(m))
    nodes = visible_text(page + f"<p>{html.escape(msgid)}</p>")
    assert "var save" not in " ".join(nodes)  # a script is not text a person sees
    problems = english_on("/x/", nodes, data, marked)
    assert problems == [
        "/x/: English 'Edit' in 'Edit the phonebook'",
        "/x/: English 'and' in 'Sales menu and Alice Smith'",  # the data's names taken out, not what joins them
        "/x/: English 'Add' in 'Add to it'",
        "/x/: English 'not' in 'Do not call'",
        "/x/: English 'Search' in 'Search the list'",
        f"/x/: untranslated msgid {msgid!r} (German: {marked[msgid]!r})",
    ]
    # A string marked but not translated yet (msgstr "") is named too, giveaway or not.
    assert english_on("/x/", ["Ring group"], data, {"Ring group": ""}) == [
        "/x/: untranslated msgid 'Ring group' (German: 'none yet')"
    ]
