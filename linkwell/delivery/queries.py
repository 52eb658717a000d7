"""What the outbox is waiting for: MESH messages the practice has not answered.

GP Connect Send Document asks the sender to notice when the practice's business
acknowledgement does not come within an agreed time and to tell an appropriate person
(GPCM-SD-095, GPCM-SD-096). The time is MESH_ACK_CHASE_HOURS; a negative acknowledgement is
not "no reply" but a failure (status FAILED), shown with the practice's reason.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Channel, Delivery, Status


def awaiting_reply(deliveries: QuerySet | None = None, *, now=None) -> QuerySet:
    """The MESH messages among `deliveries` (default all) sent more than MESH_ACK_CHASE_HOURS
    ago whose practice has neither acknowledged them nor told a link worker it has them.
    Collected by the practice (DELIVERED by MESH's tracking) still counts: collected is not
    filed."""
    rows = Delivery.objects.all() if deliveries is None else deliveries
    due = (now or timezone.now()) - timedelta(hours=settings.MESH_ACK_CHASE_HOURS)
    return rows.filter(
        channel=Channel.MESH,
        status__in=[Status.SENT, Status.DELIVERED],
        sent_at__lt=due,
        acknowledged_at__isnull=True,
    )


def awaiting_among(deliveries) -> set[int]:
    """The ids of those of `deliveries` (a queryset, or rows already fetched) that await the
    practice's reply: for the pages that mark them."""
    if not isinstance(deliveries, QuerySet):
        deliveries = Delivery.objects.filter(pk__in=[d.pk for d in deliveries])
    return set(awaiting_reply(deliveries).values_list("pk", flat=True))
