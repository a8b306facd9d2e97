from django.db import migrations, models

NEW_FIELDS = ("language",)


def add_columns(apps, schema_editor):
    """users_user.language. SQLite rebuilds a table to add a NOT NULL column, which it refuses while the SIP proxy's
    views (apps/sipproxy/dbviews.py) read the table: there the column is added in place, its default the column's
    (as 0003_availability does)."""
    user = apps.get_model("users", "User")
    for name in NEW_FIELDS:
        field = user._meta.get_field(name)
        if schema_editor.connection.vendor != "sqlite":
            schema_editor.add_field(user, field)
            continue
        definition, params = schema_editor.column_sql(user, field, include_default=True)
        definition = definition % tuple(schema_editor.quote_value(p) for p in params)
        table, column = schema_editor.quote_name(user._meta.db_table), schema_editor.quote_name(field.column)
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def remove_columns(apps, schema_editor):
    user = apps.get_model("users", "User")
    for name in NEW_FIELDS:
        schema_editor.remove_field(user, user._meta.get_field(name))


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_availability"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="user",
                    name="language",
                    field=models.CharField(blank=True, default="", max_length=8, verbose_name="language"),
                ),
            ],
        ),
        migrations.RunPython(add_columns, remove_columns),
    ]
