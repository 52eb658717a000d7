"""Every new connection gets a check-in, CHECKIN_AFTER_DAYS after it was made.

A receiver, so the connections app needs no change to gain check-ins; it runs inside the
transaction that creates the connection, so a rolled-back referral leaves no check-in.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from linkwell.connections.models import Connection

from .services import schedule


@receiver(post_save, sender=Connection, dispatch_uid="checkins.schedule_for_new_connection")
def schedule_for_new_connection(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        schedule(connection=instance, by=instance.created_by)
