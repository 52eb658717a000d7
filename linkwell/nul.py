"""Refusing the NUL character (U+0000) at the edge, before any view runs.

PostgreSQL text cannot hold it, so a NUL in a path, a query string, a form field or a JSON string
reached the database and failed there as a server error: the caseload search, the API's filters
and bodies, the ORUK filters. Django's forms refuse it field by field, but the API's schemas,
the ORUK filters and views that read a POST value directly do not. One check here covers them
all, answering 400 in the shape the caller expects: JSON for the API and ORUK, an
OperationOutcome for FHIR, plain text for pages.
"""

import re

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse

from linkwell.interop.fhir_outcomes import operation_outcome
from linkwell.interop.views import FHIR_JSON

NUL = "\x00"
# `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is six characters).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def where_nul(request) -> str | None:
    """The part of the request that carries a NUL, or None. (Never the value: it may be a name
    or an NHS number.)"""
    if NUL in request.path:
        return "the address"
    if _carries(request.GET):
        return "the query string"
    if "json" in request.content_type:
        if b"\x00" in request.body or _JSON_NUL.search(request.body):
            return "the JSON body"
    # The body is read whole before the form is parsed, so a view that reads the body itself
    # (FHIR) still can. (Linkwell takes no file uploads, so nothing is streamed to disk.)
    elif request.content_type in FORMS and request.body and _carries(request.POST):
        return "the form"
    return None


def _carries(query) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in query.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = where_nul(request)
        if where is None:
            return self.get_response(request)
        message = f"A NUL character (U+0000) in {where} cannot be accepted: remove it."
        if request.path.startswith("/fhir/"):
            outcome = operation_outcome("invalid", message).model_dump_json(exclude_none=True)
            return HttpResponse(outcome, status=400, content_type=FHIR_JSON)
        if request.path.startswith(("/api/", "/oruk/")):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
