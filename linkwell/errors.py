"""Django's error handlers: an error outside any view's own answer (an address no route
matches, a request Django refuses before a view runs, such as a Host header it does not
serve, or an error nobody foresaw, logged by Django first with its traceback) is still
answered in the format of the interface that was asked. Under /fhir/ every answer is FHIR, so
it is an OperationOutcome; under /oruk/ and /api/ it is the APIs' JSON {"detail": …};
elsewhere the site's own page."""

from django.views import defaults

from linkwell.interfaces import refusal


def bad_request(request, exception):
    answer = refusal(
        request,
        400,
        "Linkwell could not read this request (its address or headers): check them.",
        fhir_code="invalid",
    )
    return answer or defaults.bad_request(request, exception)


def permission_denied(request, exception):
    answer = refusal(request, 403, "You may not do this.", fhir_code="forbidden")
    return answer or defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    answer = refusal(request, 404, "Nothing is at this address.", fhir_code="not-found")
    return answer or defaults.page_not_found(request, exception)


def server_error(request):
    answer = refusal(
        request,
        500,
        "Linkwell could not answer this request: the failure is logged. Try again later.",
        fhir_code="exception",
    )
    return answer or defaults.server_error(request)
