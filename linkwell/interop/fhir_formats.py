"""FHIR XML in: `application/fhir+xml` bodies are read with fhir.resources' own XML parser
(lxml) and handed to the JSON handlers as the same resource in JSON, so one code path checks
both (routes.py does this after authentication, for users who may write). Answers are JSON or
XML as the client asks (fhir_http.py).

A document type declaration is refused before parsing: FHIR XML never has one, and without it
no entity can be defined, so nothing external is ever fetched or expanded.
"""

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from lxml import etree
from pydantic import ValidationError as ModelError

from .fhir_inbound import FhirProblem, _path

NAMESPACE = "http://hl7.org/fhir"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def to_json(body: bytes) -> bytes:
    """One FHIR resource in XML → the same resource as JSON, or FhirProblem with its path."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise FhirProblem("FHIR XML has no document type declaration.", "", status=400)
    try:
        root = etree.fromstring(body, parser=_PARSER)  # noqa: S320  # nosec B320 — no DTD, no entities, no network
    except etree.XMLSyntaxError as e:
        raise FhirProblem(f"The body is not XML ({e}).", "", status=400, code="structure") from None
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
