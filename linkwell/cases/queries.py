"""Reading cases and referrals for a user, always through the models' visible_to scoping."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from linkwell.accounts import permissions
from linkwell.people import lookup

from .lifecycle import CLOSED, Status
from .models import Case, Referral, Task

PAGE_SIZE = 25
SECTION_KEYS = ("new", "overdue", "active", "closed")


class Sort(models.TextChoices):
    WAITING = "waiting", "Waiting longest"
    DUE = "due", "Due soonest"
    UPDATED = "updated", "Recently updated"


# Each sort as an order of cases, and of overdue tasks (ordered through their case).
_CASE_ORDER = {
    Sort.WAITING: ("opened_at", "pk"),
    Sort.DUE: (F("next_due").asc(nulls_last=True), "opened_at", "pk"),
    Sort.UPDATED: ("-updated_at", "-pk"),
}
_TASK_ORDER = {
    Sort.WAITING: ("case__opened_at", "due_on", "pk"),
    Sort.DUE: ("due_on", "pk"),
    Sort.UPDATED: ("-case__updated_at", "due_on", "pk"),
}


@dataclass
class Section:
    """One part of the caseload: its rows for this page, and how many there are in all."""

    key: str
    title: str
    page: Page
    previous_query: str = ""  # the query strings of the neighbouring pages, set by the view
    next_query: str = ""

    @property
    def param(self) -> str:
        return f"{self.key}_page"

    @property
    def count(self) -> int:
        return self.page.paginator.count

    def __iter__(self):
        return iter(self.page)


@dataclass
class Caseload:
    new_referrals: Section
    overdue_tasks: Section
    active_cases: Section
    sort: str
    closed_cases: Section | None = None  # when a closed status is asked for, or on a search
    matched: int | None = None  # on a search: how many cases fit it, of any status

    @property
    def closed_matched(self) -> int:
        return self.closed_cases.count if self.closed_cases else 0

    @property
    def sections(self) -> list[Section]:
        shown = [self.new_referrals, self.overdue_tasks, self.active_cases]
        return ([self.closed_cases] if self.closed_cases else []) + shown


def search_cases(queryset: QuerySet, q: str) -> QuerySet:
    """The cases of the people whose name, NHS number, date of birth, phone, email or postcode
    fit `q` (people.lookup), within `queryset`'s scope."""
    if not (q or "").strip():
        return queryset
    return queryset.filter(person__in=lookup.matching(q).values("pk"))


def caseload(
    user,
    *,
    q: str = "",
    mine: bool = False,
    status: str = "",
    sort: str = Sort.WAITING,
    pages: dict[str, int] | None = None,
    per_page: int = PAGE_SIZE,
) -> Caseload:
    """The user's caseload in sections, each counted and paged on its own (`pages` maps a
    section's key to the page asked for), in the order `sort` names."""
    sort = Sort(sort) if sort in Sort.values else Sort.WAITING
    pages = pages or {}
    cases = Case.objects.visible_to(user).select_related("person", "link_worker", "referral")
    if mine:
        cases = cases.filter(link_worker=user)
    if status in Status.values:
        cases = cases.filter(status=status)
    cases = search_cases(cases, q)
    # A search looks through closed cases too (someone may have been supported before);
    # a status filter asks for its own.
    searched = bool(q.strip()) and not status
    matched = cases.count() if searched else None
    today = timezone.localdate()
    overdue = (
        Task.objects.visible_to(user)
        .filter(case__in=cases.values("pk"), done_at__isnull=True, due_on__lt=today)
        .select_related("case__person")
        .order_by(*_TASK_ORDER[sort])
    )
    # A correlated subquery, not a join and GROUP BY: the database looks up the next
    # follow-up only for the rows it orders or shows (3× faster at 2,000 cases per PCN).
    next_due = (
        Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    cases = cases.annotate(next_due=Subquery(next_due)).order_by(*_CASE_ORDER[sort])

    def section(key: str, title: str, rows: QuerySet) -> Section:
        return Section(key, title, Paginator(rows, per_page).get_page(pages.get(key)))

    return Caseload(
        sort=sort,
        new_referrals=section("new", "New referrals waiting", cases.filter(status=Status.RECEIVED)),
        overdue_tasks=section("overdue", "Overdue follow-ups", overdue),
        active_cases=section(
            "active",
            "Active cases",
            cases.filter(status__in=[Status.CONTACTED, Status.ASSESSED, Status.SUPPORTED]),
        ),
        closed_cases=section(
            "closed", "Closed cases", cases.filter(status__in=CLOSED).order_by("-closed_at", "-pk")
        )
        if status in CLOSED or searched
        else None,
        matched=matched,
    )


def looked_after_by(user) -> QuerySet:
    """Open cases a link worker looks after: their own and their PCNs' unassigned ones."""
    return (
        Case.objects.visible_to(user)
        .open()
        .filter(Q(link_worker=user) | Q(link_worker__isnull=True))
    )


def link_workers_for(user) -> QuerySet:
    """Link workers of the PCNs whose cases the user manages: whom a case may be assigned to."""
    from linkwell.accounts.models import Role, User

    pcns = permissions.pcn_ids(user, permissions.Capability.MANAGE_CASES)
    return (
        User.objects.filter(
            memberships__role=Role.LINK_WORKER, memberships__organisation_id__in=pcns
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def referrals_for(user) -> QuerySet:
    return (
        Referral.objects.visible_to(user)
        .select_related("person", "case", "referring_organisation", "organisation")
        .order_by("-received_at")
    )


def as_referred(user, *, nhs_number: str):
    """The person with this NHS number as the user's own organisation last described them on
    a referral, or None: what a referrer may see of them."""
    referrals = Referral.objects.visible_to(user).filter(submitted_person__nhs_number=nhs_number)
    latest = referrals.order_by("-received_at", "-pk").first()
    return latest.as_referred if latest is not None else None


@dataclass
class Header:
    """What the case page's header says at a glance, on every sub-page."""

    age: int
    next_task: Task | None
    current_risks: int
    no_known_risks: bool


def header(case: Case) -> Header:
    """`case` was fetched through `Case.objects.visible_to(user)` by the page."""
    today = timezone.localdate()
    return Header(
        age=case.person.age_on(today),
        next_task=case.tasks.filter(done_at__isnull=True).order_by("due_on", "pk").first(),
        current_risks=case.risks.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today)).count(),
        no_known_risks=case.no_known_risks,
    )
