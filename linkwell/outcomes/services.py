"""Recording outcome measures and defining local instruments.

Each function is atomic, checks the rules, writes the audit log, and raises OutcomeError (a
ValidationError, so forms show it by the field and the API answers 422 with the field path).
Nothing is stored when a rule is broken.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.cases.models import Case

from . import instruments
from .instruments import Instrument, InvalidAnswers
from .instruments.pam import reported
from .models import Administration, LocalInstrument, LocalItem, Mode, Timepoint


class OutcomeError(ValidationError):
    """A rule of recording outcome measures was broken; the message says how to put it right."""


def instrument_for(code: str, *, include_retired: bool = False) -> Instrument:
    """A built-in instrument, or a local one an admin defined (retired ones only for history)."""
    if code in instruments.BUILT_IN:
        return instruments.BUILT_IN[code]
    local = LocalInstrument.objects.filter(code=code)
    if not include_retired:
        local = local.filter(active=True)
    found = local.first()
    if found is None:
        raise OutcomeError({"instrument": f"Unknown instrument {code!r}."})
    return found.definition()


def available_instruments() -> list[Instrument]:
    local = LocalInstrument.objects.filter(active=True).prefetch_related("items")
    return [*instruments.BUILT_IN.values(), *(i.definition() for i in local)]


def _answers_error(error: InvalidAnswers) -> OutcomeError:
    field = "answers" if error.item is None else f"answers.{error.item}"
    return OutcomeError({field: str(error)})


def score_answers(definition: Instrument, answers, *, score=None, level=None):
    """Score through the instrument's published rule; a licensed one keeps its vendor result."""
    try:
        if definition.licensed:
            if answers:
                raise InvalidAnswers(
                    f"{definition.name} is licensed: record only the score and level the "
                    "licensed tool gave, never its answers."
                )
            return reported(definition, score=score, level=level)
        return definition.score(answers or [])
    except InvalidAnswers as e:
        raise _answers_error(e) from e


def check_can_record(case: Case, code: str, timepoint: str, when: datetime | None = None) -> None:
    """The rules on when a measure may be taken, shared by the form, the API and links."""
    if timepoint not in Timepoint.values:
        raise OutcomeError({"timepoint": f"Unknown timepoint {timepoint!r}."})
    # A discharge measure may be taken as the case closes; the others only while it is open,
    # though a paper form taken then may be entered afterwards.
    taken_while_open = case.closed_at is not None and (when or timezone.now()) <= case.closed_at
    if timepoint != Timepoint.DISCHARGE and not case.is_open and not taken_while_open:
        raise OutcomeError(
            {
                "timepoint": "This case is closed: record a discharge measure, or one taken "
                "before the case closed."
            }
        )
    if (
        timepoint == Timepoint.BASELINE
        and Administration.objects.filter(case=case, instrument=code, timepoint=timepoint).exists()
    ):
        raise OutcomeError(
            {"timepoint": "This case already has a baseline for this measure: record a follow-up."}
        )


@write_guard.service
@transaction.atomic
def record_administration(
    *,
    case: Case,
    instrument: str,
    answers,
    timepoint: str,
    mode: str,
    by,
    administered_at: datetime | None = None,
    score=None,
    level=None,
) -> Administration:
    """Score the answers and keep them with who asked, when and how.

    `score`/`level` are only for a licensed instrument (PAM), whose answers are never taken.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    definition = instrument_for(instrument)
    if mode not in Mode.values:
        raise OutcomeError({"mode": f"Unknown way of asking {mode!r}."})
    when = administered_at or timezone.now()
    check_can_record(case, definition.code, timepoint, when)
    if when > timezone.now():
        raise OutcomeError({"administered_at": "The measure cannot be taken in the future."})
    if when < case.referral.received_at:
        raise OutcomeError({"administered_at": "The measure cannot be before the referral."})
    scored = score_answers(definition, answers, score=score, level=level)
    administration = Administration.objects.create(
        case=case,
        instrument=definition.code,
        timepoint=timepoint,
        # Already validated by scoring: whole numbers, and null for an unanswered item.
        answers=[]
        if definition.licensed
        else [None if a in (None, "") else int(a) for a in answers],
        raw=scored.raw,
        score=scored.score,
        band=scored.band,
        bands=scored.bands,
        measures=scored.measures,
        mode=mode,
        asked_by=by if by is not None and by.is_authenticated else None,
        administered_at=when,
    )
    audit.record(
        user=by,
        action=AuditAction.CREATE,
        obj=administration,
        person_id=case.person_id,
        instrument=definition.code,
        timepoint=timepoint,
        mode=mode,
    )
    return administration


@write_guard.service
@transaction.atomic
def define_local_instrument(
    *,
    code: str,
    name: str,
    statements: list[str],
    options: list[tuple[int, str]],
    by,
    higher_is_better: bool = True,
    instructions: str = "",
    meaningful_change: float | None = None,
    meaningful_change_source: str = "",
    source: str = "",
) -> LocalInstrument:
    """A local measure scored as the sum of its answers. It cannot be edited afterwards, so
    every recorded administration keeps meaning what it meant when it was taken."""
    code = (code or "").strip().lower()
    if code in instruments.BUILT_IN:
        raise OutcomeError({"code": f"{code!r} is a built-in instrument: choose another code."})
    if LocalInstrument.objects.filter(code=code).exists():
        raise OutcomeError({"code": f"There is already a local instrument {code!r}."})
    statements = [s.strip() for s in statements if s.strip()]
    if not statements:
        raise OutcomeError({"statements": "Give at least one question or statement."})
    if any(len(s) > 300 for s in statements):
        raise OutcomeError({"statements": "Keep each question under 300 characters."})
    values = [v for v, _ in options]
    if len(options) < 2 or len(set(values)) != len(values):
        raise OutcomeError(
            {"options": "Give at least two answer options, each with its own number."}
        )
    if meaningful_change is not None and meaningful_change <= 0:
        raise OutcomeError({"meaningful_change": "A meaningful change must be above zero."})
    if meaningful_change is not None and not meaningful_change_source.strip():
        raise OutcomeError(
            {"meaningful_change_source": "Say where the meaningful-change threshold comes from."}
        )
    instrument = LocalInstrument(
        code=code,
        name=name.strip(),
        instructions=instructions,
        options=[{"value": v, "label": label} for v, label in options],
        higher_is_better=higher_is_better,
        meaningful_change=meaningful_change,
        meaningful_change_source=meaningful_change_source.strip(),
        source=source.strip(),
        created_by=by,
    )
    instrument.full_clean()
    instrument.save()
    LocalItem.objects.bulk_create(
        LocalItem(instrument=instrument, position=i, text=s)
        for i, s in enumerate(statements, start=1)
    )
    audit.record(user=by, action=AuditAction.CREATE, obj=instrument, code=code)
    return instrument
