"""Refusing the NUL character (U+0000) at the edge, before any view runs.

PostgreSQL text cannot hold it, so a NUL in a path, a query string, a form field or a JSON string
reached the database and failed there as a server error: the caseload search, the API's filters
and bodies, the ORUK filters. Django's forms refuse it field by field, but the API's schemas,
the ORUK filters and views that read a POST value directly do not. One check here covers them
all, answering 400 in the shape the caller expects: JSON for the API and ORUK, an
OperationOutcome for FHIR, plain text for pages.
"""

import codecs
import re

from django.http import HttpResponseBadRequest

from linkwell.interfaces import refusal

NUL = "\x00"
# `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is six characters).
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
# Where a body is read as JSON whatever its declared type (django-ninja, FHIR writes).
JSON_PATHS = ("/api/", "/fhir/")
# Byte-order marks, and the encodings they announce.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def body_text(body: bytes) -> str:
    """The body as a parser reads it, whatever the Content-Type says: JSON's and XML's own
    rules for spotting UTF-16 and UTF-32 (a byte-order mark, or where the zero bytes of the
    first ASCII characters fall: RFC 4627 section 3, XML 1.0 appendix F), UTF-8 otherwise."""
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None)
    if encoding is None:
        head = body[:4].ljust(4, b"\x01")
        zeros = tuple(b == 0 for b in head)
        encoding = {
            (True, True, True, False): "utf-32-be",
            (False, True, True, True): "utf-32-le",
            (True, False, True, False): "utf-16-be",
            (False, True, False, True): "utf-16-le",
        }.get(zeros, "utf-8")
    return body.decode(encoding, errors="replace").removeprefix("\ufeff")


def where_nul(request) -> str | None:
    """The part of the request that carries a NUL, or None. (Never the value: it may be a name
    or an NHS number.)"""
    if NUL in request.path:
        return "the address"
    if _carries(request.GET):
        return "the query string"
    if any(NUL in value for key, value in request.META.items() if key.startswith("HTTP_")):
        return "a header"  # an Idempotency-Key or a cookie is looked up in the database
    form = request.content_type in FORMS
    if form and request.body and _carries(request.POST):
        # The body is read whole before the form is parsed, so a view that reads the body
        # itself still can. (Linkwell takes no file uploads, so nothing is streamed to disk.)
        return "the form"
    if request.body and (not form or request.path.startswith(JSON_PATHS)):
        # Whatever is declared (JSON sent as text/plain, with no type, or even as a form is
        # still parsed as JSON by the API and FHIR), check the text a parser would read.
        text = body_text(request.body)
        if NUL in text or _JSON_NUL.search(text):
            return "the JSON body" if "json" in request.content_type else "the body"
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
        answer = refusal(request, 400, message, fhir_code="invalid")
        if answer is None:
            answer = HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return answer
