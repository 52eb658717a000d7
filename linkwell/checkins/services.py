"""Check-ins: scheduling them, and taking the person's answer through its single-use link.

The answer is kept only if a conditional UPDATE spends the link in the same transaction, so
two taps cannot both count. An answer moves the connection on only where its lifecycle table
allows it (`yes` → attended); otherwise it is recorded and the link worker is given a task.
Refused links and answers change nothing and are audited after the rollback.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.secrets_store import LinkRefused, by_secret, live
from linkwell.cases.services import add_task
from linkwell.connections import lifecycle
from linkwell.connections.lifecycle import Status
from linkwell.connections.models import Connection
from linkwell.connections.services import update_status

from .models import Answer, CheckIn

LATEST = timedelta(days=366)


class CheckInError(ValidationError):
    """A check-in cannot be set as asked; the message says why."""


def schedule(*, connection: Connection, by=None, due_at: datetime | None = None, attempt=1):
    """A new check-in for the connection, by default CHECKIN_AFTER_DAYS after it was made."""
    due_at = due_at or connection.created_at + timedelta(days=settings.CHECKIN_AFTER_DAYS)
    return CheckIn.objects.create(
        connection=connection,
        due_at=due_at,
        attempt=attempt,
        created_by=by if by is not None and by.is_authenticated else None,
    )


@write_guard.service
@transaction.atomic
def set_due(*, connection: Connection, due_at: datetime, by) -> CheckIn:
    """The link worker's time for the next check-in: moves the one waiting to be sent, or
    schedules one (after an earlier one was answered, say)."""
    connection = Connection.objects.select_for_update().select_related("case").get(pk=connection.pk)
    if not connection.case.is_open:
        raise CheckInError({"due_at": "This case is closed, so no check-in will be sent."})
    if not connection.is_open:
        raise CheckInError(
            {"due_at": f"This referral is {connection.get_status_display().lower()}."}
        )
    now = timezone.now()
    if due_at < now - timedelta(minutes=5):
        raise CheckInError({"due_at": "Choose a time from now on."})
    if due_at > now + LATEST:
        raise CheckInError({"due_at": "Choose a time within the next year."})
    pending = [c for c in connection.checkins.select_for_update() if c.is_pending]
    if pending:
        checkin = pending[0]
        checkin.due_at = due_at
        checkin.save(update_fields=["due_at"])
    else:
        checkin = schedule(connection=connection, by=by, due_at=due_at)
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=checkin,
        person_id=connection.case.person_id,
        due_at=due_at.isoformat(),
    )
    return checkin


def _find(token: str, *, lock: bool = False) -> CheckIn:
    rows = CheckIn.objects.select_related("connection__service", "connection__case__person")
    if lock:
        rows = rows.select_for_update(of=("self",))
    checkin = live(by_secret(rows, token), spent="answer")
    connection = checkin.connection
    if not connection.case.is_open:
        raise LinkRefused("case closed", status=409)
    if connection.status == Status.WITHDRAWN:
        raise LinkRefused("referral withdrawn", status=409)
    return checkin


def _refused(error: LinkRefused, token: str, **detail) -> None:
    checkin = by_secret(CheckIn.objects.select_related("connection__case"), token)
    audit.record(
        user=None,
        action=AuditAction.DENIED,
        obj=checkin,
        object_type="checkins.checkin",
        person_id=checkin.connection.case.person_id if checkin else None,
        refused=error.reason,
        **detail,
    )


def open_checkin(token: str) -> CheckIn:
    """The live check-in for a token, for showing its question; views and refusals audited."""
    try:
        checkin = _find(token)
    except LinkRefused as e:
        _refused(e, token)
        raise
    audit.record(
        user=None,
        action=AuditAction.VIEW,
        obj=checkin,
        person_id=checkin.connection.case.person_id,
        via="check-in link",
    )
    return checkin


def answer(*, token: str, answer: str) -> CheckIn:
    """Record the person's one-tap answer and act on it, or change nothing."""
    try:
        with transaction.atomic():
            return _answer(token, answer)
    except LinkRefused as e:
        _refused(e, token, answer=str(answer)[:20])
        raise


def _answer(token: str, given: str) -> CheckIn:
    if given not in Answer.values:
        raise LinkRefused("unknown answer", status=400)
    checkin = _find(token, lock=True)
    now = timezone.now()
    spent = CheckIn.objects.filter(pk=checkin.pk, answer="").update(answer=given, answered_at=now)
    if spent != 1:
        raise LinkRefused("used")
    checkin.answer, checkin.answered_at = given, now
    connection = checkin.connection
    checkin.task = ACTIONS[given](checkin, connection)
    if checkin.task is not None:
        checkin.save(update_fields=["task"])
    audit.record(
        user=None,
        action=AuditAction.UPDATE,
        obj=checkin,
        person_id=connection.case.person_id,
        answer=given,
        via="check-in link",
    )
    return checkin


def _task(connection: Connection, title: str):
    service = connection.service.name
    name = connection.case.person.given_name
    return add_task(
        case=connection.case,
        title=title.format(name=name, service=service)[:200],
        due_on=timezone.localdate(),
        by=None,
    )


def _yes(checkin: CheckIn, connection: Connection):
    if lifecycle.allowed(connection.status, Status.ATTENDED):
        update_status(connection=connection, to=Status.ATTENDED, by=None, via="person's check-in")
        return None
    if connection.is_open:
        # Not forced: the service has not accepted yet, so the link worker checks with them.
        return _task(connection, "Check with {service}: {name} says they went there")
    return None


def _not_yet(checkin: CheckIn, connection: Connection):
    if checkin.attempt == 1 and connection.is_open:
        again = timezone.now() + timedelta(days=settings.CHECKIN_AGAIN_AFTER_DAYS)
        schedule(connection=connection, due_at=again, attempt=2)
        return None
    return _task(connection, "{name} has not got to {service} yet: talk about what is in the way")


def _not_right(checkin: CheckIn, connection: Connection):
    return _task(
        connection, "{name} says {service} wasn't right for them: talk about other options"
    )


def _call_me(checkin: CheckIn, connection: Connection):
    return _task(connection, "Phone {name}: they asked for a call about {service}")


ACTIONS = {
    Answer.YES: _yes,
    Answer.NOT_YET: _not_yet,
    Answer.NOT_RIGHT: _not_right,
    Answer.CALL_ME: _call_me,
}


def person_for(token: str):
    """Whose check-in the token names, if any (to word a refusal in their language)."""
    checkin = by_secret(CheckIn.objects.select_related("connection__case__person"), token)
    return checkin.connection.case.person if checkin else None
