"""The message back's part of the case timeline: each one sent to the GP or the referrer."""

from linkwell.cases.timeline import Event, Kind, name_of

from .models import MessageBack


def events(*, case, user) -> list[Event]:
    return [
        Event(
            at=m.sent_at,
            kind=Kind.MESSAGE,
            title=f"Message back sent to {m.recipient_name} ({m.get_recipient_display()})",
            by=name_of(m.sent_by),
        )
        for m in MessageBack.objects.visible_to(user).filter(case=case).select_related("sent_by")
    ]
