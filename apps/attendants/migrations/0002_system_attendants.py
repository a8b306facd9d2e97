"""The two system attendants sipXconfig always has, and the special-mode row (off, nothing selected)."""

from django.db import migrations


def create(apps, schema_editor):
    AutoAttendant = apps.get_model("attendants", "AutoAttendant")
    SpecialMode = apps.get_model("attendants", "SpecialMode")
    for name, system_id, description in (
        ("operator", "operator", "The operator attendant"),
        ("After hours", "afterhour", "The after-hours attendant"),
    ):
        if not AutoAttendant.objects.filter(system_id=system_id).exists():
            AutoAttendant.objects.create(name=name, system_id=system_id, description=description)
    SpecialMode.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("attendants", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
