"""What the person's own page shows: their plan, goals, services and scores, nothing else.

Built from this one case only; staff notes (contacts, what-matters notes, notes for services,
referral details) and anything about other people are never read here.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwell.cases.models import CarePlan, GoalStatus
from linkwell.connections.lifecycle import Status
from linkwell.directory.models import ServiceAtLocation
from linkwell.outcomes.models import Administration, SelfCompletionLink
from linkwell.outcomes.queries import case_histories
from linkwell.outcomes.services import instrument_for

# The connection's status in the person's words.
CONNECTION_WORDS = {
    Status.SENT: _("Your link worker has referred you. The service has not replied yet."),
    Status.ACCEPTED: _("The service is expecting you."),
    Status.DECLINED: _(
        "The service could not take you. Your link worker will talk with you about other options."
    ),
    Status.ATTENDED: _("You have been going."),
    Status.DID_NOT_ATTEND: _("You missed a session. You can still go."),
    Status.COMPLETED: _("Finished."),
}
GOAL_WORDS = {
    GoalStatus.NOT_STARTED: _("Not started yet"),
    GoalStatus.IN_PROGRESS: _("Under way"),
    GoalStatus.ACHIEVED: _("Achieved"),
    GoalStatus.NOT_ACHIEVED: _("Not achieved"),
}


@dataclass(frozen=True)
class ServiceRow:
    name: str
    status: str
    first_session_at: object
    places: list[str]
    website: str


@dataclass(frozen=True)
class Pending:
    link_id: int
    name: str


def _places(service) -> list[str]:
    places = []
    for at in service.at_locations.all():
        location = at.location
        for address in location.addresses.all():
            parts = [location.name, address.address_1, address.city, address.postal_code]
            places.append(", ".join(p for p in parts if p))
        if not location.addresses.all() and location.name:
            places.append(location.name)
    return places


def services(case) -> list[ServiceRow]:
    connections = (
        case.connections.exclude(status=Status.WITHDRAWN)
        .select_related("service")
        .prefetch_related(
            Prefetch(
                "service__at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses"
                ),
            )
        )
        .order_by("created_at", "id")
    )
    return [
        ServiceRow(
            name=c.service.name,
            status=CONNECTION_WORDS.get(c.status, ""),
            first_session_at=c.first_session_at,
            places=_places(c.service),
            website=c.service.url,
        )
        for c in connections
    ]


def plan(case):
    """(care plan or None, goals with their words and actions)."""
    care_plan = CarePlan.objects.filter(case=case).first()
    if care_plan is None:
        return None, []
    goals = care_plan.goals.prefetch_related("actions")
    return care_plan, [(g, GOAL_WORDS.get(g.status, "")) for g in goals]


def pending_measures(case) -> list[Pending]:
    """Measures the link worker sent for self-completion that are still waiting (one each)."""
    now = timezone.now()
    links = SelfCompletionLink.objects.filter(
        case=case, used_at__isnull=True, expires_at__gt=now
    ).order_by("created_at")
    found = {}
    for link in links:
        done = Administration.objects.filter(
            case=case,
            instrument=link.instrument,
            timepoint=link.timepoint,
            administered_at__gte=link.created_at,
        ).exists()
        if not done:
            name = instrument_for(link.instrument, include_retired=True).name
            found.setdefault((link.instrument, link.timepoint), Pending(link.pk, name))
    return list(found.values())


def page(case) -> dict:
    care_plan, goals = plan(case)
    return {
        "person": case.person,
        "plan": care_plan,
        "goals": goals,
        "services": services(case),
        "histories": case_histories(case),
        "pending": pending_measures(case),
    }
