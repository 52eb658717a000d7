"""A refusal in the format of the interface that was asked: under /fhir/ every answer is FHIR
(an OperationOutcome), under /api/ and /oruk/ the APIs' JSON {"detail": …}. Pages answer in
their own way, so for them there is none here."""

from django.http import HttpResponse, JsonResponse

from linkwell.interop.fhir_outcomes import operation_outcome
from linkwell.interop.views import FHIR_JSON


def refusal(request, status: int, message: str, *, fhir_code: str) -> HttpResponse | None:
    """The answer for an API or FHIR request, or None for a page."""
    if request.path.startswith("/fhir/"):
        outcome = operation_outcome(fhir_code, message).model_dump_json(exclude_none=True)
        return HttpResponse(outcome, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    if request.path.startswith(("/api/", "/oruk/")):
        return JsonResponse(
            {"detail": message}, status=status, content_type="application/json; charset=utf-8"
        )
    return None


def with_each_view(urls, wrap):
    """A mount's (patterns, app_name, namespace) with every view passed through `wrap`: how the
    JSON API and the ORUK API change what django-ninja answers on every path."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = wrap(pattern.callback)
    return patterns, app_name, namespace
