"""The check-ins' part of the Today inbox: what people answered this week."""

from linkwell.inbox import Entry, Section

from .models import Answer, CheckIn


def _answer(checkin: CheckIn) -> Entry:
    connection = checkin.connection
    return Entry(
        at=checkin.answered_at,
        case_id=connection.case_id,
        person=connection.case.person.full_name,
        text=f"“{Answer(checkin.answer).label}” about {connection.service.name}",
        anchor="check-ins",
        page="cases:case_connections",
        flag="Call them" if checkin.answer == Answer.CALL_ME else "",
    )


def sections(*, cases, today, since) -> list[Section]:
    answers = (
        CheckIn.objects.filter(connection__case__in=cases, answered_at__gte=since)
        .exclude(answer="")
        .select_related("connection__case__person", "connection__service")
        .order_by("-answered_at")
    )
    return [Section("check-ins", "Check-in answers", "No answers this week.", answers, _answer)]
