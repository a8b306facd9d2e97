"""The validator names the first offending path; unknown keys, bad types and clashes are errors."""

import pytest

from apps.pbxdata.document import validate_document
from apps.pbxdata.schema import PbxDataError, parse_json
from tests.pbxdata.helpers import doc

HA1 = "0123456789abcdef0123456789abcdef"


def users(*items):
    """A document with users 200, 201, ... each with the extra keys of `items`."""
    return doc(users=[{"userName": str(200 + i), **item} for i, item in enumerate(items)])


def error(document) -> str:
    with pytest.raises(PbxDataError) as exc:
        validate_document(document)
    return str(exc.value)


def test_a_good_document_is_returned_with_defaults():
    cleaned = validate_document(users({"aliases": ["alice"], "callForwarding": {"rings": [{"number": "1"}]}}))
    user = cleaned["users"][0]
    assert user["firstName"] == "" and user["permissions"] == ["voicemail"] and user["pin"] is None
    assert user["callForwarding"] == {
        "expiration": 20,
        "rings": [{"number": "1", "expiration": 30, "type": "If no response", "enabled": True}],
    }


def test_bad_ring_type_names_the_full_path():
    ring = {"number": "1", "type": "sometimes"}
    document = users({}, {}, {}, {"callForwarding": {"rings": [ring]}})
    assert error(document) == (
        'users[3].callForwarding.rings[0].type: "sometimes" is not one of "If no response", "At the same time"'
    )


@pytest.mark.parametrize(
    "document, expected",
    [
        ({"version": 1}, "format: is required"),
        ({"format": "sipxweb-pbx"}, "version: is required"),
        (doc(format="other"), 'format: expected "sipxweb-pbx", not "other"'),
        (doc(version=2), "version: expected 1, not 2"),
        (doc(version="1"), 'version: expected 1, not "1"'),
        (doc(version=True), "version: expected 1, not true"),
        ([], "expected an object, not a list"),
        (doc(user=[]), 'user: unknown key (did you mean "users"?)'),
        (doc(zzz=1), "zzz: unknown key; expected some of: format, version, domain, settings, groups, users"),
        (doc(users={}), "users: expected a list, not an object"),
        (doc(users=[{}]), "users[0].userName: is required"),
        (doc(users=[{"userName": 200}]), "users[0].userName: expected a string, not a number"),
        (doc(users=[{"userName": ""}]), "users[0].userName: may not be empty"),
        (doc(users=[{"userName": "a b"}]), "users[0].userName: \"a b\" may not contain spaces or '@'"),
        (users({"frstName": "A"}), 'users[0].frstName: unknown key (did you mean "firstName"?)'),
        (users({"admin": "yes"}), 'users[0].admin: expected true or false, not a string "yes"'),
        (users({"aliases": "alice"}), "users[0].aliases: expected a list, not a string"),
        (users({"aliases": ["alice", "Alice"]}), 'users[0].aliases[1]: alias "Alice" is listed twice'),
        (users({"aliases": ["200"]}), 'users[0].aliases[0]: "200" is listed twice for this user (names ignore case)'),
        (users({"permissions": ["voicemail", "root"]}), 'users[0].permissions[1]: "root" is not one of'),
        (users({"groups": ["sales", "sales"]}), 'users[0].groups[1]: group "sales" is listed twice'),
        (users({"imDisplayName": 5}), "users[0].imDisplayName: expected a string or null, not a number"),
        (users({"feedKey": "xyz"}), 'users[0].feedKey: "xyz" is not of the form [0-9a-f]{32}'),
        (users({"pin": "1", "pinHash": "md5$a$b"}), "users[0].pinHash: give either pin (clear) or pinHash"),
        (users({"pinHash": "nonsense"}), "users[0].pinHash: is not a PIN hash this server understands"),
        (users({"pin": "1", "digestHa1": {"200": HA1}}), "users[0].digestHa1: is computed from pin"),
        (users({"digestHa1": {"bob": HA1}}), 'users[0].digestHa1.bob: "bob" is not a login name of this user'),
        (users({"digestHa1": {"200": "xyz"}}), 'users[0].digestHa1.200: "xyz" is not of the form'),
        (users({"voicemailPin": "12"}), "users[0].voicemailPin: A voicemail PIN is 4 to 10 digits"),
        (users({"voicemailPin": "200"}), "users[0].voicemailPin: A voicemail PIN is 4 to 10 digits"),
        (users({"voicemailPin": "1111"}), "users[0].voicemailPin: A voicemail PIN may not repeat one digit only."),
        (
            users({"aliases": ["2580"], "voicemailPin": "2580"}),
            "users[0].voicemailPin: A voicemail PIN may not be your own extension.",
        ),
        (
            users({"callForwarding": {"expiration": "20"}}),
            "callForwarding.expiration: expected a whole number, not a s",
        ),
        (
            users({"callForwarding": {"expiration": 0}}),
            "users[0].callForwarding.expiration: 0 is not between 1 and 999",
        ),
        (users({"callForwarding": {"rings": [{}]}}), "users[0].callForwarding.rings[0].number: is required"),
        (
            users({"callForwarding": {"rings": [{"number": "1", "enabled": 1}]}}),
            "users[0].callForwarding.rings[0].enabled: expected true or false, not a number 1",
        ),
        (
            users({"contactInformation": {"jobtitle": "x"}}),
            'contactInformation.jobtitle: unknown key (did you mean "jobTitle"?)',
        ),
        (
            users({"contactInformation": {"officeAddress": {"town": "x"}}}),
            "users[0].contactInformation.officeAddress.town: unknown key",
        ),
        (
            users({"contactInformation": {"salutation": "Sir"}}),
            'users[0].contactInformation.salutation: "Sir" is not one of',
        ),
        (
            users({"contactInformation": {"useBranchAddress": "no"}}),
            "contactInformation.useBranchAddress: expected true",
        ),
        (users({"activeGreeting": "loud"}), 'users[0].activeGreeting: "loud" is not one of "none", "standard"'),
        (users({"privatePhonebook": {"entries": [{}]}}), "users[0].privatePhonebook.entries[0].number: is required"),
        (users({"privatePhonebook": {"showOnPhone": "yes"}}), "users[0].privatePhonebook.showOnPhone: expected true"),
        (doc(groups=[{"description": "x"}]), "groups[0].name: is required"),
        (doc(groups=[{"name": "a"}, {"name": "a"}]), 'groups[1]: group "a" is listed twice'),
        (doc(settings={"phonebookEveryone": "yes"}), "settings.phonebookEveryone: expected true or false"),
        (doc(settings={"googleDomain": 5}), "settings.googleDomain: expected a string"),
        (doc(phonebooks=[{"name": "a"}, {"name": "a"}]), 'phonebooks[1]: phonebook "a" is listed twice'),
        (doc(phonebooks=[{"name": "a", "entries": [{"number": ""}]}]), "phonebooks[0].entries[0].number: it has no"),
        (doc(settings={"everyone": True}), "settings.everyone: unknown key"),
        (doc(domain={"name": "other.org"}), 'domain.name: the file is for domain "other.org"'),
        (doc(domain={"realm": "other.org"}), "domain.realm: the file is for realm"),
        (doc(domain={"nam": "example.org"}), "domain.nam: unknown key"),
    ],
)
def test_errors_name_the_path(document, expected):
    assert expected in error(document)


def test_domain_mismatch_says_which_variable_to_set():
    assert "set the SIPX_DOMAIN environment variable" in error(doc(domain={"name": "other.org"}))
    assert "set the SIPX_REALM environment variable" in error(doc(domain={"realm": "other.org"}))
    validate_document(doc(domain={"name": "EXAMPLE.org", "realm": "example.org"}))


def test_domain_comes_from_settings(settings):
    settings.SIPX_DOMAIN = settings.SIPX_REALM = "pbx.example.net"
    validate_document(doc(domain={"name": "pbx.example.net", "realm": "pbx.example.net"}))
    assert "domain.name" in error(doc(domain={"name": "example.org"}))


@pytest.mark.parametrize(
    "items, expected",
    [
        (
            [{"userName": "200"}, {"userName": "200"}],
            'users[1].userName: "200" is already the user name or an alias of users[0]',
        ),
        (
            [{"userName": "alice"}, {"userName": "ALICE"}],
            'users[1].userName: "ALICE" is already the user name or an alias of users[0]',
        ),
        (
            [{"userName": "200", "aliases": ["alice"]}, {"userName": "Alice"}],
            'users[1].userName: "Alice" is already the user name or an alias of users[0]',
        ),
        (
            [{"userName": "200", "aliases": ["alice"]}, {"userName": "201", "aliases": ["bob", "alice"]}],
            'users[1].aliases[1]: "alice" is already the user name or an alias of users[0]',
        ),
        (
            [{"userName": "200"}, {"userName": "201", "aliases": ["200"]}],
            'users[1].aliases[0]: "200" is already the user name or an alias of users[0]',
        ),
        (
            [{"userName": "200", "feedKey": "a" * 32}, {"userName": "201", "feedKey": "a" * 32}],
            "users[1].feedKey: is already the feed key of users[0]",
        ),
    ],
)
def test_names_are_unique_across_users(items, expected):
    assert error(doc(users=items)) == expected


def test_im_id_may_repeat_an_alias():
    user = validate_document(users({"aliases": ["alice"], "imId": "alice", "imEnabled": True}))["users"][0]
    assert (user["aliases"], user["imId"], user["imEnabled"]) == (["alice"], "alice", True)


def test_a_key_given_twice_is_an_error():
    document = parse_json('{"format": "sipxweb-pbx", "version": 1, "users": [{"userName": "200", "userName": "201"}]}')
    assert error(document) == "users[0].userName: this key is given twice in the same object"


def test_invalid_json_is_reported():
    with pytest.raises(PbxDataError, match="not a valid JSON document: Expecting"):
        parse_json('{"format": ')


def test_first_offending_path_wins():
    document = users({"admin": "yes"}, {"callForwarding": {"rings": [{"number": "1", "type": "x"}]}})
    assert error(document).startswith("users[0].admin:")
