"""handler500: an error nobody foresaw is still answered in the format of the interface that
was asked (logged by Django first, with its traceback). Under /fhir/ every answer is FHIR, so
it is an OperationOutcome (code exception); under /oruk/ and /api/ it is the APIs' JSON
{"detail": …}; elsewhere the site's own page."""

from django.views.defaults import server_error as site_server_error

from linkwell.interfaces import refusal

MESSAGE = "Linkwell could not answer this request: the failure is logged. Try again later."


def server_error(request):
    answer = refusal(request, 500, MESSAGE, fhir_code="exception")
    return site_server_error(request) if answer is None else answer
