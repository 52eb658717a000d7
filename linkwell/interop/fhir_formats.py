"""FHIR XML in: `application/fhir+xml` bodies are read with fhir.resources' own XML parser
(lxml) and handed to the JSON handlers as the same resource in JSON, so one code path checks
both (routes.py does this after authentication, for users who may write). Answers are JSON or
XML as the client asks (fhir_http.py).

The body is parsed with DTDs, entities and the network off, and a document type declaration is
refused from the parsed tree (whatever the encoding): FHIR XML never has one.
"""

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from lxml import etree
from pydantic import ValidationError as ModelError

from .fhir_inbound import FhirProblem, _path

NAMESPACE = "http://hl7.org/fhir"
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
    except KeyError as e:  # an element the resource does not have (fhir.resources' own lookup)
        raise FhirProblem(
            f"Unreadable FHIR XML: {name.localname} has no element {e.args[0]!r}.",
            name.localname,
            code="structure",
        ) from None
    return resource.model_dump_json(exclude_none=True).encode()
