"""Writing the audit log. Every view and change of a person's record comes through here.

Who and from where is taken from the current request (set by AuditContextMiddleware), so
service functions need only say what happened.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from .models import AuditAction, AuditEntry


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    path: str


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


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
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else str(object_id),
        person_id=person_id,
        ip_address=context.ip_address if context else None,
        path=context.path[:300] if context else "",
        detail=detail,
    )
