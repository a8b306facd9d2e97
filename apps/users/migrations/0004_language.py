from django.db import migrations, models

from sipxweb.migration_ops import AddFieldInPlace


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_availability"),
    ]

    operations = [
        AddFieldInPlace(
            model_name="user",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="language"),
        ),
    ]
