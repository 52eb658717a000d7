"""Fetching one record the user may see, or a 404 that is written to the audit log; and the
reading of a person's record, audited here so no view has to remember to."""

from django.http import Http404

from . import audit
from .models import AuditAction

# Ids are positive 64-bit integers in both databases: anything else names no record (a longer
# number overflowed SQLite's INTEGER and PostgreSQL's bigint: a 500, not a 404).
_MAX_ID = 2**63 - 1
# How a record reaches the person it is about: itself, or through its case or care plan.
_TO_PERSON = ("person_id", "case.person_id", "care_plan.case.person_id")


def record_id(pk) -> int | None:
    """The id named by a URL or a body, or None when it cannot name a record."""
    if isinstance(pk, bool):
        return None
    if isinstance(pk, int):
        return pk if 0 < pk <= _MAX_ID else None
    text = str(pk)
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= _MAX_ID else None


def person_of(obj) -> int | None:
    """The id of the person whose record `obj` is part of, or None (an organisation, a
    directory service)."""
    if obj._meta.label_lower == "people.person":
        return obj.pk
    for path in _TO_PERSON:
        value = obj
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


def visible_or_404(queryset, pk, user, **detail):
    """`queryset` is already scoped by the model's `visible_to(user)`.

    Someone else's record and a record that does not exist look the same from outside (404),
    so an id cannot be probed; the attempt is audited either way. A read (GET or HEAD) of a
    record about a person writes that person's VIEW entry (once per request, however many of
    their records the request fetches), with `detail` (e.g. the format of an export).
    """
    wanted = record_id(pk)
    obj = queryset.filter(pk=wanted).first() if wanted is not None else None
    if obj is None:
        audit.record(
            user=user,
            action=AuditAction.DENIED,
            object_type=queryset.model._meta.label_lower,
            object_id=pk,
        )
        raise Http404("No such record, or it is not yours to see.")
    if audit.is_read():
        person_id = person_of(obj)
        if person_id is not None:
            audit.record_read(
                person_id=person_id,
                by=user,
                record=obj._meta.label_lower,
                record_id=obj.pk,
                **detail,
            )
    return obj
