"""The cases app's part of the Today inbox: follow-ups due, and people who referred themselves."""

from linkwell.inbox import Entry, Section

from .lifecycle import Status
from .models import Case, ReferralSource, Task


def _task(task: Task) -> Entry:
    return Entry(
        at=task.due_on,
        case_id=task.case_id,
        person=task.case.person.full_name,
        text=task.title,
        anchor="tasks",
        flag="Overdue" if task.is_overdue else "",
    )


def _self_referral(case: Case) -> Entry:
    return Entry(
        at=case.referral.received_at,
        case_id=case.pk,
        person=case.person.full_name,
        text="Referred themselves: " + ", ".join(case.referral.reason_labels()),
    )


def sections(*, cases, today, since) -> list[Section]:
    tasks = (
        Task.objects.filter(case__in=cases, done_at__isnull=True, due_on__lte=today)
        .select_related("case__person")
        .order_by("due_on", "id")
    )
    self_referrals = (
        cases.filter(
            status=Status.RECEIVED,
            referral__source=ReferralSource.SELF,
            referral__received_at__gte=since,
        )
        .select_related("person", "referral")
        .order_by("-referral__received_at")
    )
    return [
        Section(
            "tasks",
            "Follow-ups due today or overdue",
            "No follow-ups due.",
            tasks,
            _task,
        ),
        Section(
            "self-referrals",
            "New self-referrals",
            "No one has referred themselves this week.",
            self_referrals,
            _self_referral,
        ),
    ]
