"""The server-rendered pages: rendering, permissions, create/edit/delete flows, secrets kept out of the HTML,
and a constant number of SQL queries on the list pages."""

import re

import pytest
from django.urls import reverse

from apps.users import services
from apps.users.models import User, UserGroup
from tests.conftest import count_queries

SECRETS = ("alicesip200", "2580", "864209")


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The manifest storage of settings.py needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def bob(make_user):
    return make_user("201", aliases=["bob"], first_name="Bob", last_name="Jones", sip_password="bobsip201")


@pytest.fixture
def alice_client(client, alice):
    services.set_voicemail_pin(alice, "2580")
    services.set_portal_pin(alice, "864209")
    client.force_login(alice)
    return client


def html(response) -> str:
    return response.content.decode()


ADMIN_PAGES = ["users:user_list", "users:user_add", "users:group_list", "users:group_add"]
PORTAL_PAGES = ["portal:home", "portal:contact", "portal:forward", "portal:voicemail_pin", "portal:login_details"]


# --- rendering and permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ADMIN_PAGES + PORTAL_PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_non_admin_gets_403_on_admin_pages(alice_client, name):
    assert alice_client.get(reverse(name)).status_code == 403


def test_non_admin_gets_403_on_object_pages(alice_client, bob):
    group = UserGroup.objects.create(name="sales")
    for url in (
        reverse("users:user_edit", args=[bob.pk]),
        reverse("users:user_delete", args=[bob.pk]),
        reverse("users:group_edit", args=[group.pk]),
        reverse("users:group_delete", args=[group.pk]),
    ):
        assert alice_client.get(url).status_code == 403
        assert alice_client.post(url, {}).status_code == 403
    assert User.objects.filter(pk=bob.pk).exists() and UserGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize("name", ADMIN_PAGES + PORTAL_PAGES)
def test_admin_pages_render(admin_client, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    page = html(response)
    assert "sipxweb" in page and 'href="/api/docs/"' in page and ">Users<" in page and ">Groups<" in page
    assert 'action="/logout/"' in page


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_portal_pages_render_for_a_user(alice_client, name):
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    page = html(response)
    for link in ("My contact information", "My call forwarding", "Voicemail PIN", "Login details"):
        assert link in page
    assert 'href="/api/docs/"' not in page and 'href="/users/"' not in page
    for secret in SECRETS:
        assert secret not in page


def test_home_by_role(client, alice, admin_user):
    client.force_login(alice)
    assert client.get("/")["Location"] == reverse("portal:home")
    client.force_login(admin_user)
    response = client.get("/")  # an administrator's home is the PBX's overview (tests/floor/test_home_pages.py)
    assert response.status_code == 200 and "The PBX at a glance" in html(response)


def test_login_page_and_wrong_pin(client, alice):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "9999"})
    assert response.status_code == 200
    assert "Wrong user name or PIN" in html(response)
    assert 'value="alice"' in html(response)
    response = client.post(reverse("login"), {"username": "alice", "password": "1234"})
    assert response.status_code == 302


def test_logout_is_a_post(alice_client):
    assert alice_client.post(reverse("logout")).status_code == 302
    assert alice_client.get(reverse("portal:home")).status_code == 302


# --- admin: users ---------------------------------------------------------------------------------------


def test_user_list_shows_users_and_searches(admin_client, alice, bob):
    page = html(admin_client.get(reverse("users:user_list")))
    assert "200" in page and "alice" in page and "201" in page
    for q, present, absent in (("alice", "Alice", "Bob"), ("Jones", "Bob", "Alice"), ("bo", "Bob", "Alice")):
        page = html(admin_client.get(reverse("users:user_list"), {"q": q}))
        assert present in page and absent not in page
    for secret in SECRETS:
        assert secret not in html(admin_client.get(reverse("users:user_list")))


def test_user_list_filters(admin_client, alice, bob, make_user):
    sales = UserGroup.objects.create(name="sales")
    alice.groups.add(sales)
    bob.perm_voicemail = False
    bob.save()
    make_user("203", first_name="Dave", is_active=False, perm_attendant_admin=True)
    url = reverse("users:user_list")

    def names(params):
        return [u.username for u in admin_client.get(url, params).context["object_list"]]

    assert names({"group": sales.name}) == ["200"]
    assert names({"permission": "voicemail"}) == ["200", "203", "superadmin"]
    assert names({"permission": "attendant-admin"}) == ["203"]
    assert names({"admin": "true"}) == ["superadmin"]
    assert names({"enabled": "false"}) == ["203"]
    assert names({"enabled": "true", "admin": "false"}) == ["200", "201"]


def test_user_list_paginates(admin_client, make_user):
    for i in range(30):
        make_user(f"{300 + i}")
    response = admin_client.get(reverse("users:user_list"), {"q": "3"})
    assert len(response.context["object_list"]) == 25
    assert "page=2" in html(response) and "q=3" in html(response)
    assert len(admin_client.get(reverse("users:user_list"), {"q": "3", "page": 2}).context["object_list"]) == 5


def test_create_user(admin_client):
    sales = UserGroup.objects.create(name="sales")
    response = admin_client.post(
        reverse("users:user_add"),
        {
            "username": "204",
            "first_name": "Eve",
            "last_name": "Green",
            "aliases": "eve, eve.green  evg",
            "pin": "5812",
            "voicemail_pin": "4826",
            "sip_password": "evesip204",
            "perm_voicemail": "on",
            "groups": [sales.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="204")
    assert user.aliases == ["eve", "eve.green", "evg"]
    assert user.check_password("5812") and user.sip_password == "evesip204"
    assert user.voicemail_pin_hash and user.voicemail_pin_hash != "4826"
    assert list(user.groups.all()) == [sales]
    assert user.perm_voicemail and not user.is_admin
    assert services.name_taken("EVG")
    page = html(admin_client.get(response["Location"]))
    assert "User 204 saved." in page


def test_create_requires_pin_and_keeps_input(admin_client):
    response = admin_client.post(
        reverse("users:user_add"),
        {"username": "204", "first_name": "Eve", "aliases": "eve", "sip_password": "s3cr3tSip"},
    )
    assert response.status_code == 200
    assert "pin" in response.context["form"].errors
    page = html(response)
    assert 'value="204"' in page and 'value="Eve"' in page and 'value="eve"' in page
    assert "s3cr3tSip" not in page
    assert not User.objects.filter(username="204").exists()


def test_name_clash_is_shown_next_to_the_field(admin_client, alice):
    response = admin_client.post(
        reverse("users:user_add"), {"username": "ALICE", "aliases": "200", "pin": "5812", "is_active": "on"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["username"] == ['"ALICE" is already the user name or an alias of user "200".']
    assert errors["aliases"] == ['"200" is already the user name or an alias of user "200".']
    assert not User.objects.filter(username="ALICE").exists()


def test_bad_voicemail_pin(admin_client, bob):
    url = reverse("users:user_edit", args=[bob.pk])
    response = admin_client.post(url, {"username": "201", "aliases": "bob", "voicemail_pin": "1111", "is_active": "on"})
    assert response.status_code == 200
    assert "voicemail_pin" in response.context["form"].errors
    assert "1111" not in html(response)
    response = admin_client.post(url, {"username": "201", "aliases": "bob", "voicemail_pin": "201", "is_active": "on"})
    assert "voicemail_pin" in response.context["form"].errors


def test_edit_user_keeps_secrets_when_left_empty(admin_client, alice):
    services.set_voicemail_pin(alice, "2580")
    services.set_portal_pin(alice, "864209")
    old_vm = User.objects.get(pk=alice.pk).voicemail_pin_hash
    url = reverse("users:user_edit", args=[alice.pk])
    page = html(admin_client.get(url))
    assert 'value="alice"' in page
    for secret in SECRETS:
        assert secret not in page
    response = admin_client.post(
        url,
        {"username": "200", "first_name": "Alicia", "aliases": "alice ally", "is_active": "on", "is_admin": "on"},
    )
    assert response.status_code == 302, response.context["form"].errors
    alice = User.objects.get(pk=alice.pk)
    assert alice.first_name == "Alicia" and alice.is_admin and alice.aliases == ["alice", "ally"]
    assert alice.sip_password == "alicesip200" and alice.check_password("864209")
    assert alice.voicemail_pin_hash == old_vm
    assert not alice.perm_voicemail  # unchecked box


def test_edit_user_changes_pin_and_sip_password(admin_client, bob):
    url = reverse("users:user_edit", args=[bob.pk])
    response = admin_client.post(
        url, {"username": "201", "aliases": "bob", "pin": "4826", "sip_password": "newsip", "is_active": "on"}
    )
    assert response.status_code == 302
    bob = User.objects.get(pk=bob.pk)
    assert bob.check_password("4826") and bob.sip_password == "newsip"
    assert "newsip" not in html(admin_client.get(url))


def test_delete_user_confirms(admin_client, bob):
    url = reverse("users:user_delete", args=[bob.pk])
    page = html(admin_client.get(url))
    assert "Yes, delete" in page and "201" in page
    assert User.objects.filter(pk=bob.pk).exists()
    response = admin_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("users:user_list")
    assert not User.objects.filter(pk=bob.pk).exists()


def test_admin_cannot_delete_self(admin_client, admin_user):
    response = admin_client.post(reverse("users:user_delete", args=[admin_user.pk]), follow=True)
    assert "cannot delete your own user" in html(response)
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_user_form_sections_cover_every_field():
    from apps.users.forms import UserForm

    names = [name for _title, names in UserForm.SECTIONS for name in names]
    assert sorted(names) == sorted(UserForm().fields) and len(names) == len(set(names))


# --- admin: groups --------------------------------------------------------------------------------------


def test_group_flows(admin_client, alice, bob):
    response = admin_client.post(reverse("users:group_add"), {"name": "sales", "description": "Sales team"})
    assert response.status_code == 302
    group = UserGroup.objects.get(name="sales")
    alice.groups.add(group)
    bob.groups.add(group)
    response = admin_client.get(reverse("users:group_list"))
    assert response.context["object_list"][0].user_count == 2
    assert "Sales team" in html(response)
    # bad submit keeps input
    response = admin_client.post(reverse("users:group_add"), {"name": "sales", "description": "Again"})
    assert (
        response.status_code == 200 and "name" in response.context["form"].errors and 'value="Again"' in html(response)
    )
    url = reverse("users:group_edit", args=[group.pk])
    assert group.get_absolute_url() == url
    assert admin_client.post(url, {"name": "sales-team", "description": ""}).status_code == 302
    assert UserGroup.objects.get(pk=group.pk).name == "sales-team"
    delete = reverse("users:group_delete", args=[group.pk])
    assert "Yes, delete" in html(admin_client.get(delete))
    assert admin_client.post(delete).status_code == 302
    assert not UserGroup.objects.exists() and User.objects.filter(pk=alice.pk).exists()


# --- constant queries -----------------------------------------------------------------------------------


def make_many(count: int):
    """Users with an alias and one to three groups each, stored by the bulk service (a fixed number of queries)."""
    groups = [UserGroup.objects.get_or_create(name=f"g{i}")[0].name for i in range(3)]
    have = User.objects.filter(username__startswith="u").count()
    services.save_users(
        [
            services.UserRecord(username=f"u{i:04d}", aliases=[f"a{i:04d}"], first_name="F", groups=groups[: i % 3 + 1])
            for i in range(have, count)
        ]
    )


@pytest.mark.parametrize("url_name", ["users:user_list", "users:group_list"])
def test_list_pages_use_constant_queries(admin_client, url_name):
    url = reverse(url_name)
    make_many(10)
    small = count_queries(admin_client.get, url)
    make_many(200)
    assert count_queries(admin_client.get, url) == small
    assert count_queries(admin_client.get, url + "?q=u&enabled=true") == count_queries(admin_client.get, url + "?q=u0")


# --- portal -------------------------------------------------------------------------------------------


def test_portal_shows_only_own_data(alice_client, bob):
    for name in PORTAL_PAGES:
        # Without the CSRF tokens: a random token may contain "Bob" by chance.
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html(alice_client.get(reverse(name))))
        assert "Bob" not in page and "bobsip201" not in page


def test_contact_edit(alice_client, alice):
    page = html(alice_client.get(reverse("portal:contact")))
    assert 'value="Sales Lead"' in page and 'value="Boston"' in page
    data = {
        "first_name": "Alicia",
        "last_name": "Smith",
        "job_title": "Head of Sales",
        "email_address": "alicia@example.org",
        "office_address-city": "Cambridge",
        "office_address-zip": "02139",
        "home_address-street": "1 Main St",
        "branch_address-officeDesignation": "B-2",
    }
    response = alice_client.post(reverse("portal:contact"), data)
    assert response.status_code == 302
    alice = User.objects.get(pk=alice.pk)
    profile = alice.profile
    assert alice.first_name == "Alicia"
    assert profile.job_title == "Head of Sales" and profile.company_name is None
    assert profile.office_address == {"city": "Cambridge", "zip": "02139"}
    assert profile.home_address == {"street": "1 Main St"}
    assert profile.branch_address == {"officeDesignation": "B-2"}
    assert profile.timestamp > 0
    page = html(alice_client.get(reverse("portal:contact")))
    assert 'value="Cambridge"' in page and "saved" in page


def ring_post(timer, rings, initial=None):
    data = {
        "timer": str(timer),
        "rings-TOTAL_FORMS": str(len(rings)),
        "rings-INITIAL_FORMS": str(len(rings) if initial is None else initial),
        "rings-MIN_NUM_FORMS": "0",
        "rings-MAX_NUM_FORMS": "1000",
    }
    for i, ring in enumerate(rings):
        for key, value in ring.items():
            if value is not None and value is not False:
                data[f"rings-{i}-{key}"] = "on" if value is True else str(value)
    return data


def test_forward_page_shows_rings(alice_client):
    page = html(alice_client.get(reverse("portal:forward")))
    assert 'value="5551234"' in page and 'value="sip:alice@mobile.example.net"' in page
    assert 'name="timer"' in page and 'value="20"' in page and "ring-list.js" in page


def test_forward_reorder_delete_add_by_plain_post(alice_client, alice):
    rings = [
        {"ORDER": 2, "enabled": True, "number": "5551234", "expiration": 30, "type": "If no response"},
        {
            "ORDER": 1,
            "enabled": False,
            "number": "sip:alice@mobile.example.net",
            "expiration": 20,
            "type": "At the same time",
        },
        {"ORDER": 3, "enabled": True, "number": "777", "expiration": 10, "type": "If no response", "DELETE": True},
        {"ORDER": None, "enabled": True, "number": "888", "expiration": 15, "type": "At the same time"},
        {"ORDER": None, "enabled": True, "number": "", "expiration": 30, "type": "If no response"},
    ]
    response = alice_client.post(reverse("portal:forward"), ring_post(45, rings, initial=3))
    assert response.status_code == 302
    alice = User.objects.get(pk=alice.pk)
    assert alice.call_forward_timer == 45
    got = [(r.number, r.expiration, r.type, r.enabled) for r in alice.rings.all()]
    assert got == [
        ("sip:alice@mobile.example.net", 20, "At the same time", False),
        ("5551234", 30, "If no response", True),
        ("888", 15, "At the same time", True),
    ]


def test_forward_bad_submit_keeps_input(alice_client, alice):
    rings = [
        {"ORDER": 1, "enabled": True, "number": "", "expiration": 30, "type": "If no response"},
        {"ORDER": 2, "enabled": True, "number": "999", "expiration": 5000, "type": "If no response"},
    ]
    response = alice_client.post(reverse("portal:forward"), ring_post(0, rings))
    assert response.status_code == 200
    page = html(response)
    assert 'value="999"' in page and 'value="5000"' in page and "errorlist" in page
    assert list(User.objects.get(pk=alice.pk).rings.values_list("number", flat=True)) == [
        "5551234",
        "sip:alice@mobile.example.net",
    ]


def test_voicemail_pin(alice_client, alice):
    url = reverse("portal:voicemail_pin")
    response = alice_client.post(url, {"new_pin": "1111", "confirm_pin": "1111"})
    assert response.status_code == 200 and "new_pin" in response.context["form"].errors and "1111" not in html(response)
    response = alice_client.post(url, {"new_pin": "4826", "confirm_pin": "4827"})
    assert "confirm_pin" in response.context["form"].errors
    response = alice_client.post(url, {"new_pin": "200", "confirm_pin": "200"})
    assert "new_pin" in response.context["form"].errors
    response = alice_client.post(url, {"new_pin": "4826", "confirm_pin": "4826"})
    assert response.status_code == 302
    from django.contrib.auth.hashers import check_password

    assert check_password("4826", User.objects.get(pk=alice.pk).voicemail_pin_hash)


def test_login_details_hide_the_sip_password_until_asked(alice_client, alice):
    page = html(alice_client.get(reverse("portal:login_details")))
    assert "alicesip200" not in page
    assert "Show SIP password" in page and f"/sipxconfig/rest/private/{alice.feed_key}/" in page
    assert ">alice<" in page
    assert alice_client.get(reverse("portal:sip_password")).status_code == 405
    response = alice_client.post(reverse("portal:sip_password"))
    assert response.status_code == 200 and "alicesip200" in html(response)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_feed_key_regenerates(alice_client, alice):
    old = alice.feed_key
    assert alice_client.get(reverse("portal:feed_key")).status_code == 405
    response = alice_client.post(reverse("portal:feed_key"))
    assert response.status_code == 302
    new = User.objects.get(pk=alice.pk).feed_key
    assert new != old
    page = html(alice_client.get(reverse("portal:login_details")))
    assert new in page and old not in page


def test_feed_key_only_on_login_details(alice_client, alice):
    for name in PORTAL_PAGES:
        if name != "portal:login_details":
            assert alice.feed_key not in html(alice_client.get(reverse(name)))
