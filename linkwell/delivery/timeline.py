"""The outbox's part of the case timeline: each message that left Linkwell about the case, and
what became of it."""

from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime

from linkwell.cases.timeline import Event, Kind

from .models import Delivery, Status
from .queries import awaiting_among


def _when(at) -> str:
    return date_format(localtime(at), "j M Y H:i")


def _outcome(d: Delivery, awaiting: set[int]) -> str:
    if d.pk in awaiting:  # collected, maybe, but never acknowledged: not "delivered"
        return f"No reply from the practice since {_when(d.sent_at)}"
    if d.status == Status.DELIVERED:
        return f"Delivered {_when(d.delivered_at)}"
    if d.status == Status.FAILED:
        return f"Failed: {d.error}"
    return d.get_status_display()


def events(*, case, user) -> list[Event]:
    deliveries = Delivery.objects.visible_to(user).filter(case=case)
    awaiting = awaiting_among(deliveries)
    return [
        Event(
            at=d.created_at,
            kind=Kind.MESSAGE,
            title=f"{capfirst(d.what)} by {d.get_channel_display().lower()}",
            detail=_outcome(d, awaiting),
        )
        for d in deliveries
    ]
