"""The portal's availability pages as a browser without scripts uses them: the home page's switches are plain forms,
the away periods page lists, adds (an overlap is a 400 page with the sentence), edits and deletes, an administrator
manages a user's periods from the user's page, nobody reaches another user's period, the time zone page changes
the zone every page shows times in, and the list costs the same queries for 10 periods or 200."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.users import availability
from apps.users.availability import PeriodData, stored
from apps.users.models import AwayPeriod


@pytest.fixture
def alice(make_user):
    return make_user("alice", pin="alice1234", time_zone="Europe/Berlin")


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def test_the_home_switches_work_without_scripts(as_alice, alice):
    home = as_alice.get("/portal/").content.decode()
    assert 'value="dnd-on"' in home and "Available: your calls ring as usual." in home
    assert as_alice.post("/portal/availability/", {"action": "dnd-on"}).url == "/portal/"
    home = as_alice.get("/portal/").content.decode()
    assert "Do not disturb</strong> is on" in home and 'value="dnd-off"' in home
    as_alice.post("/portal/availability/", {"action": "dnd-off"})
    answer = as_alice.post(
        "/portal/availability/", {"action": "forward-on", "forward_all": "0301234", "until": "2099-01-01T10:00"}
    )
    assert answer.status_code == 302
    alice.refresh_from_db()
    # the page's time is the user's (Berlin): 10:00 CET is 09:00 UTC
    assert (alice.dnd, alice.forward_all, alice.availability_until) == (
        False,
        "0301234",
        datetime(2099, 1, 1, 9, tzinfo=UTC),
    )
    home = as_alice.get("/portal/").content.decode()
    assert (
        "All calls are forwarded</strong> to <strong>0301234</strong> until" in home and "Thu 1 Jan 2099, 10:00" in home
    )


@pytest.mark.parametrize(
    ("post", "sentence"),
    [
        ({"action": "forward-on", "forward_all": "my cell"}, "is not a phone number"),
        ({"action": "dnd-on", "until": "2001-01-01T10:00"}, "The end time is in the past"),
        ({"action": "explode"}, "Select a valid choice"),
    ],
)
def test_a_refused_switch_is_a_400_page_with_the_sentence(as_alice, alice, post, sentence):
    answer = as_alice.post("/portal/availability/", post)
    assert answer.status_code == 400 and sentence in answer.content.decode()
    alice.refresh_from_db()
    assert (alice.dnd, alice.forward_all) == (False, None)


def test_away_periods_add_overlap_edit_delete(as_alice, alice):
    form = {"start": "2030-01-04T14:00", "end": "2030-01-04T18:00", "weekly": "on", "greeting": "outofoffice"}
    assert as_alice.post("/portal/away/", form).status_code == 302
    overlap = as_alice.post(
        "/portal/away/", {**form, "start": "2030-01-11T17:00", "end": "2030-01-11T19:00", "weekly": ""}
    )
    assert overlap.status_code == 400
    assert "This period overlaps the away period Fri 4 Jan 2030 14:00 to 18:00, weekly" in overlap.content.decode()
    period = alice.away_periods.get()
    page = as_alice.get("/portal/away/").content.decode()
    assert "Fri 4 Jan 2030 14:00 to 18:00, weekly" in page and "voicemail only" in page
    edit = as_alice.post(f"/portal/away/{period.pk}/", {**form, "forward_to": "+4917000"})
    assert edit.status_code == 302
    period.refresh_from_db()
    assert period.forward_to == "+4917000"
    assert as_alice.post(f"/portal/away/{period.pk}/delete/").status_code == 302
    assert not AwayPeriod.objects.exists()


def test_nobody_reaches_another_users_period(client, alice, make_user):
    period = availability.save_period(alice, PeriodData(datetime(2030, 1, 1, 10), datetime(2030, 1, 1, 12)))
    bob = make_user("bob", pin="bob12345")
    client.force_login(bob)
    assert client.get(f"/portal/away/{period.pk}/").status_code == 404
    assert client.post(f"/portal/away/{period.pk}/delete/").status_code == 404
    assert client.get(f"/users/{alice.pk}/away/").status_code == 403
    assert AwayPeriod.objects.filter(pk=period.pk).exists()


def test_an_admin_manages_a_users_periods_from_the_users_page(client, alice, admin_user):
    client.force_login(admin_user)
    assert f"/users/{alice.pk}/away/" in client.get(f"/users/{alice.pk}/").content.decode()
    form = {"start": "2030-01-04T14:00", "end": "2030-01-04T18:00", "greeting": "extendedabsence"}
    assert client.post(f"/users/{alice.pk}/away/", form).status_code == 302
    period = alice.away_periods.get()
    assert period.time_zone == "Europe/Berlin"  # the user's zone, not the admin's
    assert client.post(f"/users/{alice.pk}/away/{period.pk}/delete/").status_code == 302
    assert not alice.away_periods.exists()


def test_the_time_zone_page_and_pages_in_the_users_zone(as_alice, alice):
    answer = as_alice.post("/portal/time-zone/", {"time_zone": "America/New_York"})
    assert answer.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "America/New_York"
    assert as_alice.post("/portal/time-zone/", {"time_zone": "Mars/Olympus"}).status_code == 200
    availability.set_availability(alice, True, None, datetime(2099, 1, 1, 12, tzinfo=UTC))
    assert "Thu 1 Jan 2099, 07:00" in as_alice.get("/portal/").content.decode()  # 12:00 UTC in New York


@pytest.mark.parametrize("rows", [10, 200])
def test_the_away_list_costs_the_same_queries(as_alice, alice, rows, django_assert_max_num_queries):
    start = datetime(2030, 1, 1, 8)
    AwayPeriod.objects.bulk_create(
        AwayPeriod(
            user=alice,
            start=stored(start + timedelta(days=i)),
            end=stored(start + timedelta(days=i, hours=2)),
            time_zone="Europe/Berlin",
        )
        for i in range(rows)
    )
    with django_assert_max_num_queries(12):
        page = as_alice.get("/portal/away/")
    assert page.content.decode().count("/delete/") == rows
