"""Onward referrals: every change to a connection goes through these functions.

Each change is atomic, checks the lifecycle table, writes the connection's history and the
audit log, and raises ConnectionRuleError (a ValidationError, so forms and the API show it by
the field). A refused change is audited too, after its transaction has rolled back, so the
refusal is on record while nothing else changed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.secrets_store import LinkRefused
from linkwell.cases.models import Case
from linkwell.directory.models import ServiceStatus
from linkwell.people.models import ConsentScope
from linkwell.people.services import record_consent

from . import lifecycle, tasks
from .lifecycle import Status
from .models import Connection, ConnectionEvent, SharedDetail
from .notifications import provider_email, provider_users
from .provider_links import live_link


class ConnectionRuleError(ValidationError):
    """A rule of onward referral was broken; the message says how to put it right."""


def _check_text(field: str, value: str) -> None:
    if len(value or "") > settings.MAX_NOTE_LENGTH:
        raise ConnectionRuleError(
            {field: f"Keep this under {settings.MAX_NOTE_LENGTH} characters."}
        )


def refused(*, by, error: ValidationError, connection=None, person_id=None, **detail) -> None:
    """Audit a refused change (after its transaction rolled back, so the entry stays)."""
    audit.record(
        user=by,
        action=AuditAction.DENIED,
        obj=connection,
        object_type="connections.connection",
        person_id=connection.case.person_id if connection is not None else person_id,
        refused="; ".join(sum(error.message_dict.values(), [])),
        **detail,
    )


@write_guard.service
@transaction.atomic
def refer(
    *,
    case,
    service,
    shared_details,
    consent_given: bool,
    by,
    note: str = "",
    first_session_at=None,
    wants_reminder: bool = False,
) -> Connection:
    """Send the person's referral to a directory service, with what they agreed to share.

    `wants_reminder`: the person asked for a text or email before their first session; that
    consent to be contacted is recorded in the same transaction as the referral.
    """
    # Locked, so two clicks on "Send" queue and the second finds the first's open referral.
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if not case.is_open:
        raise ConnectionRuleError({"case": "This case is closed. Reopen it before referring."})
    if service.status != ServiceStatus.ACTIVE or service.retired_at is not None:
        raise ConnectionRuleError({"service": f"{service.name} is not running at the moment."})
    codes = list(dict.fromkeys(shared_details or []))
    unknown = [c for c in codes if c not in SharedDetail.values]
    if unknown:
        raise ConnectionRuleError({"shared_details": f"Unknown detail: {', '.join(unknown)}."})
    if not codes:
        raise ConnectionRuleError(
            {"shared_details": "Choose at least one detail, so the service can reach them."}
        )
    if consent_given is not True:
        raise ConnectionRuleError(
            {"consent_given": "The person must agree to share these details with the service."}
        )
    _check_text("note", note)
    if Connection.objects.filter(case=case, service=service, status__in=lifecycle.OPEN).exists():
        raise ConnectionRuleError(
            {"service": f"{case.person.given_name} already has an open referral to {service}."}
        )
    now = timezone.now()
    connection = Connection.objects.create(
        case=case,
        service=service,
        shared_details=codes,
        note=note,
        first_session_at=first_session_at,
        created_at=now,
        status_changed_at=now,
        created_by=by,
    )
    ConnectionEvent.objects.create(
        connection=connection, at=now, by=by, via="case page", to_status=Status.SENT
    )
    shared = ", ".join(SharedDetail(c).label.lower() for c in codes)
    record_consent(
        person=case.person,
        scope=ConsentScope.SHARE_WITH_PROVIDERS,
        given=True,
        by=by,
        method=f"agreed to share {shared} with {service.name}"[:100],
    )
    if wants_reminder:
        record_consent(
            person=case.person,
            scope=ConsentScope.CONTACT,
            given=True,
            by=by,
            method="asked for session reminders",
        )
    audit.record(
        user=by,
        action=AuditAction.CREATE,
        obj=connection,
        person_id=case.person_id,
        service=service.pk,
        shared=codes,
    )
    # The task is stored in this transaction (database backend): no notice for a rolled-back
    # referral, and none lost if the process stops after committing.
    tasks.notify_provider.enqueue(connection.pk, "new")
    return connection


@write_guard.service
@transaction.atomic
def _apply(
    *,
    connection: Connection,
    to: str,
    by,
    via: str,
    reason: str,
    provider: bool,
    unchanged_since=None,
):
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if unchanged_since is not None and connection.status_changed_at != unchanged_since:
        raise ConnectionRuleError(
            {"unchanged_since": "The referral has moved on since you read it: read it again."}
        )
    if to not in Status.values:
        raise ConnectionRuleError({"to": f"Unknown status {to!r}."})
    if provider and to not in lifecycle.PROVIDER_STEPS:
        raise ConnectionRuleError({"to": "Only the link worker can withdraw a referral."})
    if not lifecycle.allowed(connection.status, to):
        raise ConnectionRuleError(
            {
                "to": f"A referral that is {connection.get_status_display().lower()} cannot "
                f"become {Status(to).label.lower()}."
            }
        )
    reason = (reason or "").strip()
    if to in lifecycle.NEEDS_REASON and not reason:
        raise ConnectionRuleError({"reason": f"Say why it is {Status(to).label.lower()}."})
    _check_text("reason", reason)
    now = timezone.now()
    ConnectionEvent.objects.create(
        connection=connection,
        at=now,
        by=by if by is not None and by.is_authenticated else None,
        via=via,
        from_status=connection.status,
        to_status=to,
        reason=reason,
    )
    old, connection.status, connection.status_changed_at = connection.status, to, now
    connection.save(update_fields=["status", "status_changed_at"])
    audit.record(
        user=by,
        action=AuditAction.TRANSITION,
        obj=connection,
        person_id=connection.case.person_id,
        from_status=old,
        to_status=to,
        via=via,
    )
    return connection


def update_status(
    *,
    connection: Connection,
    to: str,
    by,
    via: str,
    reason: str = "",
    provider: bool = False,
    unchanged_since=None,
) -> Connection:
    """Move the connection on, if the table allows it; `provider` limits it to their steps;
    `unchanged_since` (the status time the caller read) refuses it if another change came
    first (FHIR If-Match)."""
    try:
        return _apply(
            connection=connection,
            to=to,
            by=by,
            via=via,
            reason=reason,
            provider=provider,
            unchanged_since=unchanged_since,
        )
    except ConnectionRuleError as e:
        refused(by=by, connection=connection, error=e, to_status=to, via=via)
        raise


def remind_provider(*, connection: Connection, by) -> bool:
    """Queue a reminder to the service about an open referral (a fresh link if they have no
    accounts). False when there is nobody to write to or nothing to remind about."""
    if not connection.is_open or not (provider_users(connection) or provider_email(connection)):
        return False
    tasks.notify_provider.enqueue(connection.pk, "reminder")
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=connection,
        person_id=connection.case.person_id,
        event="provider reminded",
    )
    return True


def _refused_link(error: LinkRefused) -> None:
    audit.record(
        user=None,
        action=AuditAction.DENIED,
        object_type="connections.providerlink",
        refused=error.reason,
    )


def check_link(token: str):
    """The live link, for showing its page; a refusal is audited."""
    try:
        return live_link(token)
    except LinkRefused as e:
        _refused_link(e)
        raise


def use_provider_link(*, token: str, to: str, reason: str = "") -> Connection:
    """One status update through an emailed link; the link is spent in the same transaction.

    Unknown, used or expired links, and steps the table forbids, change nothing and are audited.
    """
    try:
        with transaction.atomic():
            link = live_link(token, lock=True)
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
            connection = _apply(
                connection=link.connection,
                to=to,
                by=None,
                via="email link",
                reason=reason,
                provider=True,
            )
            if connection.is_open:
                tasks.notify_provider.enqueue(connection.pk, "next")
            return connection
    except LinkRefused as e:
        _refused_link(e)
        raise
    except ConnectionRuleError as e:
        connection = live_link(token).connection
        refused(by=None, connection=connection, error=e, to_status=to, via="email link")
        raise
