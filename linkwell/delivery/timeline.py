"""The outbox's part of the case timeline: each message that left Linkwell about the case, and
what became of it."""

from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime

from linkwell.cases.timeline import Event, Kind

from .models import Delivery, Status


def _outcome(d: Delivery) -> str:
    if d.status == Status.DELIVERED:
        return f"Delivered {date_format(localtime(d.delivered_at), 'j M Y H:i')}"
    if d.status == Status.FAILED:
        return f"Failed: {d.error}"
    return d.get_status_display()


def events(*, case, user) -> list[Event]:
    return [
        Event(
            at=d.created_at,
            kind=Kind.MESSAGE,
            title=f"{capfirst(d.what)} by {d.get_channel_display().lower()}",
            detail=_outcome(d),
        )
        for d in Delivery.objects.visible_to(user).filter(case=case)
    ]
