"""Reading connections for pages: each list starts from `Connection.objects.visible_to`."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from linkwell.directory.models import Service

from .lifecycle import ACTION_LABELS, OPEN, Status, next_steps
from .models import Connection, provider_organisation_ids
from .sharing import label, shared_view


def referable_services(case) -> list[Service]:
    """Services on the case's shortlist without an open referral already."""
    taken = Connection.objects.filter(case=case, status__in=OPEN).values_list("service_id")
    return list(
        Service.objects.live()
        .filter(shortlisted__case=case)
        .exclude(pk__in=taken)
        .select_related("organisation")
        .order_by("name")
    )


def _with_related(connections):
    return connections.select_related(
        "service__organisation", "case__person", "case__referral"
    ).prefetch_related("events__by")


def for_link_worker(user):
    return _with_related(Connection.objects.visible_to(user))


def for_provider(user):
    """Only referrals to the provider's own services, whatever else the user may see."""
    return _with_related(
        Connection.objects.visible_to(user).filter(
            service__organisation__account_id__in=provider_organisation_ids(user)
        )
    )


@dataclass
class Card:
    """One referral as a provider sees it: the shared details and the next steps."""

    connection: Connection
    label: str
    shared: list[tuple[str, str]]
    steps: list[tuple[str, str]]

    @property
    def needs_reason(self) -> bool:
        return Status.DECLINED in [s for s, _ in self.steps]


def card(connection: Connection) -> Card:
    steps = next_steps(connection.status, provider=True)
    return Card(
        connection=connection,
        label=label(connection),
        shared=shared_view(connection),
        steps=[(s.value, ACTION_LABELS[s]) for s in steps],
    )


@dataclass
class PortalGroups:
    waiting: list[Card] = field(default_factory=list)
    active: list[Card] = field(default_factory=list)
    recent: list[Card] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def shown(self) -> list[Connection]:
        return [c.connection for c in self.waiting + self.active + self.recent]


PAGE = 20  # a phone page: the oldest waiting first; the rest are there when these are done


def portal(user, *, recent_days: int = 30) -> PortalGroups:
    """Waiting for a reply (oldest first), under way (latest change first), and closed in the
    last `recent_days`; at most PAGE of each, with the full counts."""
    since = timezone.now() - timedelta(days=recent_days)
    mine = for_provider(user)
    waiting = mine.filter(status=Status.SENT).order_by("created_at", "id")
    active = mine.filter(status__in=OPEN - {Status.SENT}).order_by("-status_changed_at", "-id")
    recent = mine.exclude(status__in=OPEN).filter(status_changed_at__gte=since)
    recent = recent.order_by("-status_changed_at", "-id")
    groups = PortalGroups()
    for name, listed in (("waiting", waiting), ("active", active), ("recent", recent)):
        groups.counts[name] = listed.count()
        setattr(groups, name, [card(c) for c in listed[:PAGE]])
    return groups
