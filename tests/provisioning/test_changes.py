"""The count of writes that tells a poll whether a file may have changed (apps/provisioning/changes.py): every way of
writing counts, columns no file shows do not, and the triggers survive a migrate."""

import pytest
from django.db import connection

from apps.phonebooks.models import PhonebookEntry
from apps.phones.models import Line, Phone
from apps.provisioning import changes
from apps.provisioning.models import Change
from apps.users.models import User
from tests.provisioning.conftest import YEALINK, fetch


def counted() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {changes.version_sql(connection)}")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: User.objects.filter(username="201").update(sip_password="x"), id="queryset update"),
        pytest.param(lambda: Line.objects.filter(user__username="201").delete(), id="delete"),
        pytest.param(
            lambda: Line.objects.bulk_create(
                [Line(phone=Phone.objects.get(serial_number=YEALINK), user=User.objects.get(username="200"))]
            ),
            id="bulk create",
        ),
        pytest.param(
            lambda: PhonebookEntry.objects.filter(phonebook__name="support").update(number="1"), id="entries update"
        ),
        pytest.param(
            lambda: connection.cursor().execute(f"UPDATE {PhonebookEntry._meta.db_table} SET last_name = 'x'"),
            id="raw SQL",
        ),
    ],
)
def test_every_kind_of_write_is_counted(demo, write):
    before = counted()
    write()
    assert counted() > before


def test_a_column_no_file_shows_is_not_counted(demo):
    before = counted()
    User.objects.filter(username="201").update(last_login="2026-01-01T00:00:00Z", call_forward_timer=30)
    PhonebookEntry.objects.update(email_address="x@example.org")
    assert counted() == before


def test_the_triggers_are_put_back_after_a_migrate_and_count_it(demo):
    changes.drop(connection)
    before = counted()
    User.objects.filter(username="201").update(sip_password="x")
    assert counted() == before  # no trigger: not counted
    changes.create(connection)
    assert counted() == before + 1  # the migrate itself counts: writes in between were missed
    User.objects.filter(username="201").update(sip_password="y")
    assert counted() == before + 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the appended rows and their fold are PostgreSQL's")
def test_postgresql_folds_the_appended_rows_and_keeps_the_sum(demo):
    before = counted()
    for n in range(50):
        User.objects.filter(username="201").update(sip_password=f"p{n}")
    assert counted() == before + 50
    assert Change.objects.count() <= len(changes.tracked()) + 2  # one row per table (and the migrate), not 50


def test_the_files_follow_a_write_made_while_a_poll_was_answered(client, demo):
    """The count is read with the phone, before the data: a file built from newer data than its count is rebuilt
    (and found unchanged) at the next poll, never the reverse."""
    first = fetch(client, f"{YEALINK}.cfg")
    User.objects.filter(username="201").update(sip_password="changed")
    second = fetch(client, f"{YEALINK}.cfg", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and b"changed" in second.content
