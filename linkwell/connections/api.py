"""API routes for onward referrals: the link worker's (under a case) and the provider's.

Thin, as the pages in views.py: the same services, the same `visible_to` scoping and
capabilities, the same audit entries.
"""

from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linkwell.accounts import audit
from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability, require
from linkwell.cases.models import Case
from linkwell.directory.models import Service
from linkwell.paging import Paging

from . import queries, services
from .lifecycle import next_steps
from .schemas import ConnectionOut, ProviderReferralOut, ReferIn, StatusIn

router = Router(tags=["onward referrals"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 422: dict}


def _case(request, case_id: int, capability: Capability) -> Case:
    require(request.user, capability)
    return visible_or_404(Case.objects.visible_to(request.user), case_id, request.user)


@router.get(
    "/cases/{case_id}/connections",
    response={200: list[ConnectionOut], **ERRORS},
    summary="A case's onward referrals, with their status history",
)
@paginate(Paging)
def list_connections(request, case_id: int):
    case = _case(request, case_id, Capability.VIEW_CASELOAD)
    return queries.for_link_worker(request.user).filter(case=case).order_by("created_at", "id")


@router.post(
    "/cases/{case_id}/connections",
    response={201: ConnectionOut, **ERRORS},
    summary="Refer the person on to a directory service",
    description="Records the person's consent to share `shared_details` with the service, "
    "and with `wants_reminder: true` their consent to a text or email before the first "
    "session. "
    "A service that is not running, a closed case or an open referral to the same service "
    "answers 422 with the field.",
)
def create_connection(request, case_id: int, payload: ReferIn):
    case = _case(request, case_id, Capability.MANAGE_CASES)
    service = Service.objects.filter(pk=payload.service_id).first()
    if service is None:
        error = services.ConnectionRuleError({"service_id": "No such directory service."})
        services.refused(by=request.user, person_id=case.person_id, error=error)
        raise error
    connection = services.refer(
        case=case,
        service=service,
        shared_details=[d.value for d in payload.shared_details],
        consent_given=payload.consent_given,
        note=payload.note,
        first_session_at=payload.first_session_at,
        wants_reminder=payload.wants_reminder,
        by=request.user,
    )
    return Reply(201, queries.for_link_worker(request.user).get(pk=connection.pk))


@router.get("/connections/{connection_id}", response={200: ConnectionOut, **ERRORS})
def get_connection(request, connection_id: int):
    require(request.user, Capability.VIEW_CASELOAD)
    return visible_or_404(queries.for_link_worker(request.user), connection_id, request.user)


@router.post(
    "/connections/{connection_id}/status",
    response={200: ConnectionOut, **ERRORS},
    summary="Move an onward referral on (the link worker)",
    description="Allowed steps are those of the lifecycle table; declining and withdrawing "
    "need a `reason`. A step the table forbids answers 422 and changes nothing.",
)
def post_connection_status(request, connection_id: int, payload: StatusIn):
    require(request.user, Capability.MANAGE_CASES)
    connection = visible_or_404(queries.for_link_worker(request.user), connection_id, request.user)
    services.update_status(
        connection=connection,
        to=payload.to,
        reason=payload.reason,
        by=request.user,
        via="api",
    )
    return queries.for_link_worker(request.user).get(pk=connection.pk)


def _provider_view(connection) -> dict:
    card = queries.card(connection)
    return {
        "id": connection.pk,
        "label": card.label,
        "service_id": connection.service_id,
        "service_name": connection.service.name,
        "status": connection.status,
        "shared": [{"label": label, "value": value} for label, value in card.shared],
        "note": connection.note,
        "first_session_at": connection.first_session_at,
        "created_at": connection.created_at,
        "next_steps": next_steps(connection.status, provider=True),
    }


class _ProviderPage:
    """The provider's referrals as the pager slices them: each page is turned into what the
    provider may see, and seeing each person on it is recorded (as on the portal page)."""

    def __init__(self, user):
        self.user = user
        self.queryset = queries.for_provider(user).order_by("created_at", "id")

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[dict]:
        rows = list(self.queryset[page])
        for person in {c.case.person_id: c.case.person for c in rows}.values():
            audit.record_read(person_id=person.pk, by=self.user, via="api provider")
        return [_provider_view(c) for c in rows]


def _provider_connection(request, connection_id: int):
    require(request.user, Capability.RESPOND_TO_CONNECTIONS)
    return visible_or_404(queries.for_provider(request.user), connection_id, request.user)


@router.get(
    "/provider/referrals",
    response={200: list[ProviderReferralOut], **ERRORS},
    summary="Referrals to your organisation's services (providers)",
)
@paginate(Paging)
def list_provider_referrals(request):
    require(request.user, Capability.RESPOND_TO_CONNECTIONS)
    return _ProviderPage(request.user)


@router.get("/provider/referrals/{connection_id}", response={200: ProviderReferralOut, **ERRORS})
def get_provider_referral(request, connection_id: int):
    connection = _provider_connection(request, connection_id)
    return _provider_view(connection)


@router.post(
    "/provider/referrals/{connection_id}/status",
    response={200: ProviderReferralOut, **ERRORS},
    summary="Accept, decline or record attendance (providers)",
    description="A provider's steps only (not withdrawn); declining needs a `reason`. A step "
    "the lifecycle table forbids answers 422 and changes nothing.",
)
def post_provider_status(request, connection_id: int, payload: StatusIn):
    connection = _provider_connection(request, connection_id)
    services.update_status(
        connection=connection,
        to=payload.to,
        reason=payload.reason,
        by=request.user,
        via="api",
        provider=True,
    )
    return _provider_view(queries.for_provider(request.user).get(pk=connection.pk))
