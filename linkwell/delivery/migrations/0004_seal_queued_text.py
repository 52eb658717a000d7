"""Seal the text of messages still waiting to be sent (sealing.py); sent and failed ones have
none. Reversible: unsealing puts the text back as it was."""

from django.db import migrations

WAITING = ["queued", "sending"]


def _convert(apps, change):
    Delivery = apps.get_model("delivery", "Delivery")
    for delivery in Delivery.objects.filter(status__in=WAITING).exclude(body=""):
        delivery.body = change(delivery.body)
        delivery.save(update_fields=["body"])


def seal(apps, schema_editor):
    from linkwell.delivery.sealing import seal

    _convert(apps, seal)


def unseal(apps, schema_editor):
    from linkwell.delivery.sealing import unseal

    _convert(apps, unseal)


class Migration(migrations.Migration):
    dependencies = [("delivery", "0003_to_person")]

    operations = [migrations.RunPython(seal, unseal)]
