"""The read-only SQL views Kamailio reads sipxweb's users through (docs/sipproxy.md), on SQLite and PostgreSQL.

* `sipproxy_credentials` (auth_db): one row per name a phone may authenticate with — the user name and every
  alias of an enabled user who has a SIP password — with that plain SIP password (Kamailio computes the HA1
  itself, `calculate_ha1`), the SIP domain, and the owner's user name (loaded after a successful check, so a
  phone registered by alias is found under its user name).
* `sipproxy_aliases` (alias_db): every user name and alias of an enabled user, lower-case, to the user name, so
  a call to `Alice` or to `alice` reaches the phones registered for `200`.

They are views, not copies: a changed SIP password, a new alias or a deleted user counts at Kamailio's next
query, with nothing to synchronise.

Kamailio sends each lookup as plain SQL text, so the database plans it every time: on PostgreSQL planning the
view's join is most of a lookup's cost (~0.15 ms against ~0.03 ms for a plain table; bench/sipproxy.py compares
the two). Hence the shape: two tables, no more; the SIP domain written into the view as a constant (it was a
joined one-row table, a fifth of the planning), and the one kind that is no SIP name excluded by one comparison."""

from django.conf import settings
from django.db import connections

from apps.users.models import LoginName, User

CREDENTIALS = "sipproxy_credentials"
ALIASES = "sipproxy_aliases"
NAME_INDEX = "sipproxy_login_name"


def _definitions(connection) -> dict[str, str]:
    q = connection.ops.quote_name
    users, names = q(User._meta.db_table), q(LoginName._meta.db_table)
    # A DDL statement takes no parameters: the domain is quoted as a value by the backend's own quoting (the
    # schema editor's, which PostgreSQL's asks of the live connection).
    connection.ensure_connection()
    quoted = connection.SchemaEditorClass(connection).quote_value(settings.SIPX_DOMAIN)
    domain = f"CAST({quoted} AS VARCHAR(255))"
    # Only user names and aliases are SIP names: an IM id is a chat address and may repeat another user's alias.
    joined = (
        f"FROM {names} l JOIN {users} u ON u.id = l.user_id WHERE l.kind <> '{LoginName.Kind.IM.value}' AND u.is_active"
    )
    return {
        CREDENTIALS: (
            f"SELECT l.name AS username, {domain} AS domain, u.sip_password AS password, u.username AS owner "
            f"{joined} AND u.sip_password <> ''"
        ),
        ALIASES: (
            f"SELECT l.folded AS alias_username, {domain} AS alias_domain, u.username AS username, {domain} AS domain "
            f"{joined}"
        ),
    }


def drop(connection) -> None:
    with connection.cursor() as cursor:
        for view in (CREDENTIALS, ALIASES):
            cursor.execute(f"DROP VIEW IF EXISTS {connection.ops.quote_name(view)}")


def create(connection) -> None:
    """(Re)creates the views with SIPX_DOMAIN: at every migrate and every `manage.py kamailio_config`, which is
    what hands a changed domain to Kamailio too."""
    drop(connection)
    q = connection.ops.quote_name
    definitions = _definitions(connection)
    with connection.cursor() as cursor:
        for view, select in definitions.items():
            cursor.execute(f"CREATE VIEW {q(view)} AS {select}")
        # auth_db looks a name up as typed (login names are exact); without this index every REGISTER and
        # call scans all login names (bench/sipproxy.py). Made here, at each migrate, because a migration of
        # the users app that rebuilds its table (SQLite) drops indexes it does not know about.
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {q(NAME_INDEX)} ON {q(LoginName._meta.db_table)} ({q('name')})")


def _ready(connection) -> bool:
    tables = set(connection.introspection.table_names())
    return {User._meta.db_table, LoginName._meta.db_table} <= tables


def drop_on_migrate(sender, using="default", **kwargs):
    drop(connections[using])


def create_on_migrate(sender, using="default", **kwargs):
    connection = connections[using]
    if _ready(connection):  # `migrate users` alone, before this app's tables exist: the next migrate does it
        create(connection)
