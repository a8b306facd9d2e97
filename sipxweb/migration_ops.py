"""Migration operations the apps share."""

from django.db import migrations


class AddFieldInPlace(migrations.AddField):
    """AddField that adds the column in place on SQLite. There Django rebuilds a table to add a NOT NULL column (a new
    table, the rows copied, the old one dropped), which SQLite refuses while a view reads the table, as the SIP
    proxy's views (apps/sipproxy/dbviews.py) read users_user; ALTER TABLE ADD COLUMN with the field's default as the
    column's needs no rebuild. Other databases add the field as AddField does."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        definition, params = schema_editor.column_sql(model, field, include_default=True)
        definition = definition % tuple(schema_editor.quote_value(p) for p in params)
        table, column = schema_editor.quote_name(model._meta.db_table), schema_editor.quote_name(field.column)
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
