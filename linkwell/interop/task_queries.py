"""The rows behind FHIR Tasks and ServiceRequests, scoped to the user, with the time each
Task last changed (`updated`): one definition for `meta.lastUpdated`, the version and the
`_lastUpdated` search parameter, so a read and a search cannot disagree.

A referral's Task changes when its case moves (a case event) and when one of its onward
referrals moves (its status turns `in-progress` once a service is taken up); an onward
referral's subtask when its own status does.
"""

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from linkwell.cases.models import CaseEvent, Referral
from linkwell.connections.models import Connection

from .fhir_referrals import UNDER_WAY


def _latest(queryset, field: str):
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def referrals(user):
    """Referrals the user sees, each with `updated` and `under_way` (a service taken up)."""
    return annotated(Referral.objects.visible_to(user))


def annotated(referrals):
    """`referrals` with what their Tasks need: `updated`, `under_way` and related rows."""
    case_moved = _latest(CaseEvent.objects.filter(case__referral=OuterRef("pk")), "at")
    connection_moved = _latest(
        Connection.objects.filter(case__referral=OuterRef("pk")), "status_changed_at"
    )
    return referrals.select_related(
        "case__organisation", "person", "referring_organisation", "organisation"
    ).annotate(
        updated=Greatest(
            Coalesce(case_moved, "received_at"), Coalesce(connection_moved, "received_at")
        ),
        under_way=Exists(
            Connection.objects.filter(case__referral=OuterRef("pk"), status__in=UNDER_WAY)
        ),
    )


def connections(user):
    """Onward referrals the user sees (the PCN's link workers, or the service's provider)."""
    return Connection.objects.visible_to(user).select_related("service", "case")
