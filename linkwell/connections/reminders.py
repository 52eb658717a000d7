"""Finding the reminders that are due and queueing them (`linkwell reminders send-due`).

Run it every hour or so (cron, a systemd timer, or the scheduler of your platform). Each
reminder is marked as sent in the same transaction as it is queued, so a rerun sends nothing
twice.
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from linkwell import write_guard
from linkwell.cases.lifecycle import OPEN as OPEN_CASES
from linkwell.cases.models import Task

from . import tasks
from .lifecycle import Status
from .models import Connection, FollowUpReminder


def _nudges(now) -> int:
    """Referrals with no reply for CONNECTION_NUDGE_AFTER_DAYS, again every as many days."""
    before = now - timedelta(days=settings.CONNECTION_NUDGE_AFTER_DAYS)
    due = Connection.objects.select_for_update().filter(
        Q(nudged_at__isnull=True) | Q(nudged_at__lte=before),
        status=Status.SENT,
        status_changed_at__lte=before,
    )
    ids = list(due.values_list("pk", flat=True))
    Connection.objects.filter(pk__in=ids).update(nudged_at=now)
    for pk in ids:
        tasks.notify_provider.enqueue(pk, "nudge")
    return len(ids)


def _follow_ups(now) -> int:
    """One email a day to each link worker with overdue follow-ups on open cases."""
    today = timezone.localdate(now)
    overdue = Task.objects.filter(
        done_at__isnull=True, due_on__lt=today, case__status__in=OPEN_CASES
    ).values_list("assigned_to_id", "case__link_worker_id")
    counts = Counter(assigned or worker for assigned, worker in overdue if assigned or worker)
    sent = 0
    for user_id, count in sorted(counts.items()):
        _, created = FollowUpReminder.objects.get_or_create(user_id=user_id, on=today)
        if created:
            tasks.remind_link_worker.enqueue(user_id, count)
            sent += 1
    return sent


def _sessions(now) -> int:
    """Reminders to people (who asked for them) before a first session."""
    due = Connection.objects.select_for_update().filter(
        status=Status.ACCEPTED,
        person_reminded_at__isnull=True,
        first_session_at__gt=now,
        first_session_at__lte=now + timedelta(hours=settings.SESSION_REMINDER_HOURS),
    )
    ids = list(due.values_list("pk", flat=True))
    Connection.objects.filter(pk__in=ids).update(person_reminded_at=now)
    for pk in ids:
        tasks.remind_person.enqueue(pk)
    return len(ids)


@write_guard.service
@transaction.atomic
def send_due(now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "provider nudges": _nudges(now),
        "follow-up reminders": _follow_ups(now),
        "session reminders": _sessions(now),
    }
