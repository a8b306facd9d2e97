"""Bad input where two parts of the server must agree: the call controller's URI family answers every refusal in
its own `<processing-status>` layout, the HTML search boxes and the REST API treat control characters each their
own documented way, and the OpenAPI description's text patterns say exactly what the entry URI accepts."""

import json
import re
from xml.etree import ElementTree

import pytest
import yaml

from apps.phonebooks.models import PhonebookEntry
from sipxweb.text import NOT_BLANK_PATTERN, STORABLE_TEXT_PATTERN
from tests.conftest import REST, basic


def processing_status(response) -> tuple[str, str]:
    assert response["Content-Type"] == "text/xml; charset=utf-8", response["Content-Type"]
    root = ElementTree.fromstring(response.content)
    assert root.tag.endswith("}processing-status")
    return root.findtext("{*}error-code"), root.findtext("{*}error-text")


@pytest.mark.parametrize(
    "path",
    ["/callcontroller/200/201/202", "/callcontroller/200/%2F201", "/callcontroller/200/201//"],
)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_other_callcontroller_paths_are_a_processing_status_404(client, make_user, path, method):
    make_user("200", aliases=["alice"], sip_password="alicesip200")
    response = getattr(client, method)(path, **basic("alice", "1234"))
    assert response.status_code == 404
    code, text = processing_status(response)
    assert code == "404" and "no call controller resource" in text


@pytest.mark.parametrize(
    "path",
    [
        "/callcontroller/200/%2F%00",
        "/callcontroller/20%000/201",
        "/callcontroller/200/201%0A",
        "/callcontroller/%C2%85/1",
    ],
)
def test_control_characters_in_a_callcontroller_path_are_a_processing_status_400(client, make_user, path):
    make_user("200", aliases=["alice"], sip_password="alicesip200")
    response = client.post(path, **basic("alice", "1234"))
    assert response.status_code == 400
    code, text = processing_status(response)  # parses: the control character is not echoed into the XML
    assert code == "400" and text == "Bad parameter: the path contains a control character."


def test_control_characters_in_a_callcontroller_query_are_a_processing_status_400(client, make_user):
    make_user("200", aliases=["alice"], sip_password="alicesip200")
    response = client.post("/callcontroller/200/201?subject=a%01b", **basic("alice", "1234"))
    assert response.status_code == 400
    assert processing_status(response) == ("400", "Bad parameter: a query parameter contains a control character.")


def test_a_search_box_drops_control_characters(client, admin_user, make_user):
    make_user("4711", first_name="Abigail")
    client.force_login(admin_user)
    response = client.get("/users/", {"q": "Abi\x00gail\x85"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Abigail"' in page and "4711" in page
    # A value without them is searched as typed: the same user, not everyone.
    assert "4711" not in client.get("/users/", {"q": "Nobody\x00"}).content.decode()


def test_rest_keeps_its_400_for_control_characters_in_a_query(client, admin_user):
    response = client.get(REST + "/phonebook", {"filter": "a\x00b"}, **basic("superadmin", "admin1234"))
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "error": "A query parameter contains a control character.",
        "type": "invalid",
    }


_SCHEMA: dict = {}


def _entry_pattern(client, field: str) -> list[str]:
    """The patterns the description puts on `field` of the single-entry POST (JSON variant). The description is
    the same for every test and costs seconds to build: fetched once per process."""
    if not _SCHEMA:
        response = client.get("/api/schema/", **basic("alice", "1234"))
        assert response.status_code == 200
        _SCHEMA.update(yaml.safe_load(response.content))
    schema = _SCHEMA
    operation = schema["paths"]["/sipxconfig/rest/my/phonebook/entry/{entry_id}"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["entry"]
    patterns = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                walk(schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
            for member in node.get("allOf", ()):
                walk(member)
            prop = node.get("properties", {}).get(field)
            if prop and "pattern" in prop:
                patterns.append(prop["pattern"])

    walk(body)
    return patterns


@pytest.mark.parametrize(
    "last_name", ["\x85", " \u3000\t", "\x1c", "\x0b", "\x01", "\ufffe", "x\x00", "", "Zed", "\x85Zed\n", "ž"]
)
def test_the_description_of_a_name_matches_what_the_entry_uri_accepts(client, make_user, last_name):
    make_user("200", aliases=["alice"])
    patterns = _entry_pattern(client, "last-name")
    assert sorted(patterns) == sorted([STORABLE_TEXT_PATTERN, NOT_BLANK_PATTERN])
    described_valid = all(re.search(p, last_name) for p in patterns)
    entry = {"first-name": "Ann", "last-name": last_name, "number": "555"}
    response = client.post(
        REST + "/my/phonebook/entry/1",
        data=json.dumps({"entry": entry}),
        content_type="application/json",
        **basic("alice", "1234"),
    )
    if described_valid:
        assert response.status_code == 200, response.content
    else:
        # Stricter than JSON alone where XML cannot carry the character (U+0001, U+000B, U+FFFE): the description
        # promises what both media types store; everything it refuses that JSON cannot store is a 400.
        assert response.status_code in (200, 400)
        if last_name.strip() == "" or "\x00" in last_name:
            assert response.status_code == 400 and not PhonebookEntry.objects.exists()
