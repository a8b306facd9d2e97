"""The portal PIN policy (services.pin_rule, docs/operations.md "The portal PIN policy") on every path that sets a
portal PIN: the portal's Change PIN page (current PIN through the login's lockout, the session kept, Digest at once),
the admin's user form, the admin JSON API; the PBX data file restores clear PINs as written (the demo's `1234`)."""

import json

import pytest
from django.test import Client
from django.urls import reverse, reverse_lazy

from apps.pbxdata.document import validate_document
from apps.users import services
from apps.users.models import User
from tests.conftest import REST, basic
from tests.users.test_authentication import challenge, digest_header

URI = REST + "/my/logindetails"
CHANGE = reverse_lazy("portal:portal_pin")  # looked up when used: a tree without the page fails its tests, not the file

# (what, PIN): each refused by the policy for alice (user name 200, alias alice, IM id alice.im).
WEAK = [
    ("too short", "1"),
    ("three characters", "135"),
    ("one digit repeated", "1111"),
    ("one letter repeated", "zzzzzz"),
    ("digits up", "1234"),
    ("digits down", "4321"),
    ("digits up through 0", "7890"),
    ("the extension", "200"),
    ("an alias, in another case", "ALICE"),
    ("the IM id", "alice.im"),
    ("the demo's admin PIN", "admin1234"),
]


@pytest.fixture
def alice(make_user):
    return make_user("200", aliases=["alice"], first_name="Alice", im_id="alice.im", im_enabled=True)


@pytest.fixture
def logged_in(client, alice):
    """Alice logged in through the login form with her PIN, as she would."""
    assert client.post("/login/", {"username": "alice", "password": "1234"}).status_code == 302
    return client


def change(client, current, new, again=None):
    return client.post(CHANGE, {"current_pin": current, "pin": new, "confirm_pin": new if again is None else again})


def test_change_pin_keeps_the_session_and_works_everywhere_at_once(logged_in, alice):
    page = logged_in.get(CHANGE).content.decode()
    assert "Current PIN" in page and "New PIN again" in page and services.PIN_RULE in page
    response = change(logged_in, "1234", "5812")
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert "Your portal PIN was changed" in logged_in.get(CHANGE).content.decode()
    assert logged_in.get(reverse("portal:home")).status_code == 200  # still logged in (update_session_auth_hash)
    app = Client()  # a REST client of hers, without the session
    assert app.get(URI, **basic("alice", "5812")).status_code == 200
    assert app.get(URI, **basic("alice", "1234")).status_code == 401
    nonce = challenge(app)["nonce"]  # every login name's HA1 follows the new PIN
    assert app.get(URI, **digest_header("alice", "5812", nonce)).status_code == 200
    assert app.get(URI, **digest_header("alice.im", "5812", nonce, nc="00000002")).status_code == 200


def test_the_portal_home_and_login_details_lead_to_it(logged_in):
    for page in (reverse("portal:home"), reverse("portal:login_details")):
        assert f'href="{CHANGE}"' in logged_in.get(page).content.decode()


@pytest.mark.parametrize("pin", [pin for _, pin in WEAK], ids=[what for what, _ in WEAK])
def test_a_weak_new_pin_is_refused_and_nothing_changes(logged_in, alice, pin):
    response = change(logged_in, "1234", pin)
    assert response.status_code == 200
    assert response.context["form"].errors["pin"] == [services.pin_rule(pin, ["200", "alice", "alice.im"])]
    assert User.objects.get(pk=alice.pk).check_password("1234")


def test_the_new_pin_twice_and_different_from_the_old(logged_in, alice):
    response = change(logged_in, "1234", "5812", "5813")
    assert response.context["form"].errors["confirm_pin"] == ["The two new PINs differ."]
    response = change(logged_in, "1234", "1234")  # the demo's PIN is a run: the policy speaks first
    assert "pin" in response.context["form"].errors
    services.set_portal_pin(alice, "5812")
    logged_in.force_login(User.objects.get(pk=alice.pk))
    response = change(logged_in, "5812", "5812")
    assert response.context["form"].errors["pin"] == ["The new PIN is the one you have now."]


def test_a_wrong_current_pin_is_refused_and_counted_by_the_login_lockout(logged_in, alice, settings):
    settings.LOCKOUT_MAX_PER_NAME = 3
    for _ in range(3):
        response = change(logged_in, "9999", "5812")
        assert response.context["form"].errors["current_pin"] == ["That is not your current PIN."]
    response = change(logged_in, "1234", "5812")  # locked: even the right PIN is not checked
    assert response.status_code == 200 and "Too many wrong PINs" in response.content.decode()
    assert User.objects.get(pk=alice.pk).check_password("1234")
    # The same account and address as the login and the REST API: they are locked too.
    assert logged_in.get(URI, **basic("alice", "1234")).status_code == 429
    assert logged_in.get(URI, REMOTE_ADDR="10.9.9.9", **basic("alice", "1234")).status_code == 200


def test_no_pin_typed_is_echoed(logged_in):
    page = change(logged_in, "9753", "8642", "8643").content.decode()
    assert "9753" not in page and "8642" not in page and "8643" not in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---- the admin's user form and the admin JSON API ---------------------------------------------------------------


def test_the_user_form_refuses_a_weak_pin(admin_client, alice):
    """The issue's case: the admin form took a portal PIN of `1`."""
    url = reverse("users:user_edit", args=[alice.pk])
    form = {"username": "200", "aliases": "alice", "im_id": "alice.im", "im_enabled": "on", "is_active": "on"}
    for pin in ("1", "1111", "alice"):
        response = admin_client.post(url, {**form, "pin": pin})
        assert response.status_code == 200 and "pin" in response.context["form"].errors
    response = admin_client.post(reverse("users:user_add"), {"username": "3001", "pin": "3001", "is_active": "on"})
    assert response.context["form"].errors["pin"] == ["A portal PIN may not be your own extension, alias or IM id."]
    assert not User.objects.filter(username="3001").exists()
    assert User.objects.get(pk=alice.pk).check_password("1234")
    assert admin_client.post(url, {**form, "pin": "5812"}).status_code == 302
    assert User.objects.get(pk=alice.pk).check_password("5812")


def test_an_admin_changing_their_own_pin_stays_logged_in(admin_client, admin_user):
    url = reverse("users:user_edit", args=[admin_user.pk])
    response = admin_client.post(url, {"username": "superadmin", "is_admin": "on", "is_active": "on", "pin": "1"})
    assert response.status_code == 200 and "pin" in response.context["form"].errors
    response = admin_client.post(url, {"username": "superadmin", "is_admin": "on", "is_active": "on", "pin": "7wq!x"})
    assert response.status_code == 302
    assert admin_client.get(reverse("users:user_list")).status_code == 200


def api(client, method, path, body):
    return client.generic(
        method, "/api/v1" + path, json.dumps(body), "application/json", **basic("superadmin", "admin1234")
    )


@pytest.mark.parametrize("pin", ["1", "1234", "2222", "zedz"])
def test_the_admin_api_refuses_a_weak_pin(client, admin_user, alice, pin):
    response = api(client, "POST", "/users", {"userName": "300", "aliases": ["zedz"], "pin": pin})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["pin"]
    assert not User.objects.filter(username="300").exists()
    response = client.generic(
        "PATCH",
        "/api/v1/users/200",
        json.dumps({"pin": {"zedz": "ALICE"}.get(pin, pin)}),  # her own alias, for alice
        "application/json",
        HTTP_IF_MATCH=client.get("/api/v1/users/200", **basic("superadmin", "admin1234"))["ETag"],
        **basic("superadmin", "admin1234"),
    )
    assert response.status_code == 400 and "pin" in response.json()["fields"]
    assert User.objects.get(pk=alice.pk).check_password("1234")


def test_stored_pins_stay_valid(client, admin_user, alice):
    """The policy judges a PIN being set, never one stored: alice's 1234 (the demo's) still logs in, and changes
    that do not give a PIN keep it."""
    assert client.get(URI, **basic("alice", "1234")).status_code == 200
    tag = client.get("/api/v1/users/200", **basic("superadmin", "admin1234"))["ETag"]
    response = client.generic(
        "PATCH",
        "/api/v1/users/200",
        json.dumps({"lastName": "Smith"}),
        "application/json",
        HTTP_IF_MATCH=tag,
        **basic("superadmin", "admin1234"),
    )
    assert response.status_code == 200, response.content
    assert client.get(URI, **basic("alice", "1234")).status_code == 200


# ---- the PBX data file -------------------------------------------------------------------------------------------


def test_the_data_file_restores_clear_pins_as_written(settings):
    """The documented exception: the demo file's PINs break the policy, and the file must load as it is."""
    demo = json.loads((settings.BASE_DIR / "apps/pbxdata/demo/demo-pbx.json").read_text())
    pins = {u["userName"]: u["pin"] for u in demo["users"] if "pin" in u}
    assert pins and all(services.pin_rule(pin) for pin in pins.values())  # every one refused by the policy...
    assert all(services.pin_rule(pin, policy=False) is None for pin in pins.values())  # ...and restored as given
    validate_document(demo)  # the whole demo file passes the file's rules


# ---- manage.py createsuperuser --------------------------------------------------------------------------------


def test_createsuperuser_stores_the_pin_hashed(db, monkeypatch):
    """Django's command passes the PIN as `password`: it used to land in the hash column in clear (no login)."""
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "7wq!x-boss")
    call_command("createsuperuser", "--noinput", "--username", "boss")
    boss = User.objects.get(username="boss")
    assert boss.is_admin and boss.password != "7wq!x-boss" and boss.check_password("7wq!x-boss")
    assert Client().get(URI, **basic("boss", "7wq!x-boss")).status_code == 200


def test_createsuperuser_asks_again_for_a_weak_pin(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="run of digits"):
        validate_password("1234", User(username="boss"))
    with pytest.raises(ValidationError, match="your own extension"):
        validate_password("boss", User(username="boss"))
    validate_password("7wq!x-boss", User(username="boss"))
