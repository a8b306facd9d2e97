"""Whether a phone's file may have changed, known without building it: database triggers count the writes to
every table the files are built from (`TRACKED`), and `VERSION_SQL` sums the counts.

Why triggers: the files depend on phones, lines, users, groups, phonebooks and their entries, which many writers
change, several of them in bulk (`bulk_create`, `update()`, raw SQL in the phonebook import) where no Django signal
fires and no `updated_at` column would be kept. A trigger sees every write, whoever makes it.

Why the sum is safe to compare: it is transactional. A poll reads the sum *before* it reads the data it builds
from, so a file stored under a sum never lacks a write that the sum counts; a write committed later raises the sum
and the next poll builds again. The ETag is the hash of the built bytes, so a rebuild that gives the same bytes
keeps its ETag: only the files whose content changed get a new one.

* SQLite: one row per table, raised by a row-level trigger (SQLite has no statement triggers; its writers are
  serialised anyway, so the shared row costs no concurrency).
* PostgreSQL: a statement-level trigger appends a row (never an UPDATE of a shared row: concurrent writers would
  queue on its lock and could deadlock with their other locks), and folds the rows into one per table while it
  holds a transaction-level advisory lock it only tries to take (no writer ever waits for it). The fold deletes
  and inserts in one statement, so the sum never moves.

Triggers are taken off before every migrate and put back after it (`apps.py`): a migration that remakes a table
on SQLite drops that table's triggers. Putting them back counts one change, since writes in between were not
counted. Other database engines get no triggers: every poll then builds the file (still answered 304 when the
ETag matches)."""

from django.db import connections

from apps.provisioning.models import Change

PREFIX = "provisioning_changed"
FOLD_LOCK = 7_316_254_019  # the advisory lock key of the fold (any constant no other code uses)


def tracked() -> list[tuple[str, tuple[str, ...] | None]]:
    """(table, columns): a write to the table counts when it inserts or deletes rows, or updates one of the columns
    (None: any column; an empty tuple: updates never matter). The columns are those the files are built from."""
    from apps.phonebooks.models import Phonebook, PhonebookEntry, PhonebookSettings, PrivatePhonebook
    from apps.phones.models import Line, Phone
    from apps.provisioning.models import Firmware, ProvisioningSettings
    from apps.users.models import User

    def columns(model, *names):
        return tuple(model._meta.get_field(name).column for name in names)

    return [
        (Phone._meta.db_table, None),
        (Line._meta.db_table, None),
        (User._meta.db_table, columns(User, "username", "first_name", "last_name", "sip_password", "is_active")),
        (User.groups.through._meta.db_table, None),
        (Phonebook._meta.db_table, ()),
        (Phonebook.members.through._meta.db_table, None),
        (Phonebook.consumers.through._meta.db_table, None),
        (PrivatePhonebook._meta.db_table, columns(PrivatePhonebook, "user", "show_on_phone")),
        (
            PhonebookEntry._meta.db_table,
            columns(PhonebookEntry, "phonebook", "private_phonebook", "first_name", "last_name", "number"),
        ),
        (PhonebookSettings._meta.db_table, columns(PhonebookSettings, "everyone")),
        (ProvisioningSettings._meta.db_table, None),
        (Firmware._meta.db_table, None),
    ]


def supported(connection) -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def version_sql(connection) -> str:
    """A scalar subquery: the number of counted writes so far (NULL where triggers are not supported)."""
    if not supported(connection):
        return "NULL"
    return f"(SELECT COALESCE(SUM(n), 0) FROM {connection.ops.quote_name(Change._meta.db_table)})"


def _sqlite_bump(q, source: str) -> list[str]:
    """The statements that count one write to `source` in its one row (created by the first write)."""
    changes = q(Change._meta.db_table)
    # `source` is a table name of ours or a fixed word, never input: written into the SQL as a literal.
    return [
        f"UPDATE {changes} SET n = n + 1 WHERE source = '{source}'",
        f"INSERT INTO {changes} (source, n) SELECT '{source}', 1 "
        f"WHERE NOT EXISTS (SELECT 1 FROM {changes} WHERE source = '{source}')",
    ]


def _sqlite_triggers(q, table: str, cols: tuple[str, ...] | None) -> list[tuple[str, str]]:
    events = [("ins", "INSERT"), ("del", "DELETE")]
    if cols is None:
        events.append(("upd", "UPDATE"))
    elif cols:
        events.append(("upd", f"UPDATE OF {', '.join(q(c) for c in cols)}"))
    return [
        (
            f"{PREFIX}_{table}_{suffix}",
            f"CREATE TRIGGER {q(f'{PREFIX}_{table}_{suffix}')} AFTER {event} ON {q(table)} "
            f"BEGIN {'; '.join(_sqlite_bump(q, table))}; END",
        )
        for suffix, event in events
    ]


def _postgres_function(q) -> str:
    changes = q(Change._meta.db_table)
    return f"""
CREATE OR REPLACE FUNCTION {PREFIX}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {changes} (source, n) VALUES (TG_TABLE_NAME, 1);
    IF pg_try_advisory_xact_lock({FOLD_LOCK}) THEN
        WITH gone AS (DELETE FROM {changes} RETURNING source, n)
        INSERT INTO {changes} (source, n) SELECT source, SUM(n) FROM gone GROUP BY source;
    END IF;
    RETURN NULL;
END
$$"""


def _postgres_trigger(q, table: str, cols: tuple[str, ...] | None) -> str:
    events = ["INSERT", "DELETE", "TRUNCATE"]
    if cols is None:
        events.append("UPDATE")
    elif cols:
        events.append(f"UPDATE OF {', '.join(q(c) for c in cols)}")
    return (
        f"CREATE TRIGGER {PREFIX} AFTER {' OR '.join(events)} ON {q(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}()"
    )


def drop(connection) -> None:
    if not supported(connection):
        return
    q = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, cols in tracked():
            if connection.vendor == "sqlite":
                for name, _ in _sqlite_triggers(q, table, cols):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {q(name)}")
            elif table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {PREFIX} ON {q(table)}")


def create(connection) -> None:
    """(Re)creates every trigger and counts one change."""
    if not supported(connection):
        return
    drop(connection)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_postgres_function(q))
        for table, cols in tracked():
            if connection.vendor == "sqlite":
                for _, sql in _sqlite_triggers(q, table, cols):
                    cursor.execute(sql)
            else:
                cursor.execute(_postgres_trigger(q, table, cols))
        if connection.vendor == "sqlite":
            for statement in _sqlite_bump(q, "migrate"):
                cursor.execute(statement)
        else:
            cursor.execute(f"INSERT INTO {q(Change._meta.db_table)} (source, n) VALUES ('migrate', 1)")


def _ready(connection) -> bool:
    tables = set(connection.introspection.table_names())
    return {Change._meta.db_table, *(table for table, _ in tracked())} <= tables


def drop_on_migrate(sender, using="default", **kwargs):
    drop(connections[using])


def create_on_migrate(sender, using="default", **kwargs):
    connection = connections[using]
    if _ready(connection):  # a partial migrate before every table exists: the next migrate does it
        create(connection)
