"""Outcome measures as FHIR resources: Questionnaire, QuestionnaireResponse, Observation.

Translation only: the definitions and scores come from `linkwell.outcomes`; nothing is decided
here. Built with fhir.resources' R4B models (fhir.resources ≥ 7 makes R5 the default and keeps
R4B under `fhir.resources.R4B`; R4B — FHIR 4.3 — has the same shape as R4 for these three
resources, so R4 clients read them as they are).
No LOINC or SNOMED CT code is claimed for a measure: `code.text` names it until a mapping is
agreed.
"""

from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


def _coding(system: str, value: int, label: str) -> dict:
    return {"system": system, "code": str(value), "display": label}


def questionnaire(instrument, *, url: str) -> Questionnaire:
    return Questionnaire(
        id=instrument.code,
        url=url,
        name=instrument.code.replace("-", "_").upper(),
        title=instrument.name,
        status="active",
        description=instrument.instructions or None,
        item=[
            {
                "linkId": item.key,
                "text": item.text,
                "type": "choice",
                "answerOption": [
                    {"valueCoding": _coding(f"{url}#{item.key}", o.value, o.label)}
                    for o in item.options
                ],
            }
            for item in instrument.items
        ]
        or None,
    )


def _subject(administration) -> dict:
    return {"reference": f"Patient/{administration.case.person_id}"}


def questionnaire_response(administration, instrument, *, questionnaire_url: str):
    answered = [
        (item, value)
        for item, value in zip(instrument.items, administration.answers, strict=False)
        if value is not None
    ]
    self_completed = administration.mode == "self_completed" and administration.asked_by is None
    return QuestionnaireResponse(
        id=str(administration.pk),
        questionnaire=questionnaire_url,
        status="completed",
        subject=_subject(administration),
        authored=administration.administered_at,
        author=None
        if administration.asked_by is None
        else {"display": administration.asked_by.get_full_name() or "Link worker"},
        source=_subject(administration) if self_completed else None,
        item=[
            {
                "linkId": item.key,
                "text": item.text,
                "answer": [
                    {
                        "valueCoding": _coding(
                            f"{questionnaire_url}#{item.key}", value, item.label_for(value)
                        )
                    }
                ],
            }
            for item, value in answered
        ]
        or None,
    )


def _quantity(value) -> dict:
    return {"value": value, "unit": "score"}


def observation(administration, instrument) -> Observation:
    """The total where the instrument has one; otherwise one component per measure (ONS4)."""
    base = dict(
        id=str(administration.pk),
        status="final",
        category=[SURVEY],
        code={"text": instrument.name},
        subject=_subject(administration),
        effectiveDateTime=administration.administered_at,
        derivedFrom=[{"reference": f"QuestionnaireResponse/{administration.pk}"}],
    )
    if administration.score is not None:
        return Observation(
            **base,
            valueQuantity=_quantity(administration.score),
            interpretation=[{"text": administration.band}] if administration.band else None,
        )
    return Observation(
        **base,
        component=[
            {
                "code": {"text": measure.label},
                "valueQuantity": _quantity(administration.measures[measure.key]),
                "interpretation": [{"text": administration.bands[measure.key]}]
                if measure.key in administration.bands
                else None,
            }
            for measure in instrument.measures
            if measure.key in administration.measures
        ],
    )


def operation_outcome(code: str, message: str) -> OperationOutcome:
    return OperationOutcome(issue=[{"severity": "error", "code": code, "diagnostics": message}])
