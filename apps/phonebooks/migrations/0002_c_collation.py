"""PostgreSQL: the sort and search columns use the "C" collation, so ORDER BY is plain string (byte) order as on
SQLite (BINARY) and as sipXconfig's Java string keys, and prefix ranges on `word` are index range scans."""

from django.db import migrations

COLUMNS = [
    ("phonebooks_phonebookentry", "sort_key", "text"),
    ("phonebooks_phonebookentry", "first_name", "varchar(255)"),
    ("phonebooks_phonebookentry", "last_name", "varchar(255)"),
    ("phonebooks_phonebookentry", "number", "varchar(255)"),
    ("phonebooks_entryword", "word", "varchar(100)"),
]


def c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, sql_type in COLUMNS:
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {sql_type} COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("phonebooks", "0001_initial")]

    operations = [migrations.RunPython(c_collation, migrations.RunPython.noop)]
