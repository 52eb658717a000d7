"""The rows behind FHIR Tasks and ServiceRequests, scoped to the user, with the time each
Task last changed (`updated`): one definition for `meta.lastUpdated`, the version and the
`_lastUpdated` search parameter, so a read and a search cannot disagree.

A referral's Task changes when its case moves (a case event) and when one of its onward
referrals moves (its status turns `in-progress` once a service is taken up); an onward
referral's subtask when its own status does.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from linkwell.accounts import permissions
from linkwell.cases.models import CaseEvent, Referral
from linkwell.connections.models import Connection

from .fhir_referrals import UNDER_WAY


def _latest(queryset, field: str):
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def in_pcns(user, field: str) -> ExpressionWrapper:
    """Whether the row's PCN (`field`) is one the user works in."""
    pcns = permissions.pcn_ids(user, permissions.Capability.VIEW_CASELOAD)
    return ExpressionWrapper(Q(**{f"{field}__in": pcns}), output_field=BooleanField())


def referrals(user):
    """Referrals the user sees, each with `updated` and `under_way` (a service taken up)."""
    return annotated(Referral.objects.visible_to(user), user)


def annotated(referrals, user):
    """`referrals` with what their Tasks need: `updated`, `under_way`, related rows, and
    `sees_record`: whether the user works in the PCN referred to (and so sees the person's
    record, not only the referral's description of them)."""
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
        sees_record=in_pcns(user, "organisation_id"),
    )


def connections(user):
    """Onward referrals the user sees (the PCN's link workers, or the service's provider),
    each with `sees_record` (as `annotated`)."""
    return (
        Connection.objects.visible_to(user)
        .select_related("service", "case")
        .annotate(sees_record=in_pcns(user, "case__organisation_id"))
    )
