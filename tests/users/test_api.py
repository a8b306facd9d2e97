"""Golden tests: every foundation URI x every variant, byte for byte (docs/compatibility.md B.3.2, B.3.3, B.3.9,
B.3.12),
with real Basic credentials through Django's full request stack."""

import json

import pytest

from apps.users import services
from tests.conftest import REST, basic, count_queries, golden

XML = {"HTTP_ACCEPT": "text/xml"}
JSON = {"HTTP_ACCEPT": "application/json"}


def get(client, path, user="alice", pin="1234", **headers):
    return client.get(REST + path, **basic(user, pin), **headers)


@pytest.mark.parametrize(
    ("path", "accept", "golden_file", "content_type"),
    [
        ("/my/logindetails", {}, "logindetails-alice.xml", "text/xml; charset=utf-8"),
        ("/my/logindetails", XML, "logindetails-alice.xml", "text/xml; charset=utf-8"),
        ("/my/logindetails", JSON, "logindetails-alice.json", "application/json; charset=utf-8"),
        ("/my/forward", {}, "forward-alice.xml", "text/xml; charset=utf-8"),
        ("/my/forward", JSON, "forward-alice.json", "application/json; charset=utf-8"),
        ("/my/contact-information", {}, "contact-alice.xml", "text/xml; charset=utf-8"),
        ("/my/contact-information", JSON, "contact-alice.json", "application/json; charset=utf-8"),
    ],
)
def test_golden_get(client, alice, path, accept, golden_file, content_type):
    response = get(client, path, **accept)
    assert response.status_code == 200
    assert response.content == golden(golden_file)
    assert response["Content-Type"] == content_type
    assert "Accept" in response["Vary"]


def test_logindetails_omits_missing_im_id_and_sip_password(client, make_user):
    make_user("300", pin="9999")
    assert get(client, "/my/logindetails", "300", "9999").content == golden("logindetails-bare.xml")
    assert get(client, "/my/logindetails", "300", "9999", **JSON).content == golden("logindetails-bare.json")


def test_logindetails_lower_cases_the_im_id(client, make_user):
    make_user("301", im_id="Carol.W", im_enabled=True)
    assert b"<imId>carol.w</imId>" in get(client, "/my/logindetails", "301").content


def test_forward_spec_sample_and_empty_list(client, make_user):
    user = make_user("400", perm_voicemail=False)
    services.set_forwarding(user, 27, [services.RingData("200", 25, "If no response", True)])
    assert get(client, "/my/forward", "400").content == golden("forward-spec.xml")
    services.set_forwarding(user, 20, [])
    assert get(client, "/my/forward", "400").content == golden("forward-empty.xml")
    assert get(client, "/my/forward", "400", **JSON).content == golden("forward-empty.json")


def test_contact_information_every_field(client, make_user):
    user = make_user("jdoe", first_name="John", last_name="Doe", im_id="jd", im_enabled=False, im_display_name="Johnny")
    profile = user.profile
    for name, value in {
        "job_title": "Data Entry Assistant",
        "job_dept": "Data Management Services",
        "company_name": "Museum of Science",
        "assistant_name": "Ann & Co <x> \"q\" 'a'",
        "location": "Floor 3",
        "home_address": {"city": "NY"},
        "office_address": {
            "street": "1 Science Park",
            "city": "Boston",
            "country": "US",
            "state": "MA",
            "zip": "02114",
            "officeDesignation": "B-12",
        },
        "cell_phone_number": "+15551112222",
        "home_phone_number": "007",
        "assistant_phone_number": "+15553334444",
        "fax_number": "+15555556666",
        "did_number": "+15557778888",
        "alternate_im_id": "jd2",
        "email_address": "john.doe@example.com",
        "alternate_email_address": "john@example.net",
        "use_branch_address": True,
        "branch_name": "East",
        "manager": "Big Boss",
        "salutation": "Prof",
        "employee_id": "E-42",
        "twiter_name": "Twitter",
        "linkedin_name": "Linkedin",
        "facebook_name": "Facebook",
        "xing_name": "Xing",
        "timestamp": 1299785283000,
    }.items():
        setattr(profile, name, value)
    profile.save()
    assert get(client, "/my/contact-information", "jdoe").content == golden("contact-full.xml")
    assert get(client, "/my/contact-information", "jdoe", **JSON).content == golden("contact-full.json")


# ---- PUT /my/forward ------------------------------------------------------------------------------


def put(client, path, body, content_type="text/xml", user="alice", pin="1234"):
    return client.put(REST + path, body, content_type=content_type, **basic(user, pin))


def test_put_forward_xml_replaces_rings_in_order(client, alice):
    body = """<call-sequence>
  <rings>
    <ring><expiration>10</expiration><type>At the same time</type><enabled>true</enabled><number>007</number></ring>
    <ring><expiration>40</expiration><type>If no response</type><enabled>false</enabled><number>+4930123</number></ring>
  </rings>
  <expiration>33</expiration>
  <withVoicemail>false</withVoicemail>
</call-sequence>"""
    response = put(client, "/my/forward", body)
    assert (response.status_code, response.content) == (200, b"")
    assert "Content-Type" not in response
    rings = [(r.number, r.expiration, r.type, r.enabled, r.position) for r in alice.rings.all()]
    assert rings == [("007", 10, "At the same time", True, 0), ("+4930123", 40, "If no response", False, 1)]
    alice.refresh_from_db()
    assert alice.call_forward_timer == 33
    assert alice.perm_voicemail is True  # withVoicemail is output only


def test_put_forward_json_spec_sample_and_jettison_forms(client, alice):
    sample = {
        "call-sequence": {
            "rings": [
                {"expiration": 20, "type": "If no response", "enabled": True, "number": "5551234"},
                {"expiration": 30, "type": "At the same time", "enabled": False, "number": "sip:alice@example.com"},
            ],
            "expiration": 15,
        }
    }
    assert put(client, "/my/forward", json.dumps(sample), "application/json").status_code == 200
    assert [r.number for r in alice.rings.all()] == ["5551234", "sip:alice@example.com"]
    jettison = {
        "call-sequence": {
            "rings": {"ring": {"expiration": 5, "type": "If no response", "number": "201"}},
            "expiration": 9,
        }
    }
    assert put(client, "/my/forward", json.dumps(jettison), "application/json").status_code == 200
    ring = alice.rings.get()
    assert (ring.number, ring.expiration, ring.enabled) == ("201", 5, False)  # enabled omitted = disabled


def test_put_forward_without_expiration_keeps_the_timer(client, alice):
    assert put(client, "/my/forward", "<call-sequence><rings/></call-sequence>").status_code == 200
    alice.refresh_from_db()
    assert (alice.call_forward_timer, alice.rings.count()) == (20, 0)


@pytest.mark.parametrize(
    ("body", "content_type", "fragment"),
    [
        ("<call-sequence><rings>", "text/xml", "not well-formed"),
        ("<call-sequence><bogus>1</bogus><expiration>5</expiration></call-sequence>", "text/xml", "bogus"),
        ("<forward><rings/></forward>", "text/xml", "<call-sequence>"),
        ("<call-sequence><expiration>5</expiration></call-sequence>", "text/xml", "rings"),
        ("<call-sequence><rings/><expiration>0</expiration></call-sequence>", "text/xml", "expiration"),
        ("<call-sequence><rings/><expiration>abc</expiration></call-sequence>", "text/xml", "expiration"),
        (
            "<call-sequence><rings><ring><number>1</number><type>sometimes</type></ring></rings></call-sequence>",
            "text/xml",
            "sometimes",
        ),
        ("<call-sequence><rings><ring><number></number></ring></rings></call-sequence>", "text/xml", "number"),
        (
            "<call-sequence><rings><ring><number>1</number><position>0</position></ring></rings></call-sequence>",
            "text/xml",
            "position",
        ),
        ('<!DOCTYPE x [<!ENTITY a "b">]><call-sequence><rings/></call-sequence>', "text/xml", "entities"),
        ('{"call-sequence": {"rings": [], "expiration": 5}', "application/json", "not valid JSON"),
        ('{"forward": {"rings": []}}', "application/json", "call-sequence"),
        ('["call-sequence"]', "application/json", "single key"),
        ('{"call-sequence": {"rings": [{"number": "1", "enabled": "maybe"}]}}', "application/json", "enabled"),
        ('{"call-sequence": {"rings": "x"}}', "application/json", "rings"),
    ],
)
def test_put_forward_bad_bodies_are_400_and_change_nothing(client, alice, body, content_type, fragment):
    before = list(alice.rings.values_list("number", "expiration", "type", "enabled"))
    response = put(client, "/my/forward", body, content_type)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    error = json.loads(response.content)
    assert set(error) == {"error", "type"} and fragment in error["error"]
    assert list(alice.rings.values_list("number", "expiration", "type", "enabled")) == before


def test_put_with_empty_body_is_400_missing_entity(client, alice):
    response = put(client, "/my/forward", "")
    assert response.status_code == 400
    assert "Missing request entity" in json.loads(response.content)["error"]


# What GET /my/forward costs once the credential memo knows the PIN: the login name with its user, the lockout
# read, the user's forwarding settings, the rings. A change that adds a query must say so here.
FORWARD_QUERIES = 4


def test_forward_list_endpoint_keeps_constant_queries(client, make_user):
    counts = []
    for n, name in ((1, "500"), (services.MAX_RINGS, "501")):  # the stored list holds at most MAX_RINGS
        user = make_user(name)
        services.set_forwarding(user, 20, [services.RingData(str(1000 + i)) for i in range(n)])
        rings = json.loads(get(client, "/my/forward", name, HTTP_ACCEPT="application/json").content)
        assert str(1000 + n - 1) in json.dumps(rings)  # the whole list is answered (and the memo is warm)
        counts.append(count_queries(get, client, "/my/forward", name))
    assert counts == [FORWARD_QUERIES, FORWARD_QUERIES]


# ---- PUT /my/contact-information --------------------------------------------------------------------


def test_put_contact_information_spec_sample_replaces_everything(client, alice):
    profile = alice.profile
    profile.salutation, profile.manager, profile.job_dept = "Dr", "Boss", "Old dept"
    profile.save()
    body = """<contact-information>
  <jobTitle>Engineer</jobTitle>
  <companyName>Example Inc</companyName>
  <officeAddress>
    <street>1 Main St</street>
    <city>Boston</city>
    <zip>02114</zip>
  </officeAddress>
  <cellPhoneNumber>+15551112222</cellPhoneNumber>
  <emailAddress>jdoe@example.com</emailAddress>
  <alternateEmailAddress>john@example.net</alternateEmailAddress>
  <firstName>John</firstName>
  <lastName>Doe</lastName>
</contact-information>"""
    response = put(client, "/my/contact-information", body)
    assert (response.status_code, response.content) == (200, b"")
    profile.refresh_from_db()
    alice.refresh_from_db()
    assert profile.job_title == "Engineer" and profile.job_dept is None  # omitted → cleared
    assert profile.office_address == {"street": "1 Main St", "city": "Boston", "zip": "02114"}
    assert profile.cell_phone_number == "+15551112222"
    assert (profile.salutation, profile.manager) == ("Dr", "Boss")  # kept, as sipXconfig did
    assert (alice.first_name, alice.last_name) == ("John", "Doe")
    assert profile.timestamp > 0
    after = get(client, "/my/contact-information")
    assert b"<zip>02114</zip>" in after.content and b"<jobDept>" not in after.content


def test_put_contact_information_roundtrip_of_get(client, alice):
    """What a client GETs it can PUT back unchanged (read-only fields are accepted and ignored)."""
    for accept, content_type in ((XML, "text/xml"), (JSON, "application/json")):
        before = get(client, "/my/contact-information", **accept).content
        assert put(client, "/my/contact-information", before, content_type).status_code == 200
        after = get(client, "/my/contact-information", **accept).content
        assert after.split(b"timestamp")[0] == before.split(b"timestamp")[0]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("<contact-information><emailAddress>not-an-address</emailAddress></contact-information>", "emailAddress"),
        ("<contact-information><homeAddress><planet>Mars</planet></homeAddress></contact-information>", "planet"),
        ("<contact-information><nickname>x</nickname></contact-information>", "nickname"),
        ("<contact-information><useBranchAddress>perhaps</useBranchAddress></contact-information>", "useBranchAddress"),
        ("<contact-information><jobTitle>" + "x" * 300 + "</jobTitle></contact-information>", "jobTitle"),
    ],
)
def test_put_contact_information_bad_values(client, alice, body, fragment):
    response = put(client, "/my/contact-information", body)
    assert response.status_code == 400
    assert fragment in json.loads(response.content)["error"]
    alice.profile.refresh_from_db()
    assert alice.profile.job_title == "Sales Lead"


# ---- PUT /my/voicemail/pin/{pin} (D5) ---------------------------------------------------------------


def test_voicemail_pin_changes_only_the_voicemail_pin(client, alice):
    from django.contrib.auth.hashers import check_password

    response = client.put(REST + "/my/voicemail/pin/8642", "+", content_type="text/plain", **basic("alice", "1234"))
    assert (response.status_code, response.content) == (200, b"")
    alice.refresh_from_db()
    assert check_password("8642", alice.voicemail_pin_hash)
    assert "8642" not in alice.voicemail_pin_hash
    assert get(client, "/my/logindetails").status_code == 200  # the portal PIN still works


def test_voicemail_pin_accepts_an_empty_body(client, alice):
    response = client.put(REST + "/my/voicemail/pin/13579", "", content_type="text/plain", **basic("alice", "1234"))
    assert response.status_code == 200


@pytest.mark.parametrize("pin", ["12", "123", "12345678901", "12a4", "1111", "200", "0000000", "１２３４"])
def test_voicemail_pin_rules(client, alice, pin):
    alice.voicemail_pin_hash = "unchanged"
    alice.save()
    response = client.put(REST + f"/my/voicemail/pin/{pin}", "+", content_type="text/plain", **basic("alice", "1234"))
    assert response.status_code == 400
    message = json.loads(response.content)["error"]
    assert pin not in message
    alice.refresh_from_db()
    assert alice.voicemail_pin_hash == "unchanged"


def test_voicemail_pin_may_not_be_an_alias(client, make_user):
    make_user("600", aliases=["4711"])
    response = client.put(REST + "/my/voicemail/pin/4711", "+", content_type="text/plain", **basic("600", "1234"))
    assert response.status_code == 400


def test_voicemail_pin_is_redacted_from_django_logs(client, alice, caplog):
    import logging

    from sipxweb.logredact import RedactSecretsFilter

    caplog.handler.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO):
        client.put(REST + "/my/voicemail/pin/987", "+", content_type="text/plain", **basic("alice", "1234"))
    assert caplog.records, "a 400 is logged"
    assert "987" not in caplog.text and "[redacted]" in caplog.text


# ---- methods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("post", "/my/forward", {"GET", "PUT"}),
        ("delete", "/my/forward", {"GET", "PUT"}),
        ("post", "/my/contact-information", {"GET", "PUT"}),
        ("delete", "/my/contact-information", {"GET", "PUT"}),
        ("put", "/my/logindetails", {"GET"}),
        ("get", "/my/voicemail/pin/1357", {"PUT"}),
        ("delete", "/my/voicemail/pin/1357", {"PUT"}),
    ],
)
def test_unsupported_methods_are_405_with_allow(client, alice, method, path, allow):
    response = getattr(client, method)(REST + path, **basic("alice", "1234"))
    assert response.status_code == 405
    assert allow <= {m.strip() for m in response["Allow"].split(",")}
    assert json.loads(response.content)["type"] == "method_not_allowed"


def test_head_is_get_without_body(client, alice):
    response = client.head(REST + "/my/logindetails", **basic("alice", "1234"))
    assert response.status_code == 200 and response.content == b""
