"""API routes for referrals and cases: parse, call a service, return."""

from ninja import Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability, require
from linkwell.paging import Paging
from linkwell.people.services import PersonDetails

from . import queries, services
from .lifecycle import Status
from .models import Case
from .needs import Need
from .schemas import (
    AddressIn,
    CarePlanIn,
    CarePlanOut,
    CaseDetailOut,
    CaseOut,
    ContactIn,
    ContactOut,
    FollowUpAdviceIn,
    GoalIn,
    GoalOut,
    GpPracticeIn,
    NeedOut,
    ReferralIn,
    ReferralOut,
    RiskIn,
    TaskIn,
    TaskOut,
    TransitionIn,
    WhatMattersIn,
    WhatMattersOut,
)

router = Router(tags=["referrals and cases"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


@router.get(
    "/needs",
    response={200: list[NeedOut], 400: dict},
    auth=None,
    summary="The coded reasons for referral",
)
def list_needs(request):
    return [{"code": n.value, "label": n.label} for n in Need]


@router.post(
    "/referrals",
    response={200: ReferralOut, 201: ReferralOut, **ERRORS},
    summary="Make a referral (opens a case)",
    description="Send an `Idempotency-Key` header so a retried request never makes two referrals: "
    "a retry returns the first referral with status 200; the same key with a different body "
    "is refused with 409.",
)
def create_referral(
    request, payload: ReferralIn, idempotency_key: str = Header("", alias="Idempotency-Key")
):
    user = request.user
    require(user, Capability.MAKE_REFERRALS)
    body = payload.dict()
    referral, created = services.make_referral(
        pcn_code=payload.pcn,
        person=PersonDetails(**body["person"]),
        source=payload.source or "",
        reasons=[n.value for n in payload.reasons],
        consent_given=payload.consent_given,
        details=payload.details,
        urgency=payload.urgency,
        referrer_name=payload.referrer_name,
        referrer_contact=payload.referrer_contact,
        referring_organisation_name=payload.referring_organisation_name,
        suggested_service=payload.service_id,
        by=user,
        idempotency_key=idempotency_key,
        request_fingerprint=services.fingerprint(body),
    )
    return Reply(201 if created else 200, referral)


@router.get(
    "/referrals",
    response={200: list[ReferralOut], **ERRORS},
    summary="Referrals you made or received",
)
@paginate(Paging)
def list_referrals(request):
    return queries.referrals_for(request.user)


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS})
def get_referral(request, referral_id: int):
    referral = visible_or_404(queries.referrals_for(request.user), referral_id, request.user)
    return referral


class CaseFilters(Schema):
    q: str = ""
    status: Status | None = None
    mine: bool = False


@router.get("/cases", response={200: list[CaseOut], **ERRORS}, summary="The caseload")
@paginate(Paging)
def list_cases(request, filters: Query[CaseFilters]):
    require(request.user, Capability.VIEW_CASELOAD)
    cases = Case.objects.visible_to(request.user).select_related(
        "person", "link_worker", "referral"
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.mine:
        cases = cases.filter(link_worker=request.user)
    return queries.search_cases(cases, filters.q[:100]).order_by("opened_at", "pk")


def _case(request, case_id: int, capability=Capability.MANAGE_CASES) -> Case:
    require(request.user, capability)
    return visible_or_404(Case.objects.visible_to(request.user), case_id, request.user)


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
def get_case(request, case_id: int):
    case = _case(request, case_id, Capability.VIEW_CASELOAD)
    return (
        Case.objects.select_related("person", "link_worker", "referral__case", "referral__person")
        .prefetch_related("contacts", "what_matters", "tasks", "events__by", "risks")
        .get(pk=case.pk)
    )


@router.post("/cases/{case_id}/transitions", response={200: CaseOut, **ERRORS})
def post_transition(request, case_id: int, payload: TransitionIn):
    return services.transition(
        case=_case(request, case_id), to=payload.to, note=payload.note, by=request.user
    )


@router.post("/cases/{case_id}/contacts", response={201: ContactOut, **ERRORS})
def post_contact(request, case_id: int, payload: ContactIn):
    return Reply(
        201,
        services.record_contact(case=_case(request, case_id), by=request.user, **payload.dict()),
    )


@router.post("/cases/{case_id}/what-matters", response={201: WhatMattersOut, **ERRORS})
def post_what_matters(request, case_id: int, payload: WhatMattersIn):
    data = payload.dict()
    data["needs"] = [n.value for n in payload.needs]
    return Reply(
        201, services.record_what_matters(case=_case(request, case_id), by=request.user, **data)
    )


@router.put(
    "/cases/{case_id}/care-plan",
    response={200: CarePlanOut, **ERRORS},
    description="Revising a plan needs the `version` you read; a stale version answers 422.",
)
def put_care_plan(request, case_id: int, payload: CarePlanIn):
    return services.agree_care_plan(case=_case(request, case_id), by=request.user, **payload.dict())


@router.post("/cases/{case_id}/goals", response={201: GoalOut, **ERRORS})
def post_goal(request, case_id: int, payload: GoalIn):
    return Reply(
        201, services.add_goal(case=_case(request, case_id), by=request.user, **payload.dict())
    )


@router.post("/cases/{case_id}/tasks", response={201: TaskOut, **ERRORS})
def post_task(request, case_id: int, payload: TaskIn):
    return Reply(
        201, services.add_task(case=_case(request, case_id), by=request.user, **payload.dict())
    )


@router.put("/cases/{case_id}/follow-up-advice", response={200: CaseDetailOut, **ERRORS})
def put_follow_up_advice(request, case_id: int, payload: FollowUpAdviceIn):
    case = services.record_follow_up_advice(
        case=_case(request, case_id), by=request.user, **payload.dict()
    )
    return get_case(request, case.pk)


@router.put("/cases/{case_id}/address", response={200: CaseDetailOut, **ERRORS})
def put_address(request, case_id: int, payload: AddressIn):
    case = services.record_address(case=_case(request, case_id), by=request.user, **payload.dict())
    return get_case(request, case.pk)


@router.put("/cases/{case_id}/gp-practice", response={200: CaseDetailOut, **ERRORS})
def put_gp_practice(request, case_id: int, payload: GpPracticeIn):
    case = services.record_gp_practice(
        case=_case(request, case_id), by=request.user, **payload.dict()
    )
    return get_case(request, case.pk)


@router.post("/cases/{case_id}/risks", response={201: CaseDetailOut, **ERRORS})
def post_risk(request, case_id: int, payload: RiskIn):
    """A risk, or `no_known_risks: true` (the standard makes risks mandatory)."""
    case = services.record_risk(case=_case(request, case_id), by=request.user, **payload.dict())
    return Reply(201, get_case(request, case.pk))
