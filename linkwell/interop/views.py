"""FHIR R4 reads of outcome measures under /fhir/ (routed, authenticated and rendered by
routes.py): thin, translation only. Someone else's record and a missing one are both 404, and
the attempt is audited (through `visible_or_404`).
"""

from django.conf import settings
from django.http import Http404

from linkwell.accounts.permissions import Capability, require
from linkwell.outcomes import queries, services

from . import fhir_outcomes
from .fhir_http import FHIR_JSON  # noqa: F401 — linkwell.nul answers FHIR refusals with it


def _questionnaire_url(request, code: str) -> str:
    """The Questionnaire's canonical URL (settings.FHIR_CANONICAL_BASE): the same whichever host
    answered, so answers coded against it mean the same everywhere; read it at
    /fhir/Questionnaire/<code> on any Linkwell."""
    return f"{settings.FHIR_CANONICAL_BASE}/Questionnaire/{code}"


def _administration(request, user, pk):
    require(user, Capability.VIEW_CASELOAD)
    administration = queries.administration_for(user, pk)
    return administration, services.instrument_for(administration.instrument, include_retired=True)


def questionnaire_response(request, user, pk):
    administration, instrument = _administration(request, user, pk)
    return fhir_outcomes.questionnaire_response(
        administration,
        instrument,
        questionnaire_url=_questionnaire_url(request, instrument.code),
    )


def observation(request, user, pk):
    administration, instrument = _administration(request, user, pk)
    return fhir_outcomes.observation(administration, instrument)


def questionnaire(request, user, pk):
    try:
        instrument = services.instrument_for(pk)
    except services.OutcomeError:
        raise Http404 from None
    return fhir_outcomes.questionnaire(instrument, url=_questionnaire_url(request, pk))
