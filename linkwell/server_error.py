"""handler500: an error nobody foresaw is still answered in the format of the interface that
was asked (logged by Django first, with its traceback). Under /fhir/ every answer is FHIR, so
it is an OperationOutcome (code exception); under /oruk/ and /api/ it is the APIs' JSON
{"detail": …}; elsewhere the site's own page."""

from django.http import HttpResponse, JsonResponse
from django.views.defaults import server_error as site_server_error

from linkwell.interop.fhir_http import FHIR_JSON
from linkwell.interop.fhir_outcomes import operation_outcome

MESSAGE = "Linkwell could not answer this request: the failure is logged. Try again later."


def server_error(request):
    if request.path.startswith("/fhir/"):
        outcome = operation_outcome("exception", MESSAGE).model_dump_json(exclude_none=True)
        return HttpResponse(outcome, status=500, content_type=f"{FHIR_JSON}; charset=utf-8")
    if request.path.startswith(("/api/", "/oruk/")):
        return JsonResponse(
            {"detail": MESSAGE}, status=500, content_type="application/json; charset=utf-8"
        )
    return site_server_error(request)
