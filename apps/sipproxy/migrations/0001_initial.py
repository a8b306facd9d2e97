from django.db import migrations, models


def create_views(apps, schema_editor):
    from apps.sipproxy import dbviews

    dbviews.create(schema_editor.connection)


def drop_views(apps, schema_editor):
    from apps.sipproxy import dbviews

    dbviews.drop(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("users", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="SipDomain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=255)),
            ],
        ),
        # Kamailio's auth_db and alias_db read these (apps/sipproxy/dbviews.py); every later migrate rebuilds them.
        migrations.RunPython(create_views, drop_views),
    ]
