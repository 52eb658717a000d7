"""API routes for outcome measures: parse, call a service, return."""

from datetime import datetime

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability, require
from linkwell.cases.models import Case
from linkwell.paging import Paging

from . import queries, services
from .models import Mode, Timepoint

router = Router(tags=["outcome measures"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 422: dict}


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    key: str
    text: str
    options: list[OptionOut]


class MeasureDefinitionOut(Schema):
    key: str
    label: str
    minimum: float
    maximum: float
    higher_is_better: bool
    meaningful_change: float | None
    meaningful_change_source: str


class InstrumentOut(Schema):
    code: str
    name: str
    licensed: bool = Field(
        ..., description="Licensed (PAM): send `score` and `level`, never answers."
    )
    local: bool
    source: str
    instructions: str
    items: list[ItemOut]
    measures: list[MeasureDefinitionOut]


class MeasureIn(Schema):
    instrument: str = Field(..., max_length=40, description="A code from GET /instruments.")
    timepoint: Timepoint
    mode: Mode = Mode.IN_PERSON
    answers: list[int | None] = Field(
        [],
        max_length=100,
        description="The numbers the person chose, in the questionnaire's item order; "
        "null for an unanswered item (scored or refused by the instrument's own rule).",
    )
    administered_at: datetime | None = Field(None, description="Defaults to now.")
    score: float | None = Field(None, description="Licensed instruments only: the tool's score.")
    level: int | None = Field(None, description="Licensed instruments only: the tool's level.")


class ChangeOut(Schema):
    delta: float
    improved: bool | None
    meaningful: bool | None = Field(..., description="null: no published threshold.")
    verdict: str


class AdministrationOut(Schema):
    id: int
    instrument: str
    timepoint: Timepoint
    mode: Mode
    answers: list[int | None]
    raw: float | None
    score: float | None
    band: str
    bands: dict[str, str]
    measures: dict[str, float]
    administered_at: datetime
    asked_by: str | None = Field(None, alias="asked_by.username")
    change: dict[str, ChangeOut] = Field(
        {}, description="Change from baseline for each measure (absent for the baseline)."
    )


@router.get(
    "/instruments",
    response={200: list[InstrumentOut], **ERRORS},
    summary="The outcome measures that can be taken",
)
def list_instruments(request):
    return services.available_instruments()


def _case(request, case_id: int, capability) -> Case:
    require(request.user, capability)
    return visible_or_404(Case.objects.visible_to(request.user), case_id, request.user)


@router.get(
    "/cases/{case_id}/measures",
    response={200: list[AdministrationOut], **ERRORS},
    summary="A case's outcome measures, with the change from baseline",
)
@paginate(Paging)
def list_measures(request, case_id: int):
    case = _case(request, case_id, Capability.VIEW_CASELOAD)
    return queries.case_measures(case)


@router.post(
    "/cases/{case_id}/measures",
    response={201: AdministrationOut, **ERRORS},
    summary="Record an outcome measure",
)
def post_measure(request, case_id: int, payload: MeasureIn):
    case = _case(request, case_id, Capability.MANAGE_CASES)
    when = payload.administered_at
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when)
    return Reply(
        201,
        services.record_administration(
            case=case,
            instrument=payload.instrument,
            answers=payload.answers,
            timepoint=payload.timepoint,
            mode=payload.mode,
            administered_at=when,
            score=payload.score,
            level=payload.level,
            by=request.user,
        ),
    )
