"""import_pbx / export_pbx: one transaction, merge by natural key or --replace, exact round trip, 0600 files,
and a number of queries that does not grow with the number of users."""

import hashlib
import io
import json
import os
import stat

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command

from apps.pbxdata.document import Progress, terminal
from apps.users import services
from apps.users.models import LoginName, User, UserGroup
from tests.conftest import count_queries
from tests.pbxdata.helpers import doc, export, export_text


def ha1(name, pin="1234"):
    return hashlib.md5(f"{name}:example.org:{pin}".encode()).hexdigest()


def snapshot():
    return export_text()


@pytest.fixture
def rich_pbx(alice, admin_user, make_user):
    """Users with every kind of value the file can hold."""
    sales, _ = UserGroup.objects.get_or_create(name="sales", defaults={"description": "Sales team"})
    UserGroup.objects.create(name="empty")
    alice.groups.add(sales)
    alice.im_display_name = ""
    alice.perm_attendant_admin = True
    alice.save()
    services.set_voicemail_pin(alice, "2580")
    profile = alice.profile
    profile.job_dept = ""  # an empty string is a value, distinct from "not set"
    profile.home_address = {"street": "1 Main St", "zip": "02110", "officeDesignation": "B2"}
    profile.salutation, profile.use_branch_address, profile.twiter_name = "Prof", True, "@alice"
    profile.manager, profile.employee_id, profile.xing_name = "Dana", "E-17", "Ünïcødé"
    profile.save()
    bob = make_user("201", aliases=["bob", "robert"], first_name="Bob", perm_voicemail=False)
    bob.groups.add(sales)
    services.set_forwarding(bob, 45, [])
    nopin = services.create_user(username="202", pin=None)  # no portal PIN at all
    return {"alice": alice, "bob": bob, "nopin": nopin}


def test_round_trip_export_import_replace_export_is_identical(rich_pbx, tmp_path):
    first = snapshot()
    data = json.loads(first)
    alice = next(u for u in data["users"] if u["userName"] == "200")
    assert alice["contactInformation"]["jobDept"] == ""
    assert alice["digestHa1"] == {"200": ha1("200"), "alice": ha1("alice")}
    assert "pin" not in alice and alice["pinHash"].startswith("md5$")
    assert next(u for u in data["users"] if u["userName"] == "202").get("pinHash") is None

    path = tmp_path / "pbx.json"
    call_command("export_pbx", str(path))
    assert path.read_text() == first
    call_command("import_pbx", str(path), "--replace", stdout=io.StringIO())
    assert snapshot() == first
    call_command("import_pbx", str(path), stdout=io.StringIO())  # merge onto itself: no change
    assert snapshot() == first


def test_export_is_deterministic_and_omits_defaults(import_file):
    import_file(
        doc(users=[{"userName": "b"}, {"userName": "a", "groups": ["z", "y"]}], groups=[{"name": "z"}, {"name": "y"}])
    )
    data = export()
    # Sections in SECTIONS order; empty ones left out (the two system attendants always exist, the dial plan and the
    # provisioning credential are always written).
    assert list(data) == [
        "format",
        "version",
        "domain",
        "groups",
        "users",
        "provisioning",
        "autoAttendants",
        "dialPlan",
    ]
    assert data["dialPlan"] == {"attendant": [], "voicemail": []}
    assert [g["name"] for g in data["groups"]] == ["y", "z"]
    assert [u["userName"] for u in data["users"]] == ["a", "b"]
    assert data["users"][0]["groups"] == ["y", "z"]
    assert list(data["users"][1]) == ["userName", "permissions", "feedKey", "language"]  # language: always written
    assert data["domain"] == {"name": "example.org", "realm": "example.org"}


def test_clear_pin_is_hashed_and_stored_forms_are_kept(import_file, client):
    import_file(
        doc(
            users=[
                {"userName": "300", "aliases": ["carl"], "pin": "4321", "voicemailPin": "9876"},
                {"userName": "301", "pinHash": make_password("5555"), "digestHa1": {"301": ha1("301", "5555")}},
            ]
        )
    )
    carl = User.objects.get(username="300")
    assert carl.check_password("4321") and carl.voicemail_pin_hash != "9876"
    assert {n.name: n.digest_ha1 for n in carl.login_names.all()} == {
        "300": ha1("300", "4321"),
        "carl": ha1("carl", "4321"),
    }
    other = User.objects.get(username="301")
    assert other.check_password("5555")
    assert other.login_names.get().digest_ha1 == ha1("301", "5555")


def test_merge_updates_by_name_and_keeps_others(import_file, alice, make_user):
    make_user("999", first_name="Untouched")
    feed_key = alice.feed_key
    import_file(
        doc(
            groups=[{"name": "sales", "description": "New"}],
            users=[{"userName": "200", "firstName": "Alicia", "groups": ["sales"]}],
        )
    )
    alice.refresh_from_db()
    assert alice.first_name == "Alicia" and alice.last_name == ""  # absent keys mean their default
    assert alice.aliases == [] and alice.rings.count() == 0 and alice.profile.job_title is None
    assert alice.feed_key == feed_key  # kept: regenerating would break the private URLs
    assert [g.name for g in alice.groups.all()] == ["sales"]
    assert User.objects.get(username="999").first_name == "Untouched"
    import_file(doc(groups=[{"name": "sales", "description": "Newer"}]))
    assert UserGroup.objects.get().description == "Newer"


def test_users_may_name_existing_groups_without_a_groups_section(import_file):
    UserGroup.objects.create(name="ops")
    import_file(doc(users=[{"userName": "300", "groups": ["ops"]}]))
    assert User.objects.get(username="300").groups.get().name == "ops"


def test_replace_empties_the_tables_first(import_file, alice, admin_user):
    UserGroup.objects.create(name="old")
    import_file(doc(users=[{"userName": "300"}]), "--replace")
    assert list(User.objects.values_list("username", flat=True)) == ["300"]
    assert not UserGroup.objects.exists()
    assert list(LoginName.objects.values_list("name", flat=True)) == ["300"]


def test_merge_refuses_a_name_of_a_user_not_in_the_file(import_file, alice):
    with pytest.raises(CommandError, match=r'users\[0\].aliases\[0\]: "ALICE" is already the user name or an alias of'):
        import_file(doc(users=[{"userName": "300", "aliases": ["ALICE"]}]))
    with pytest.raises(CommandError, match=r"users\[0\].feedKey: is already the feed key of user \"200\""):
        import_file(doc(users=[{"userName": "300", "feedKey": alice.feed_key}]))
    import_file(doc(users=[{"userName": "300", "aliases": ["alice"]}, {"userName": "200", "aliases": []}]))
    assert User.objects.get(username="300").aliases == ["alice"]


@pytest.mark.parametrize("replace", [(), ("--replace",)])
def test_all_or_nothing_a_bad_user_at_the_end_changes_nothing(import_file, rich_pbx, replace):
    before = snapshot()
    good = [{"userName": str(400 + i), "pin": "1234", "groups": ["g"]} for i in range(50)]
    bad = {"userName": "499", "groups": ["no-such-group"]}  # only found while loading, after the writes began
    with pytest.raises(CommandError, match=r'users\[50\].groups\[0\]: there is no group "no-such-group"'):
        import_file(doc(groups=[{"name": "g"}], users=[*good, bad]), *replace)
    assert snapshot() == before
    with pytest.raises(CommandError, match=r"users\[50\].callForwarding.rings\[0\].type"):
        import_file(
            doc(users=[*good, {"userName": "499", "callForwarding": {"rings": [{"number": "1", "type": "x"}]}}])
        )
    assert snapshot() == before


def test_command_reports_a_bad_file(tmp_path, db):
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="bad.json: not a valid JSON document"):
        call_command("import_pbx", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_pbx", str(tmp_path / "missing.json"))


def test_import_reports_what_it_did(import_file):
    out = import_file(doc(groups=[{"name": "g"}], users=[{"userName": "1"}, {"userName": "2"}]), "--replace")
    assert out.strip().startswith("Imported 1 groups, 2 users from") and "(replaced)" in out


def test_export_file_is_private(tmp_path, alice):
    path = tmp_path / "pbx.json"
    path.write_text("old")
    path.chmod(0o644)
    call_command("export_pbx", str(path), stderr=io.StringIO())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["users"][0]["sipPassword"] == "alicesip200"
    assert [p.name for p in tmp_path.iterdir()] == ["pbx.json"]  # no temporary file left behind


def test_export_to_stdout_has_no_clear_pin(alice):
    text = export_text()
    assert '"pin"' not in text and '"voicemailPin"' not in text
    assert json.loads(text)["users"][0]["feedKey"] == alice.feed_key


def users_doc(n: int) -> dict:
    pin_hash = make_password("1234")
    return doc(
        groups=[{"name": "all"}],
        users=[
            {
                "userName": str(10000 + i),
                "aliases": [f"user{i}"],
                "firstName": "First",
                "pinHash": pin_hash,
                "digestHa1": {str(10000 + i): ha1(str(10000 + i))},
                "groups": ["all"],
                "contactInformation": {"jobTitle": "x", "officeAddress": {"city": "Boston"}},
                "callForwarding": {"rings": [{"number": "5551234"}]},
            }
            for i in range(n)
        ],
    )


def test_query_count_does_not_grow_with_users(import_file):
    """New users: the same queries for 10 as for 200 (bulk inserts; pinHash stored as given)."""
    small = count_queries(import_file, users_doc(10), "--replace")
    import_file(doc(), "--replace")
    large = count_queries(import_file, users_doc(200), "--replace")
    assert small == large
    assert User.objects.count() == 200
    assert export()["users"][199]["callForwarding"]["rings"][0]["number"] == "5551234"


def test_query_count_does_not_grow_when_users_exist(import_file):
    """Merging over existing users (updates) is flat too. (--replace over existing users deletes them with
    Django's cascading collector, which works in batches of 100 rows so that other apps' rows go too.)"""
    import_file(users_doc(10), "--replace")
    small = count_queries(import_file, users_doc(10))
    import_file(users_doc(200), "--replace")
    large = count_queries(import_file, users_doc(200))
    assert small == large


def test_export_query_count_does_not_grow(import_file):
    import_file(users_doc(10), "--replace")
    small = count_queries(export)
    import_file(users_doc(200), "--replace")
    assert count_queries(export) == small
    assert len(export()["users"]) == 200


def test_progress_bar_only_on_a_terminal():
    stream = io.StringIO()
    assert terminal(stream) is None
    bar = Progress(stream)
    bar.stage("users", 4)
    bar.step(4)
    bar.finish()
    assert "[##############################] 4/4" in stream.getvalue()
    silent = Progress(None)
    silent.stage("users", 4)
    silent.step()
    silent.finish()
