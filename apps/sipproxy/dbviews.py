"""The read-only SQL views Kamailio reads sipxweb's users through (docs/sipproxy.md), on SQLite and PostgreSQL.

* `sipproxy_credentials` (auth_db): one row per name a phone may authenticate with — the user name and every
  alias of an enabled user who has a SIP password — with that plain SIP password (Kamailio computes the HA1
  itself, `calculate_ha1`), the SIP domain, and the owner's user name (loaded after a successful check, so a
  phone registered by alias is found under its user name).
* `sipproxy_aliases` (alias_db): every user name and alias of an enabled user, lower-case, to the user name, so
  a call to `Alice` or to `alice` reaches the phones registered for `200`.

They are views, not copies: a changed SIP password, a new alias or a deleted user counts at Kamailio's next
query, with nothing to synchronise."""

from django.conf import settings
from django.db import connections

from apps.users.models import LoginName, User

CREDENTIALS = "sipproxy_credentials"
ALIASES = "sipproxy_aliases"
DOMAIN_TABLE = "sipproxy_sipdomain"
NAME_INDEX = "sipproxy_login_name"


def _definitions(connection) -> dict[str, str]:
    q = connection.ops.quote_name
    users, names = q(User._meta.db_table), q(LoginName._meta.db_table)
    # Only these kinds are SIP names: an IM id is a chat address and may repeat another user's alias.
    kinds = f"('{LoginName.Kind.USERNAME.value}', '{LoginName.Kind.ALIAS.value}')"
    joined = (
        f"FROM {names} l JOIN {users} u ON u.id = l.user_id CROSS JOIN {q(DOMAIN_TABLE)} d "
        f"WHERE l.kind IN {kinds} AND u.is_active"
    )
    return {
        CREDENTIALS: (
            "SELECT l.name AS username, d.name AS domain, u.sip_password AS password, u.username AS owner "
            f"{joined} AND u.sip_password <> ''"
        ),
        ALIASES: (
            "SELECT l.folded AS alias_username, d.name AS alias_domain, u.username AS username, d.name AS domain "
            f"{joined}"
        ),
    }


def drop(connection) -> None:
    with connection.cursor() as cursor:
        for view in (CREDENTIALS, ALIASES):
            cursor.execute(f"DROP VIEW IF EXISTS {connection.ops.quote_name(view)}")


def create(connection) -> None:
    """(Re)creates the views and makes sure the domain row says SIPX_DOMAIN."""
    drop(connection)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {q(DOMAIN_TABLE)}")
        if cursor.fetchone()[0] == 0:
            cursor.execute(f"INSERT INTO {q(DOMAIN_TABLE)} (name) VALUES (%s)", [settings.SIPX_DOMAIN])
        else:
            cursor.execute(f"UPDATE {q(DOMAIN_TABLE)} SET name = %s", [settings.SIPX_DOMAIN])
        for view, select in _definitions(connection).items():
            cursor.execute(f"CREATE VIEW {q(view)} AS {select}")
        # auth_db looks a name up as typed (login names are exact); without this index every REGISTER and
        # call scans all login names (bench/sipproxy.py). Made here, at each migrate, because a migration of
        # the users app that rebuilds its table (SQLite) drops indexes it does not know about.
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {q(NAME_INDEX)} ON {q(LoginName._meta.db_table)} ({q('name')})")


def _ready(connection) -> bool:
    tables = set(connection.introspection.table_names())
    return {DOMAIN_TABLE, User._meta.db_table, LoginName._meta.db_table} <= tables


def drop_on_migrate(sender, using="default", **kwargs):
    drop(connections[using])


def create_on_migrate(sender, using="default", **kwargs):
    connection = connections[using]
    if _ready(connection):  # `migrate users` alone, before this app's tables exist: the next migrate does it
        create(connection)
