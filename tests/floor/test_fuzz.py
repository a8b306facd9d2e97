"""Generated bad input over every REST URI (issue 9): hypothesis builds requests from the URL resolver's own list
of routes under /sipxconfig/rest/ (and the call controller), fills their path parameters with generated values
and sends them through Django's test client with real Basic credentials, as an administrator and as an ordinary
user. Bodies are XML, JSON, garbage bytes, other encodings and deeply nested documents; Content-Type, Accept,
paths and query strings are generated too.

Every answer must be below 500; every 4xx from a REST path must be the D1 body (`{"error", "type"}` as JSON);
a refused write must leave the PBX's tables as they were (a fingerprint of every app table before and after).

The runs are derandomized (same cases on every run, as CI needs); FUZZ_EXAMPLES=<n> and FUZZ_SEED=<n> explore
more or other cases locally."""

import base64
import hashlib
import json
import os
import re
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from apps.phonebooks import services as phonebook_services
from apps.phonebooks.models import Phonebook
from apps.users.models import UserGroup

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("FUZZ_SEED", "0"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not SEED,
    # Shrinking a failing case costs minutes here; the failure message already shows the whole request.
    # FUZZ_SHRINK=1 asks for the minimal one.
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else [])],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _seeded(test):
    return seed(SEED)(test) if SEED else test


# ---- the URIs, from Django's resolver ---------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def rest_routes() -> list[tuple[str, list[str]]]:
    """(template, parameter names) of every REST URI: `path()` routes under the prefix as `{name}` templates, the
    call controller's regex as its two optional parties. The prefix's catch-all is covered by `random paths`."""
    routes = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith("sipxconfig/rest/"):
            if "^" in route:  # the catch-all D1 404
                continue
            template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            routes.append(("/" + template, re.findall(r"\{(\w+)\}", template)))
        elif "callcontroller" in route and "<calling>" in route:  # its catch-all 404 is reached through these
            routes.append(("/callcontroller/{calling}/{called}", ["calling", "called"]))
            routes.append(("/callcontroller/{calling}", ["calling"]))
    return routes


ROUTES = rest_routes()
WIRE_ROOTS = sorted(
    {getattr(getattr(p.callback, "cls", None), "wire_root", None) or "x" for _, p in _walk(get_resolver().url_patterns)}
)
FIELD_NAMES = (
    "rings ring number expiration type enabled withVoicemail entry phone serialNumber model version description "
    "first-name last-name firstName lastName contact-information emailAddress imId homeAddress officeAddress city "
    "street state zip country internalId timestamp specialMode name subject audio useBranchAddress avatar"
).split()

# ---- generated pieces ------------------------------------------------------------------------------------------

ADMIN = ("superadmin", "admin1234")
USER = ("alice", "1234")

weird_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=["Cs"]), max_size=40
)  # the whole of Unicode but lone surrogates (unsendable)
unicode_digits = st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=6)
huge_number = st.integers(min_value=10, max_value=6000).map(lambda n: "9" * n)
numbers = st.one_of(st.integers(-(2**70), 2**70).map(str), huge_number, unicode_digits)

# Values a segment may take: the fixture's real names first, so that generated requests reach the views' logic
# and not only their 404s, then any text, long runs and percent-escapes that decode to broken UTF-8 or controls.
KNOWN_SEGMENTS = [
    "200", "alice", "201", "bob", "superadmin", "sales", "everyone", "inbox", "saved", "deleted", "conference",
    "standard", "outofoffice", "extendedabsence", "none", "operator", "afterhour", "0", "1", "-1",
    "0000000001", "sip:201@example.org", "1234", "8642", "FEEDKEY", "ENTRY",
]  # fmt: skip
raw_escape = st.sampled_from(["%00", "%0A", "%0D%0A", "%C0%AF", "%FF%FE", "%E2%80%AE", "%2F", "%25", "%3F", "%23"])


def _segment(value: str) -> str:
    return quote(value, safe="")


segment = st.one_of(
    st.sampled_from(KNOWN_SEGMENTS).map(_segment),
    weird_text.filter(bool).map(_segment),
    numbers.map(_segment),
    st.integers(200, 9000).map(lambda n: "a" * n),
    st.lists(st.one_of(raw_escape, st.sampled_from(KNOWN_SEGMENTS).map(_segment)), min_size=1, max_size=4).map("".join),
)

QUERY_KEYS = ["start", "end", "filter", "query", "agent", "isForwardingAllowed", "timeout", "format", "limit"]
query = st.dictionaries(
    st.one_of(st.sampled_from(QUERY_KEYS), weird_text),
    st.one_of(numbers, weird_text, st.sampled_from(["", "0", "2", "true", "alice"])),
    max_size=4,
)

xml_name = st.one_of(st.sampled_from(WIRE_ROOTS + FIELD_NAMES), st.from_regex(r"\A[A-Za-z_][\w.-]{0,12}\Z"))


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


xml_tree = st.recursive(
    st.one_of(weird_text, numbers).map(_xml_text),
    lambda children: st.lists(st.tuples(xml_name, children), max_size=5).map(
        lambda items: "".join(f"<{name}>{inner}</{name}>" for name, inner in items)
    ),
    max_leaves=20,
)
xml_doc = st.builds(lambda root, inner: f"<{root}>{inner}</{root}>", xml_name, xml_tree)

json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), weird_text, numbers),
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.one_of(xml_name, weird_text), children, max_size=5)
    ),
    max_leaves=20,
)
json_doc = st.one_of(
    st.builds(lambda root, value: json.dumps({root: value}), xml_name, json_value),
    json_value.map(json.dumps),
)


def _nested(kind: str, depth: int) -> str:
    if kind == "xml":
        return "<a>" * depth + "1" + "</a>" * depth
    if kind == "json-object":
        return '{"a":' * depth + "1" + "}" * depth
    return "[" * depth + "1" + "]" * depth


deep_doc = st.builds(_nested, st.sampled_from(["xml", "json-object", "json-array"]), st.integers(50, 60_000))
text_body = st.one_of(xml_doc, json_doc, deep_doc)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]
body = st.one_of(
    st.just(b""),
    text_body.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.tuples(text_body, st.sampled_from(ENCODINGS)).map(lambda pair: pair[0].encode(pair[1], "replace")),
    st.binary(max_size=300),
    st.tuples(xml_doc, st.binary(min_size=1, max_size=8)).map(lambda pair: pair[0].encode() + pair[1]),
)

header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)
content_type = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text/xml",
            "application/xml",
            "application/json",
            "text/xml; charset=utf-16",
            "application/json; charset=utf-16",
            "application/json; charset=latin-1",
            "text/xml; charset=bogus",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/octet-stream",
            "application/vnd.sipx+json",
            "*/*",
            "text/xml;;;",
            "",
        ]
    ),  # fmt: skip
    header_text,
)
accept = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "*/*",
            "text/xml",
            "application/xml",
            "application/json",
            "text/html",
            "text/plain",
            "text/csv",
            "text/vcard",
            "application/json;q=0.5, text/xml;q=0.6",
            "image/*",
            "text/*;q=abc",
            "*/*;q=1e400",
            "application/json;q=-1",
            "audio/*",
            "application/rss+xml",
        ]
    ),  # fmt: skip
    header_text,
)
METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "DELETE", "PATCH"]
WRITES = {"PUT", "POST", "DELETE", "PATCH"}

# ---- the fixture PBX and the checks ----------------------------------------------------------------------------


@pytest.fixture
def pbx(make_user, admin_user):
    """An admin, two users in a group with a shared phonebook, and one private entry of alice's."""
    alice = make_user("200", aliases=["alice"], first_name="Alice", sip_password="alicesip200")
    bob = make_user("201", aliases=["bob"], first_name="Bob")
    sales = UserGroup.objects.create(name="sales")
    sales.users.add(alice, bob)
    book = Phonebook.objects.create(name="sales")
    book.members.add(sales)
    book.consumers.add(sales)
    entry = phonebook_services.create_private_entry(alice, {"first_name": "Zed", "last_name": "Z", "number": "555"})
    return {"FEEDKEY": alice.feed_key, "ENTRY": str(entry.pk)}


def _fingerprinted_tables() -> list[tuple[str, str]]:
    tables = []
    for model in django_apps.get_models(include_auto_created=True):
        if model.__module__.startswith("apps.") or model._meta.auto_created and model._meta.app_label in APP_LABELS:
            tables.append((model._meta.db_table, model._meta.pk.column))
    return sorted(set(tables))


APP_LABELS = {config.label for config in django_apps.get_app_configs() if config.name.startswith("apps.")}


def fingerprint() -> str:
    """A digest of every row of every app table, many-to-many tables included (the fixture's tables are small):
    equal before and after a refused write means the write changed nothing. Raw SQL: the ORM would cost more
    than the request under test."""
    digest = hashlib.blake2b(digest_size=16)
    with connection.cursor() as cursor:
        for table, pk in _fingerprinted_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {connection.ops.quote_name(pk)}")
            digest.update(table.encode() + repr(cursor.fetchall()).encode())
    return digest.hexdigest()


# One client for the whole file: building one loads the middleware, and WhiteNoise indexes the static files then.
CLIENT = Client(raise_request_exception=False)


def send(role, method, path, query_params, data, ctype, accept_value):
    client = CLIENT
    name, pin = role
    extra = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode()}
    if accept_value is not None:
        extra["HTTP_ACCEPT"] = accept_value
    if ctype is not None:
        extra["CONTENT_TYPE"] = ctype
    if query_params:
        path += "?" + urlencode(query_params)
    return client.generic(method, path, data=data, **extra)


def check(response, method, path, before, after, role, request=""):
    where = f"{method} {path[:300]} as {role[0]} {request}"
    assert response.status_code < 500, (
        f"{where} -> {response.status_code}: {response.content[:300]!r} {getattr(response, 'exc_info', None)}"
    )
    is_rest = path.startswith(("/sipxconfig/rest/", "/callcontroller"))
    if is_rest and 400 <= response.status_code < 500 and method != "HEAD":
        if path.startswith("/callcontroller") and response["Content-Type"].startswith("text/xml"):
            # sipXrest's own error document (B.4), which call-controller clients parse: not D1's JSON.
            root = ElementTree.fromstring(response.content)
            assert root.tag.endswith("}processing-status"), f"{where}: {response.content[:300]!r}"
            assert root.findtext("{*}error-flag") == "ERROR" and root.findtext("{*}error-text"), where
            return
        assert response["Content-Type"].startswith("application/json"), f"{where}: {response['Content-Type']}"
        doc = json.loads(response.content)
        assert isinstance(doc, dict) and set(doc) == {"error", "type"}, f"{where}: {doc}"
        assert isinstance(doc["error"], str) and doc["error"] and isinstance(doc["type"], str), f"{where}: {doc}"
    if before is not None and response.status_code >= 400:
        assert before == after, f"{where} was refused with {response.status_code} but changed the stored data"


def run_case(pbx, role, method, template, params, query_params, data, ctype, accept_value):
    values = {name: pbx.get(value, value) for name, value in params.items()}
    path = template.format(**values)
    before = fingerprint() if method in WRITES else None
    response = send(role, method, path, query_params, data, ctype, accept_value)
    after = fingerprint() if before is not None else None
    request = f"query={query_params!r} Content-Type={ctype!r} Accept={accept_value!r} body={data[:200]!r}"
    check(response, method, path, before, after, role, request)


# ---- the tests -------------------------------------------------------------------------------------------------


def test_routes_cover_the_api():
    """The generator really walks every URI: the resolver's list is the API, not a subset typed in here."""
    templates = {template for template, _ in ROUTES}
    assert len(templates) >= 40
    for uri in ("/sipxconfig/rest/my/forward", "/sipxconfig/rest/cse", "/sipxconfig/rest/phone"):
        assert uri in templates


@pytest.mark.parametrize("role", [ADMIN, USER], ids=["admin", "user"])
@pytest.mark.parametrize(("template", "names"), ROUTES, ids=[t for t, _ in ROUTES])
def test_generated_requests(pbx, role, template, names):
    @_seeded
    @FUZZ_SETTINGS
    @given(
        method=st.sampled_from(METHODS),
        params=st.fixed_dictionaries({name: segment for name in names}),
        query_params=query,
        data=body,
        ctype=content_type,
        accept_value=accept,
    )
    def case(method, params, query_params, data, ctype, accept_value):
        run_case(pbx, role, method, template, params, query_params, data, ctype, accept_value)

    case()


@pytest.mark.parametrize("role", [ADMIN, USER], ids=["admin", "user"])
def test_random_paths(pbx, role):
    """Paths no route names (the catch-all 404 and near misses): still the D1 body, never a 5xx."""

    @_seeded
    @settings(FUZZ_SETTINGS, max_examples=EXAMPLES * 10)
    @given(
        method=st.sampled_from(METHODS),
        prefix=st.sampled_from(["/sipxconfig/rest/", "/sipxconfig/rest/my/", "/sipxconfig/rest/private/FEEDKEY/"]),
        segments=st.lists(segment, min_size=0, max_size=5),
        trailing=st.booleans(),
        data=body,
        ctype=content_type,
        accept_value=accept,
    )
    def case(method, prefix, segments, trailing, data, ctype, accept_value):
        path = prefix.replace("FEEDKEY", pbx["FEEDKEY"]) + "/".join(segments) + ("/" if trailing else "")
        before = fingerprint() if method in WRITES else None
        response = send(role, method, path, {}, data, ctype, accept_value)
        request = f"Content-Type={ctype!r} Accept={accept_value!r} body={data[:200]!r}"
        check(response, method, path, before, fingerprint() if before is not None else None, role, request)

    case()
