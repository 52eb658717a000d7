"""Fetching one record the user may see, or a 404 that is written to the audit log."""

from django.http import Http404

from . import audit
from .models import AuditAction


def visible_or_404(queryset, pk, user):
    """`queryset` is already scoped by the model's `visible_to(user)`.

    Someone else's record and a record that does not exist look the same from outside (404),
    so an id cannot be probed; the attempt is audited either way.
    """
    try:
        obj = queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        audit.record(
            user=user,
            action=AuditAction.DENIED,
            object_type=queryset.model._meta.label_lower,
            object_id=pk,
        )
        raise Http404("No such record, or it is not yours to see.")
    return obj
