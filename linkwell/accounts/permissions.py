"""Who may do what, declared once as data and checked in one place.

Scoping of records (which people and cases a user sees) is in each model's `visible_to`;
this module says which *kinds* of action a role allows, and which organisations a user's
memberships reach.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .models import OrganisationKind, Role


class Capability(StrEnum):
    VIEW_CASELOAD = "view_caseload"
    MANAGE_CASES = "manage_cases"
    MAKE_REFERRALS = "make_referrals"
    TRACK_OWN_REFERRALS = "track_own_referrals"
    READ_AUDIT = "read_audit"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_STAFF = "manage_staff"  # invite, assign roles, deactivate, reset two-factor
    PROCESS_SUBJECT_REQUESTS = "process_subject_requests"  # subject access export, erasure
    FIND_SUPPORT = "find_support"  # rank directory services for a case and shortlist them
    MAINTAIN_SERVICES = "maintain_services"  # confirm and edit one's own organisation's services
    DEFINE_INSTRUMENTS = "define_instruments"
    REPORT_OUTCOMES = "report_outcomes"
    RESPOND_TO_CONNECTIONS = "respond_to_connections"  # providers: referrals to their services
    VIEW_REPORTS = "view_reports"  # dashboards and exports for the organisations managed


CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.LINK_WORKER: frozenset(
        {
            Capability.VIEW_CASELOAD,
            Capability.MANAGE_CASES,
            Capability.MAKE_REFERRALS,
            Capability.REPORT_OUTCOMES,
            Capability.FIND_SUPPORT,
        }
    ),
    Role.REFERRER: frozenset({Capability.MAKE_REFERRALS, Capability.TRACK_OWN_REFERRALS}),
    # A PCN manager oversees their own PCN's caseload and answers its people's subject access
    # and erasure requests; an ICB commissioner sees aggregate, disclosure-controlled figures
    # only (docs/decisions/0006-manager-access.md).
    Role.MANAGER: frozenset(
        {
            Capability.VIEW_CASELOAD,
            Capability.REPORT_OUTCOMES,
            Capability.PROCESS_SUBJECT_REQUESTS,
            Capability.VIEW_REPORTS,
        }
    ),
    Role.COMMISSIONER: frozenset({Capability.VIEW_REPORTS}),
    Role.ADMIN: frozenset(
        {
            Capability.READ_AUDIT,
            Capability.DEFINE_INSTRUMENTS,
            Capability.MANAGE_ORGANISATIONS,
            Capability.MANAGE_STAFF,
        }
    ),
    Role.PROVIDER: frozenset({Capability.MAINTAIN_SERVICES, Capability.RESPOND_TO_CONNECTIONS}),
}


def _memberships(user):
    if not user.is_authenticated:
        return []
    # Cached on the user for the request: every scoping call reads the same memberships.
    if not hasattr(user, "_linkwell_memberships"):
        user._linkwell_memberships = list(user.memberships.select_related("organisation__parent"))
    return user._linkwell_memberships


def can(user, capability: Capability) -> bool:
    return any(capability in CAPABILITIES[m.role] for m in _memberships(user))


def require(user, capability: Capability) -> None:
    if not can(user, capability):
        raise PermissionDenied(f"Your role does not allow this ({capability}).")


def pcn_ids(user, capability: Capability) -> set[int]:
    """PCNs whose cases the user reaches through memberships that grant the capability.

    A PCN membership reaches that PCN; an ICB membership reaches every PCN in the ICB.
    """
    from .models import Organisation

    ids: set[int] = set()
    icb_ids = []
    for m in _memberships(user):
        if capability not in CAPABILITIES[m.role]:
            continue
        if m.organisation.kind == OrganisationKind.PCN:
            ids.add(m.organisation_id)
        elif m.organisation.kind == OrganisationKind.ICB:
            icb_ids.append(m.organisation_id)
    if icb_ids:
        ids.update(
            Organisation.objects.filter(
                kind=OrganisationKind.PCN, parent_id__in=icb_ids
            ).values_list("id", flat=True)
        )
    return ids


def referring_organisation_ids(user) -> set[int]:
    """Organisations whose referrals the user may track (a practice's referrers)."""
    return {
        m.organisation_id
        for m in _memberships(user)
        if Capability.TRACK_OWN_REFERRALS in CAPABILITIES[m.role]
    }


def referral_destinations(user) -> list:
    """The PCNs a user may refer into, with the referring organisation for each."""
    destinations = []
    for m in _memberships(user):
        if Capability.MAKE_REFERRALS not in CAPABILITIES[m.role]:
            continue
        pcn = m.organisation.pcn
        if pcn is not None:
            destinations.append((pcn, m.organisation))
    return destinations


def managed_organisations(user):
    """Organisations an admin looks after: their own and every one beneath it."""
    from .models import Organisation

    roots = {
        m.organisation_id
        for m in _memberships(user)
        if Capability.MANAGE_ORGANISATIONS in CAPABILITIES[m.role]
    }
    return Organisation.objects.filter(
        Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots)
    ).order_by("kind", "name")
