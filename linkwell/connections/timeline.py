"""The connections app's part of the case timeline: each referral to a service and every
reply or status change since, with who made it and how (case page, provider portal, email)."""

from linkwell.cases.timeline import Event, Kind, name_of

from .lifecycle import Status
from .models import ConnectionEvent
from .queries import for_link_worker


def events(*, case, user) -> list[Event]:
    rows = ConnectionEvent.objects.filter(
        connection__in=for_link_worker(user).filter(case=case)
    ).select_related("connection__service", "by")
    return [
        Event(
            at=e.at,
            kind=Kind.CONNECTION,
            title=(
                f"Referred to {e.connection.service.name}"
                if e.to_status == Status.SENT
                else f"{e.connection.service.name}: {e.get_to_status_display().lower()}"
            ),
            detail=e.reason,
            by=", ".join(filter(None, [name_of(e.by), f"by {e.via}" if e.via else ""])),
        )
        for e in rows
    ]
