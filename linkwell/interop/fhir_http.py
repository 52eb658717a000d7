"""The HTTP side of /fhir/, one place for every route: who is asking, which format they read
and send, which version they hold, and how a refusal is said (FHIR R4 RESTful API,
http://hl7.org/fhir/R4/http.html).

- Format: `_format` (json, xml or a MIME type) wins over `Accept`; JSON unless the client asks
  for XML only; 406 when it accepts neither. Bodies are `application/fhir+json` or
  `application/fhir+xml` (read by fhir_formats.to_json); anything else is 415.
  Answers carry `charset=utf-8` (http.html#mime-type).
- Versions: `meta.versionId` gives the weak ETag `W/"<versionId>"` and `meta.lastUpdated` the
  Last-Modified header (http.html#versioning); a stale `If-Match` is 412.
- `Prefer: return=minimal | representation | OperationOutcome` on create and update
  (http.html#ops), and on each entry of a transaction-response (http.html#transaction:
  "the Prefer header applies to the individual entries"); representation unless asked.
- Every refusal is an OperationOutcome with the HTTP status of http.html#Status-Codes.
"""

import re
from dataclasses import dataclass
from email.utils import format_datetime

from django.http import HttpResponse
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.accounts.services import user_for_token

from .fhir_inbound import FhirProblem

FHIR_JSON = "application/fhir+json"
FHIR_XML = "application/fhir+xml"
# _format values and MIME types → the FHIR format answered (http.html#mime-type).
FORMATS = {
    "json": FHIR_JSON,
    FHIR_JSON: FHIR_JSON,
    "application/json": FHIR_JSON,
    "application/json+fhir": FHIR_JSON,  # the DSTU2 name, still sent by older clients
    "xml": FHIR_XML,
    FHIR_XML: FHIR_XML,
    "application/xml": FHIR_XML,
    "application/xml+fhir": FHIR_XML,
    "text/xml": FHIR_XML,
}
ANY = {"*/*", "application/*"}
JSON_BODIES = {FHIR_JSON, "application/json", "application/json+fhir"}
XML_BODIES = {FHIR_XML, "application/xml", "application/xml+fhir", "text/xml"}
RETURN_PREFERENCES = {"minimal", "representation", "OperationOutcome"}


class NotAllowed(FhirProblem):
    """405: the method is not one this URL answers; `allow` lists those it does."""

    def __init__(self, message: str, allow: list[str]):
        super().__init__(message, "", status=405, code="not-supported")
        self.allow = allow


@dataclass
class Answer:
    """What a handler that writes gives back; the dispatcher renders it as the client prefers."""

    resource: object
    status: int = 200
    location: str = ""  # relative to the base, e.g. Task/5/_history/1716…
    bundle: bool = False  # a transaction-response: Prefer shaped its entries, not the Bundle


class Unauthenticated(FhirProblem):
    """401, with the `WWW-Authenticate` challenge of RFC 6750 §3: `invalid_token` when a token
    was sent and refused (wrong, revoked, expired or from a throttled address)."""

    def __init__(self, *, token_sent: bool):
        message = (
            "The bearer token was refused: it is wrong, revoked or expired, or too many wrong "
            "ones came from this address."
            if token_sent
            else "Send a bearer token or sign in."
        )
        super().__init__(message, "", status=401, code="login")
        self.challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"


def bearer_token(request) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None; the scheme is matched without
    regard to case (RFC 7235 §2.1: `bearer` is the same scheme)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def user_of(request):
    """A bearer token's user, else the signed-in user, else None."""
    token = bearer_token(request)
    if token is not None:
        return user_for_token(token)
    return request.user if request.user.is_authenticated else None


FHIR_VERSIONS = {"4.0", "4.0.1"}  # the fhirVersion MIME parameter values this server answers


def _media_types(header: str) -> list[str]:
    """Media types of an Accept header, best first (q=0 excluded, and a type asking for another
    FHIR version: http.html#version-parameter)."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        kind, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name.strip().lower() == "fhirversion" and value.strip('" ') not in FHIR_VERSIONS:
                quality = 0.0
        if kind and quality > 0:
            ranked.append((-quality, position, kind.lower()))
    return [kind for _, _, kind in sorted(ranked)]


def answer_format(request) -> str:
    """The MIME type to answer in, or FhirProblem 406 (or 400 for an unknown _format)."""
    wanted = request.GET.get("_format", "").strip()
    if wanted:
        mime = FORMATS.get(wanted.lower().split(";")[0].strip())
        if mime is None:
            raise FhirProblem(
                f"Unknown _format {wanted!r}: use json or xml.", "_format", status=400
            )
        return mime
    accept = request.headers.get("Accept", "").strip()
    if not accept:
        return FHIR_JSON
    for kind in _media_types(accept):
        if kind in ANY:
            return FHIR_JSON
        if kind in FORMATS:
            return FORMATS[kind]
        if kind == "text/html" or kind == "text/*":
            continue  # a browser: it also sends */*
    raise FhirProblem(
        "This server answers application/fhir+json or application/fhir+xml.",
        "",
        status=406,
        code="not-supported",
    )


def body_format(request) -> str:
    """'json' or 'xml' for a request body's Content-Type, or FhirProblem 415."""
    kind = (request.content_type or "").lower()
    if kind in JSON_BODIES:
        return "json"
    if kind in XML_BODIES:
        return "xml"
    raise FhirProblem(
        f"Send the resource as application/fhir+json or application/fhir+xml, not {kind!r}.",
        "",
        status=415,
        code="not-supported",
    )


def return_preference(request) -> str:
    """The `return` of the Prefer header (RFC 7240), 'representation' when absent."""
    for part in request.headers.get("Prefer", "").split(","):
        for token in part.split(";"):
            name, _, value = token.strip().partition("=")
            if name.strip().lower() == "return" and value.strip('" ') in RETURN_PREFERENCES:
                return value.strip('" ')
    return "representation"


def strict_handling(request) -> bool:
    """`Prefer: handling=strict` (http.html#Prefer): refuse search parameters not understood."""
    prefer = request.headers.get("Prefer", "").replace(" ", "").lower()
    return "handling=strict" in prefer.split(",") or "handling=strict" in prefer.split(";")


def etag(version_id: str) -> str:
    return f'W/"{version_id}"'


# An entity tag naming a FHIR version id (RFC 7232 §2.3; FHIR id rules): W/"n", "n", or n bare
# as some clients send it.
_TAG = re.compile(r'(?:W/)?(?:"([A-Za-z0-9.-]{1,64})"|([A-Za-z0-9.-]{1,64}))')


def _versions(request, header: str) -> set[str]:
    """The versions an If-Match or If-None-Match header names ("*": any); 400 when it is not a
    list of entity tags, rather than a 412 or a read that says nothing of the mistake."""
    value = request.headers.get(header, "").strip()
    if value == "*":
        return {"*"}
    tags = [_TAG.fullmatch(tag.strip()) for tag in value.split(",")] if value else []
    if not all(tags):
        raise FhirProblem(
            f'{header} must name versions as entity tags, such as W/"3" (RFC 7232).',
            "",
            status=400,
            code="invalid",
        )
    return {tag[1] or tag[2] for tag in tags}


def check_if_match(request, version_id: str) -> None:
    """412 when the client's If-Match names none but other versions than the current one."""
    held = _versions(request, "If-Match")
    if not held or "*" in held or version_id in held:
        return
    raise FhirProblem(
        f"You hold version {', '.join(sorted(held))} but the current version is {version_id}: "
        "read it again.",
        "",
        status=412,
        code="conflict",
    )


def unchanged(request, resource) -> bool:
    """Conditional read (http.html#cread): the client's `If-None-Match` names the version it
    holds, which is still current."""
    meta = getattr(resource, "meta", None)
    held = _versions(request, "If-None-Match")
    if not held or meta is None or not meta.versionId:
        return False
    return "*" in held or meta.versionId in held


def not_modified(resource) -> HttpResponse:
    """304, with the ETag and Last-Modified of the version the client holds, and no body (nor
    Content-Type: RFC 7232 §4.1)."""
    response = HttpResponse(status=304)
    del response["Content-Type"]
    response["ETag"] = etag(resource.meta.versionId)
    if resource.meta.lastUpdated:
        response["Last-Modified"] = format_datetime(resource.meta.lastUpdated, usegmt=True)
    return response


def serialise(resource, mime: str) -> str:
    if mime == FHIR_XML:
        return resource.model_dump_xml(exclude_none=True)
    return resource.model_dump_json(exclude_none=True)


def render(resource, *, mime: str = FHIR_JSON, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        serialise(resource, mime), status=status, content_type=f"{mime}; charset=utf-8"
    )
    meta = getattr(resource, "meta", None)
    if meta is not None and meta.versionId:
        response["ETag"] = etag(meta.versionId)
    if meta is not None and meta.lastUpdated:
        response["Last-Modified"] = format_datetime(meta.lastUpdated, usegmt=True)
    return response


def outcome(problem: FhirProblem) -> OperationOutcome:
    issue = {"severity": "error", "code": problem.code, "diagnostics": problem.message}
    if problem.expression:
        issue["expression"] = [problem.expression]
    return OperationOutcome(issue=[issue])


def refusal(problem: FhirProblem, *, mime: str = FHIR_JSON) -> HttpResponse:
    response = render(outcome(problem), mime=mime, status=problem.status)
    if isinstance(problem, NotAllowed):
        response["Allow"] = ", ".join(problem.allow)
    if problem.status == 401:
        response["WWW-Authenticate"] = getattr(problem, "challenge", "Bearer")
    return response


def _done(what: str) -> OperationOutcome:
    issue = {"severity": "information", "code": "informational", "diagnostics": f"Done: {what}."}
    return OperationOutcome(issue=[issue])


def entry(resource, *, status: str, location: str, prefer: str) -> dict:
    """One entry of a transaction-response, shaped by the client's `Prefer: return=`."""
    response = {"status": status, "location": location}
    meta = getattr(resource, "meta", None)
    if meta is not None and meta.versionId:
        response["etag"] = etag(meta.versionId)
    if resource is None or prefer == "minimal":
        return {"response": response}
    if prefer == "OperationOutcome":
        return {"response": {**response, "outcome": _done(location or resource.id)}}
    return {"resource": resource, "response": response}


def written(answer: Answer, *, base: str, mime: str, prefer: str) -> HttpResponse:
    """A create or update answered as the client prefers, with Location and ETag."""
    if answer.bundle:  # its entries are already as the client prefers
        prefer = "representation"
    if prefer == "OperationOutcome":
        response = render(
            _done(answer.location or answer.resource.id), mime=mime, status=answer.status
        )
    elif prefer == "minimal":  # no body, but never Django's default text/html
        response = HttpResponse(status=answer.status, content_type=f"{mime}; charset=utf-8")
    else:
        response = render(answer.resource, mime=mime, status=answer.status)
    meta = getattr(answer.resource, "meta", None)
    if meta is not None and meta.versionId:
        response["ETag"] = etag(meta.versionId)
    if answer.location:
        response["Location"] = f"{base}{answer.location}"
    return response
