"""FHIR XML in: `application/fhir+xml` bodies are read with fhir.resources' own XML parser
(lxml) and handed to the JSON handlers as the same resource in JSON, so one code path checks
both. Answers stay JSON (`application/fhir+json`).

A document type declaration is refused before parsing: FHIR XML never has one, and without it
no entity can be defined, so nothing external is ever fetched or expanded.
"""

from functools import wraps

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from lxml import etree
from pydantic import ValidationError as ModelError

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.permissions import can

from .fhir_inbound import FhirProblem, _path
from .referral_views import _outcome
from .views import _user

NAMESPACE = "http://hl7.org/fhir"
XML_TYPES = {"application/fhir+xml", "application/xml", "text/xml"}
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def to_json(body: bytes) -> bytes:
    """One FHIR resource in XML → the same resource as JSON, or FhirProblem with its path."""
    # Parsed once, here, by a parser that loads no DTD, expands no entity and opens no
    # network or file; a document type declaration is refused whatever the body's encoding
    # (looking for "<!DOCTYPE" in the bytes missed UTF-16). What fhir.resources reads next is
    # this tree written out again: UTF-8, with no DTD and so no entity left to expand.
    try:
        root = etree.fromstring(body, parser=_PARSER)  # noqa: S320  # nosec B320 — no DTD, no entities, no network
    except etree.XMLSyntaxError as e:
        raise FhirProblem(f"The body is not XML ({e}).", "", status=400, code="structure") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise FhirProblem("FHIR XML has no document type declaration.", "", status=400)
    body = etree.tostring(root, encoding="utf-8")
    name = etree.QName(root)
    try:
        model = get_fhir_model_class(name.localname)
    except (KeyError, ValueError):
        model = None
    if name.namespace != NAMESPACE or model is None or not issubclass(model, Resource):
        raise FhirProblem(
            f"<{name.localname}> is not a FHIR resource (namespace {NAMESPACE}).", "resourceType"
        )
    try:
        resource = model.model_validate_xml(body)
    except ModelError as e:
        first = e.errors()[0]
        raise FhirProblem(
            f"{first['msg']}.", _path(name.localname, first["loc"]), code="structure"
        ) from None
    except (ValueError, TypeError, etree.LxmlError) as e:
        raise FhirProblem(f"Unreadable FHIR XML: {e}.", name.localname, code="structure") from None
    return resource.model_dump_json(exclude_none=True).encode()


def xml_body(view, capability):
    """Let `view` (which reads FHIR JSON) take FHIR XML too, from users who hold
    `capability`; anyone else is left to the view to refuse (401 or 403 before any parsing)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.content_type in XML_TYPES:
            user = _user(request)
            if user is not None and can(user, capability):
                try:
                    request._body = to_json(request.body)
                except FhirProblem as problem:
                    audit.record(
                        user=user,
                        action=AuditAction.DENIED,
                        object_type="fhir.xml",
                        refused=problem.message,
                        expression=problem.expression,
                    )
                    return _outcome(problem)
        return view(request, *args, **kwargs)

    return wrapped
