"""Subject access and erasure across every app (UK GDPR Articles 15 and 17).

Each app says what it holds about a person in its `personal_data.py` (`sections(person)` and
`erase(person)`), so this module reaches no other app's tables and a new app is included by
adding that module.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.plugins import app_modules

from .models import Person


class SubjectAccessError(Exception):
    pass


def collect(person: Person) -> dict:
    sections = {}
    for module in app_modules("personal_data"):
        sections.update(module.sections(person))
    return {
        "person_id": person.pk,
        "generated_at": timezone.now().isoformat(),
        "controller": "The PCN social prescribing service named in your referral",
        "sections": sections,
    }


def export(*, person: Person, by, fmt: str = "json") -> dict:
    """Everything held about the person; the export itself is audited."""
    data = collect(person)
    # (on the web page, visible_or_404 has already written this request's entry, saying so)
    audit.record_read(person_id=person.pk, by=by, via=f"subject access export ({fmt})")
    return data


@write_guard.service
@transaction.atomic
def erase(*, person: Person, by, reason: str) -> Person:
    """Remove what identifies the person and their notes, keeping what the law requires."""
    if not reason.strip():
        raise SubjectAccessError("Say why the record is being erased (e.g. the person's request).")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at:
        raise SubjectAccessError("This record has already been erased.")
    for module in reversed(app_modules("personal_data")):
        module.erase(person)
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=person,
        person_id=person.pk,
        event="erased",
        reason=reason[:500],
    )
    return Person.objects.get(pk=person.pk)


def due_for_retention(now=None):
    """People whose every case closed more than RETENTION_YEARS ago, not yet erased.

    Default 8 years: the NHS Records Management Code of Practice (2021) minimum for adult
    health and care records after the conclusion of treatment.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=365 * settings.RETENTION_YEARS)
    return (
        Person.objects.filter(erased_at__isnull=True)
        .annotate(last_closed=Max("cases__closed_at"))
        .exclude(cases__closed_at__isnull=True)
        .filter(Q(last_closed__lt=cutoff))
    )
