# Every service carries ORUK last_modified (for /oruk/services?modified_after=…): rows without
# one take the time they were last imported, else now.

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    Service.objects.filter(last_modified__isnull=True).update(
        last_modified=Coalesce("imported_at", models.Value(django.utils.timezone.now()))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_matchpoint_online_recent"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="service",
            name="last_modified",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
    ]
