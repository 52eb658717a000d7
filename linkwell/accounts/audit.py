"""Writing the audit log. Every view and change of a person's record comes through here.

Who and from where is taken from the current request (set by AuditContextMiddleware), so
service functions need only say what happened.
"""

from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models

from linkwell.logs import mask_link_secrets

from .models import AuditAction, AuditEntry

READS = ("GET", "HEAD")


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    path: str
    method: str = "GET"
    people_read: set = field(default_factory=set)  # whose VIEW entry this request has written


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def _fits(name: str, value: str) -> str:
    """Clipped to the column: an attacker's 60-character id must not turn a 404 into a 500
    on PostgreSQL, which (unlike SQLite) enforces a varchar's length."""
    column = AuditEntry._meta.get_field(name)
    return value[: column.max_length] if isinstance(column, models.CharField) else value


def record(
    *,
    user,
    action: AuditAction,
    obj=None,
    object_type: str = "",
    object_id="",
    person_id=None,
    **detail,
) -> AuditEntry:
    context = current_request.get()
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=_fits("username", getattr(user, "username", "") or ""),
        action=action,
        object_type=_fits("object_type", obj._meta.label_lower if obj is not None else object_type),
        object_id=_fits("object_id", str(obj.pk) if obj is not None else str(object_id)),
        person_id=person_id,
        ip_address=context.ip_address if context else None,
        # A single-use link's page (/accounts/link/…, /c/…) must not leave it whole in the log.
        path=_fits("path", mask_link_secrets(context.path)) if context else "",
        detail=detail,
    )


def is_read() -> bool:
    """Whether the current request only reads (outside a request, e.g. a command: yes)."""
    context = current_request.get()
    return context is None or context.method in READS


def record_read(*, person_id: int, by, **detail) -> AuditEntry | None:
    """A person's record was read: one VIEW entry per person per request."""
    context = current_request.get()
    if context is not None:
        if person_id in context.people_read:
            return None
        context.people_read.add(person_id)
    return record(
        user=by,
        action=AuditAction.VIEW,
        object_type="people.person",
        object_id=person_id,
        person_id=person_id,
        **detail,
    )
