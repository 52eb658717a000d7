"""What the check-ins app holds about a person, for subject access and erasure."""

from .models import CheckIn


def sections(person) -> dict[str, list[dict]]:
    rows = [
        {
            "Service": c.connection.service.name,
            "Due": c.due_at.isoformat(),
            "Sent": c.sent_at.isoformat() if c.sent_at else "",
            "By": c.get_channel_display(),
            "Answer": str(c.get_answer_display()) if c.answer else "",
            "Answered": c.answered_at.isoformat() if c.answered_at else "",
            "Not sent because": c.not_sent,
        }
        for c in CheckIn.objects.filter(connection__case__person=person).select_related(
            "connection__service"
        )
    ]
    return {"Check-ins about services": rows}


def erase(person) -> None:
    """Answers stay (they say whether a service was reached, not who); no link may work any
    more, and nothing more is sent."""
    checkins = CheckIn.objects.filter(connection__case__person=person)
    checkins.filter(answer="").update(token_hash=None, expires_at=None)
    checkins.filter(sent_at__isnull=True, not_sent="").update(not_sent="record erased")
