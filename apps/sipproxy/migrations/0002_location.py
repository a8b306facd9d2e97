"""Kamailio's registrations table (`location`, usrloc table version 9, Kamailio 5.6), in sipxweb's database.

usrloc writes and reads it itself (pbx/kamailio/kamailio.cfg: write-back on SQLite, DB-only on PostgreSQL), so
registrations survive a restart of Kamailio and, on PostgreSQL, every Kamailio node sees every phone
(docs/sipproxy.md, "Beyond one machine"). It is no Django model: sipxweb never reads or writes a registration,
the PBX data file does not export it (registrations are runtime state, not configuration), and the columns,
their types and the table's name are Kamailio's, not ours to choose. The types are the ones Kamailio's own
schema gives this table; only the key column differs between SQLite and PostgreSQL."""

from django.db import migrations

TABLE = "location"

COLUMNS = (
    ("ruid", "VARCHAR(64) DEFAULT '' NOT NULL"),
    ("username", "VARCHAR(64) DEFAULT '' NOT NULL"),
    ("domain", "VARCHAR(64) DEFAULT NULL"),
    ("contact", "VARCHAR(512) DEFAULT '' NOT NULL"),
    ("received", "VARCHAR(128) DEFAULT NULL"),
    ("path", "VARCHAR(512) DEFAULT NULL"),
    # Kamailio writes and compares these as its local time: every node must run in the same time zone.
    ("expires", "TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL"),
    ("q", "REAL DEFAULT 1.0 NOT NULL"),
    ("callid", "VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL"),
    ("cseq", "INTEGER DEFAULT 1 NOT NULL"),
    ("last_modified", "TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL"),
    ("flags", "INTEGER DEFAULT 0 NOT NULL"),
    ("cflags", "INTEGER DEFAULT 0 NOT NULL"),
    ("user_agent", "VARCHAR(255) DEFAULT '' NOT NULL"),
    ("socket", "VARCHAR(64) DEFAULT NULL"),
    ("methods", "INTEGER DEFAULT NULL"),
    ("instance", "VARCHAR(255) DEFAULT NULL"),
    ("reg_id", "INTEGER DEFAULT 0 NOT NULL"),
    ("server_id", "INTEGER DEFAULT 0 NOT NULL"),
    ("connection_id", "INTEGER DEFAULT 0 NOT NULL"),
    ("keepalive", "INTEGER DEFAULT 0 NOT NULL"),
    ("partition", "INTEGER DEFAULT 0 NOT NULL"),
)

# What usrloc looks rows up by: the AOR (every lookup and save in DB-only mode), the expiry (the timer's
# cleanup), the TCP connection (a lost connection's contacts).
INDEXES = (
    ("location_account_contact_idx", ("username", "domain", "contact")),
    ("location_expires_idx", ("expires",)),
    ("location_tcpcon_idx", ("connection_id",)),
    ("location_connection_idx", ("server_id", "connection_id")),
)

KEY = {"sqlite": "INTEGER PRIMARY KEY NOT NULL", "postgresql": "SERIAL PRIMARY KEY NOT NULL"}


def create_location(apps, schema_editor):
    connection = schema_editor.connection
    q = connection.ops.quote_name
    # Another vendor cannot run Kamailio against it anyway (apps/sipproxy/services.py database_url refuses it).
    key = KEY.get(connection.vendor, "INTEGER PRIMARY KEY NOT NULL")
    columns = ", ".join([f"{q('id')} {key}", *(f"{q(name)} {kind}" for name, kind in COLUMNS)])
    schema_editor.execute(f"CREATE TABLE {q(TABLE)} ({columns}, CONSTRAINT location_ruid_idx UNIQUE ({q('ruid')}))")
    for name, fields in INDEXES:
        schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(TABLE)} ({', '.join(q(f) for f in fields)})")


def drop_location(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.connection.ops.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("sipproxy", "0001_initial")]

    operations = [migrations.RunPython(create_location, drop_location)]
