"""The special-mode schedule's pages: the panel on the attendant list says whether special mode is on now and why
(the manual switch or a period) and when that changes; periods are added, edited and deleted (administrators and
attendant administrators, as the switch); overlaps and bad values are refused next to the field with a sentence;
the list costs the same queries for 10 and 200 periods."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.attendants import services
from apps.attendants.models import SpecialModePeriod
from apps.audit.models import AuditEntry
from tests.attendants.helpers import coming
from tests.conftest import count_queries

LIST = reverse("attendants:attendant_list")
ADD = reverse("attendants:period_add")


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def attendant_admin(make_user):
    return make_user("300", aliases=["carol"], perm_attendant_admin=True)


def html(response) -> str:
    return response.content.decode()


def around_now(before=timedelta(hours=1), after=timedelta(hours=1)) -> dict:
    """A weekly period's POST that covers the present: its day is the one its start falls on."""
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    start, end = now - before, now + after
    return {
        "name": "night",
        "weekdays": [str(start.weekday())],
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
    }


def test_an_attendant_admin_adds_a_period_covering_now_and_sees_special_mode_on(client, attendant_admin):
    client.force_login(attendant_admin)
    assert "Special mode off now" in html(client.get(LIST))
    response = client.post(ADD, around_now(), follow=True)
    assert response.redirect_chain[-1][0] == LIST + "#special-mode"
    page = html(response)
    assert "Period night saved" in page
    assert ">Special mode on now (night)</strong>: calls to the operator go to <strong>After hours</strong>" in page
    assert '<span id="special-next">It ends ' in page and '<span class="badge">now</span>' in page
    assert "The manual switch is <strong" in page and "the schedule below decides" in page
    entry = AuditEntry.objects.get(kind="special-mode-period")
    assert (entry.action, entry.actor, entry.channel) == ("create", "300", "page")


def test_the_manual_switch_is_named_as_the_reason(client, attendant_admin):
    client.force_login(attendant_admin)
    services.special_mode_on()
    page = html(client.get(LIST))
    assert "Special mode on now (manual switch)" in page and "it stays on until it is switched off" in page


def test_off_now_says_when_the_next_period_starts(client, attendant_admin):
    client.force_login(attendant_admin)
    client.post(ADD, around_now(before=-timedelta(hours=2), after=timedelta(hours=3)))  # starts in two hours
    page = html(client.get(LIST))
    assert "Special mode off now" in page and "It comes on " in page and "(night)." in page


def test_a_one_off_period_of_whole_days_and_its_edit_page(client, attendant_admin):
    client.force_login(attendant_admin)
    response = client.post(ADD, {"name": "holidays", "start_date": "2026-12-24", "end_date": "2027-01-02"})
    assert response.status_code == 302
    period = SpecialModePeriod.objects.get()
    assert (period.start_date, period.start_time, period.end_date, period.end_time) == (
        datetime(2026, 12, 24).date(), time(0, 0), datetime(2027, 1, 3).date(), time(0, 0)
    )  # fmt: skip
    assert "2026-12-24 00:00 – 2027-01-03 00:00" in html(client.get(LIST))
    edit = html(client.get(reverse("attendants:period_edit", args=[period.pk])))
    assert 'value="2027-01-02"' in edit  # shown as the last day, its time empty (the whole day)
    response = client.post(
        reverse("attendants:period_edit", args=[period.pk]),
        {"name": "holidays", "start_date": "2026-12-24", "end_date": "2027-01-06"},
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.end_date == datetime(2027, 1, 7).date()


def test_an_overlap_is_refused_on_the_page_with_a_sentence(client, attendant_admin):
    client.force_login(attendant_admin)
    client.post(
        ADD, {"name": "night", "weekdays": ["0", "1", "2", "3", "4"], "start_time": "18:00", "end_time": "08:00"}
    )
    response = client.post(ADD, {"name": "early", "weekdays": ["5"], "start_time": "06:00", "end_time": "09:00"})
    assert response.status_code == 200
    page = html(response)
    saturday = coming([5], "06:00", timedelta(hours=2))  # Friday's night runs on to Saturday 08:00
    assert (
        "This period overlaps &quot;night&quot; (Mon–Fri 18:00–08:00 (next day)): both would apply on "
        f"{saturday} at 06:00, and two weekly periods may not overlap." in page
    )
    assert SpecialModePeriod.objects.count() == 1


@pytest.mark.parametrize(
    "data, field, sentence",
    [
        ({"name": "x", "weekdays": ["0"], "start_time": "18:00"}, "end_time", "Give the time of day the period ends"),
        ({"name": "x", "start_date": "2026-12-24"}, "end_date", "Give the last day of the period"),
        ({"name": "x", "weekdays": ["0"], "start_date": "2026-12-24", "start_time": "1:00", "end_time": "2:00"},
         "start_date", "A weekly period has no dates"),
        ({"name": "x", "start_date": "2026-12-24", "start_time": "12:00", "end_date": "2026-12-24",
          "end_time": "11:00"}, "end_date", "The period must end after it starts"),
        ({"name": "x", "weekdays": ["9"], "start_time": "18:00", "end_time": "08:00"}, "weekdays", "valid choice"),
        ({"name": "  ", "weekdays": ["1"], "start_time": "18:00", "end_time": "08:00"}, "name", "required"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_next_to_their_field(admin_client, data, field, sentence):
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and sentence in " ".join(errors[field]), errors
    assert not SpecialModePeriod.objects.exists() and not AuditEntry.objects.filter(kind="special-mode-period")


def test_delete(admin_client):
    period = services.save_period(SpecialModePeriod(name="night", weekdays="0", start_time=time(18), end_time=time(8)))
    url = reverse("attendants:period_delete", args=[period.pk])
    assert "Do you really want to delete <strong>night</strong>" in html(admin_client.get(url))
    response = admin_client.post(url, follow=True)
    assert "Period night deleted." in html(response) and not SpecialModePeriod.objects.exists()
    assert AuditEntry.objects.filter(kind="special-mode-period", action="delete").count() == 1


def test_who_may_see_and_change_the_schedule(client, make_user, alice):
    period = services.save_period(SpecialModePeriod(name="night", weekdays="0", start_time=time(18), end_time=time(8)))
    urls = [
        ADD,
        reverse("attendants:period_edit", args=[period.pk]),
        reverse("attendants:period_delete", args=[period.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "x"}).status_code == 403
    assert SpecialModePeriod.objects.get().name == "night"


def test_the_list_costs_the_same_queries_for_10_and_200_periods(admin_client):
    def periods(count):
        SpecialModePeriod.objects.all().delete()
        day = datetime(2030, 1, 1)
        SpecialModePeriod.objects.bulk_create(
            SpecialModePeriod(
                name=f"p{i}",
                start_date=(day + timedelta(days=i)).date(),
                start_time=time(0),
                end_date=(day + timedelta(days=i)).date(),
                end_time=time(12),
            )
            for i in range(count)
        )

    periods(10)
    ten = count_queries(admin_client.get, LIST)
    periods(200)
    assert count_queries(admin_client.get, LIST) == ten
    assert "p199" in html(admin_client.get(LIST))
