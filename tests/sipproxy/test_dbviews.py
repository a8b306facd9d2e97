"""The views Kamailio's auth_db and alias_db read (apps/sipproxy/dbviews.py): who is in them, the SIP domain as a
constant quoted by the backend, and lookups that search an index, never scan (bench/sipproxy.py measures them
against plain tables; tests/sip/test_kamailio_proxy.py reads them through Kamailio)."""

import pytest
from django.db import connection

from apps.sipproxy import dbviews
from apps.users.models import LoginName, User
from apps.users.services import create_user

# What Kamailio sends, with the names it looks up (auth_db: the name as typed; alias_db: lower case).
CREDENTIALS_QUERY = f"SELECT password, owner, domain FROM {dbviews.CREDENTIALS} WHERE username = %s"
ALIASES_QUERY = f"SELECT username, domain FROM {dbviews.ALIASES} WHERE alias_username = %s"


@pytest.fixture
def people(db):
    create_user("201", pin="1234", aliases=["Bob"], sip_password="bobsip201")
    create_user("202", pin="1234", aliases=["carol"])  # no SIP password: may not register, may be called
    gone = create_user("203", pin="1234", aliases=["gone"], sip_password="gonesip203")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    LoginName.objects.create(user=User.objects.get(username="202"), name="bob.im", kind=LoginName.Kind.IM)


def rebuild() -> None:
    if connection.vendor == "postgresql":
        # The test's own inserts left deferred foreign-key checks pending, which PostgreSQL will not have under
        # the CREATE INDEX of dbviews.create (at a real migrate there are none).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    dbviews.create(connection)


def rows(sql: str, value: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return [tuple(row) for row in cursor.fetchall()]


def test_who_may_authenticate_and_who_may_be_called(people, settings):
    settings.SIPX_DOMAIN = "pbx.example.org"
    rebuild()
    assert rows(CREDENTIALS_QUERY, "Bob") == [("bobsip201", "201", "pbx.example.org")]
    assert rows(CREDENTIALS_QUERY, "bob") == []  # a login name is exact
    for name in ("202", "carol", "203", "gone", "bob.im"):
        assert rows(CREDENTIALS_QUERY, name) == [], name
    assert rows(ALIASES_QUERY, "bob") == [("201", "pbx.example.org")]
    assert rows(ALIASES_QUERY, "carol") == [("202", "pbx.example.org")]
    for name in ("gone", "bob.im"):
        assert rows(ALIASES_QUERY, name) == [], name


def test_the_domain_is_a_quoted_value_whatever_it_holds(people, settings):
    settings.SIPX_DOMAIN = "x'); DROP TABLE users_user; --"
    rebuild()
    assert rows(CREDENTIALS_QUERY, "201") == [("bobsip201", "201", settings.SIPX_DOMAIN)]
    assert User.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL plans tiny test tables as it likes")
def test_each_lookup_searches_indexes(people):
    rebuild()
    for sql in (CREDENTIALS_QUERY, ALIASES_QUERY):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, ["x"])
            plan = [row[-1] for row in cursor.fetchall()]
        assert len(plan) == 2 and all(step.startswith("SEARCH") for step in plan), plan
