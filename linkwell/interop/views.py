"""FHIR R4 read endpoints under /fhir/: thin, translation only.

Authentication as the JSON API: a bearer token (`linkwell token create`) or a signed-in
session. Errors are OperationOutcome; someone else's record and a missing one are both 404,
and the attempt is audited (through `visible_or_404`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from linkwell.accounts.permissions import Capability, require
from linkwell.accounts.services import user_for_token
from linkwell.outcomes import queries, services

from . import fhir_outcomes

FHIR_JSON = "application/fhir+json"


def _reply(resource, status: int = 200) -> HttpResponse:
    return HttpResponse(
        resource.model_dump_json(exclude_none=True), status=status, content_type=FHIR_JSON
    )


def _problem(status: int, code: str, message: str) -> HttpResponse:
    return _reply(fhir_outcomes.operation_outcome(code, message), status)


def _user(request):
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header.removeprefix("Bearer ").strip())
    return request.user if request.user.is_authenticated else None


def fhir_read(view):
    """Authenticate, and turn refusals into OperationOutcome responses."""

    @require_GET
    def wrapped(request, *args, **kwargs):
        user = _user(request)
        if user is None:
            response = _problem(401, "login", "Send a bearer token or sign in.")
            response["WWW-Authenticate"] = "Bearer"
            return response
        try:
            return _reply(view(request, user, *args, **kwargs))
        except PermissionDenied as e:
            return _problem(403, "forbidden", str(e) or "Forbidden")
        except Http404:
            return _problem(404, "not-found", "No such resource, or it is not yours to see.")

    wrapped.__name__ = view.__name__
    return wrapped


def _questionnaire_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("interop:questionnaire", args=[code]))


def _administration(request, user, pk):
    require(user, Capability.VIEW_CASELOAD)
    administration = queries.administration_for(user, pk)
    return administration, services.instrument_for(administration.instrument, include_retired=True)


@fhir_read
def questionnaire_response(request, user, pk):
    administration, instrument = _administration(request, user, pk)
    return fhir_outcomes.questionnaire_response(
        administration,
        instrument,
        questionnaire_url=_questionnaire_url(request, instrument.code),
    )


@fhir_read
def observation(request, user, pk):
    administration, instrument = _administration(request, user, pk)
    return fhir_outcomes.observation(administration, instrument)


@fhir_read
def questionnaire(request, user, code):
    try:
        instrument = services.instrument_for(code)
    except services.OutcomeError:
        raise Http404 from None
    return fhir_outcomes.questionnaire(instrument, url=_questionnaire_url(request, code))
