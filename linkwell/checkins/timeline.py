"""The check-ins app's part of the case timeline: each check-in sent, and each answer."""

from linkwell.cases.timeline import Event, Kind
from linkwell.connections.queries import for_link_worker

from .models import Answer, CheckIn


def events(*, case, user) -> list[Event]:
    checkins = CheckIn.objects.filter(
        connection__in=for_link_worker(user).filter(case=case)
    ).select_related("connection__service")
    found = []
    for c in checkins:
        service = c.connection.service.name
        how = c.get_channel_display().lower()
        if c.sent_at:
            found.append(
                Event(
                    at=c.sent_at,
                    kind=Kind.CHECKIN,
                    title=f"Asked whether they got to {service} ({how})",
                )
            )
        if c.answered_at:
            found.append(
                Event(
                    at=c.answered_at,
                    kind=Kind.CHECKIN,
                    title=f"Answered about {service}: “{Answer(c.answer).label}”",
                )
            )
    return found
