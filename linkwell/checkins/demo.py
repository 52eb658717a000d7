"""Demo check-ins: the demo connections got a check-in each when they were made (the
signal); those already due are given what a month of real use would leave — answers, the
link worker's tasks for "please call me" and "it wasn't right", and ones not sent because the
person prefers phone calls. Written as rows (as the connections demo does), so nothing is sent.
"""

import random
from datetime import timedelta

from django.utils import timezone

from linkwell.cases.models import Task
from linkwell.people.models import ContactMethod

from .models import Answer, Channel, CheckIn

TASK_TITLES = {
    Answer.CALL_ME: "Phone {name}: they asked for a call about {service}",
    Answer.NOT_RIGHT: "{name} says {service} wasn't right for them: talk about other options",
}


def load(*, seed: int) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 — synthetic demo data, not security
    now = timezone.now()
    answered = not_sent = 0
    due = CheckIn.objects.filter(due_at__lte=now, sent_at__isnull=True).select_related(
        "connection__case__person", "connection__service"
    )
    for checkin in due.order_by("pk"):
        case, person = checkin.connection.case, checkin.connection.case.person
        if person.preferred_contact not in (ContactMethod.TEXT, ContactMethod.EMAIL):
            checkin.not_sent = f"they prefer {person.get_preferred_contact_display().lower()}s"
            checkin.save(update_fields=["not_sent"])
            not_sent += 1
            continue
        checkin.sent_at = checkin.queued_at = checkin.due_at
        checkin.channel = Channel.EMAIL if person.preferred_contact == "email" else Channel.TEXT
        checkin.expires_at = checkin.due_at + timedelta(days=14)
        if rng.random() < 0.8:
            checkin.answer = rng.choice([Answer.YES, Answer.YES, Answer.NOT_YET, *TASK_TITLES])
            checkin.answered_at = checkin.due_at + timedelta(hours=rng.randint(1, 30))
            if checkin.answer in TASK_TITLES and case.is_open:
                title = TASK_TITLES[checkin.answer].format(
                    name=person.given_name, service=checkin.connection.service.name
                )
                checkin.task = Task.objects.create(
                    case=case,
                    title=title[:200],
                    due_on=checkin.answered_at.date(),
                    assigned_to=case.link_worker,
                )
            answered += 1
        checkin.save()
    return {"check-ins answered": answered, "check-ins not sent": not_sent}
