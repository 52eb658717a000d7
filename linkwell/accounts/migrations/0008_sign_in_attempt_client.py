"""Wrong API tokens are counted per client as limits count them: the IPv4 address, or an IPv6
address's /64 (linkwell.client_address.limit_key)."""

from django.db import migrations, models

from linkwell.client_address import limit_key


def from_the_address(apps, schema_editor):
    SignInAttempt = apps.get_model("accounts", "SignInAttempt")
    batch = []
    for attempt in SignInAttempt.objects.exclude(ip_address=None).only("ip_address").iterator():
        attempt.client = limit_key(attempt.ip_address)
        batch.append(attempt)
        if len(batch) == 1000:
            SignInAttempt.objects.bulk_update(batch, ["client"])
            batch = []
    SignInAttempt.objects.bulk_update(batch, ["client"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_inbox_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="signinattempt",
            name="client",
            field=models.CharField(blank=True, db_index=True, max_length=50),
        ),
        migrations.RunPython(from_the_address, migrations.RunPython.noop),
    ]
