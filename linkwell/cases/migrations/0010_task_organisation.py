"""Each task carries its case's PCN, so a PCN's open tasks come from their own index."""

import django.db.models.deletion
from django.db import migrations, models


def from_the_case(apps, schema_editor):
    Task = apps.get_model("cases", "Task")
    Case = apps.get_model("cases", "Case")
    Task.objects.update(
        organisation_id=models.Subquery(
            Case.objects.filter(pk=models.OuterRef("case_id")).values("organisation_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_inbox_digest"),
        ("cases", "0009_referral_identifier"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(from_the_case, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="task",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(done_at__isnull=True),
                fields=["organisation", "due_on"],
                name="cases_task_open_by_pcn",
            ),
        ),
    ]
