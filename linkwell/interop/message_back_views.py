"""GET /fhir/DocumentReference?patient=…: the messages back as sent, for the GP practice they
went to (a token of one of its referrers) and the case's link workers. Each is a
DocumentReference whose attachment is the FHIR document Bundle itself, unchanged.

Searched through the route table (routes.py) like Task, so the CapabilityStatement declares it.
"""

import base64
import json
from urllib.parse import urlencode

from fhir.resources.R4B.documentreference import DocumentReference

from linkwell.accounts import audit
from linkwell.accounts.access import record_id
from linkwell.standards.models import MessageBack

from . import fhir_referrals
from .fhir_inbound import FhirProblem
from .message_back import DOCUMENT_TYPE, TITLE
from .task_search import (
    CONTROL,
    DEFAULT_COUNT,
    MAX_COUNT,
    Param,
    _number,
    refuse_modifier,
    summary_count,
)

PARAMS = {
    "patient": Param("reference", "DocumentReference.subject: Patient/ID or ID."),
    "_count": Param("number", f"Documents per page, 1–{MAX_COUNT} (default {DEFAULT_COUNT})."),
}


def document_reference(message: MessageBack) -> DocumentReference:
    document = json.dumps(message.bundle).encode()
    return DocumentReference.model_validate(
        {
            "resourceType": "DocumentReference",
            "id": f"message-back-{message.pk}",
            "masterIdentifier": message.bundle.get("identifier"),
            "status": "current",
            "docStatus": "final",
            "type": {**DOCUMENT_TYPE, "text": TITLE},
            "subject": {"reference": f"Patient/{message.case.person_id}"},
            "date": message.sent_at.isoformat(),
            "description": f"To {message.recipient_name}",
            "content": [
                {
                    "attachment": {
                        "contentType": "application/fhir+json",
                        "data": base64.b64encode(document).decode(),
                        "title": TITLE,
                        "creation": message.sent_at.isoformat(),
                    }
                }
            ],
        }
    )


def search(pairs: list[tuple[str, str]], *, user, base: str, strict: bool):
    """The messages back this user may read, newest first; `patient` narrows to one person."""
    counting = summary_count(pairs)
    for name, _ in pairs:
        refuse_modifier(name, PARAMS, PARAMS, "DocumentReference")
    unknown = [
        n
        for n, _ in pairs
        if n not in PARAMS and n not in CONTROL and not (counting and n == "_summary")
    ]
    if unknown and strict:
        raise FhirProblem(
            f"DocumentReference has no search parameter {unknown[0]!r}; it has patient.",
            unknown[0],
            status=400,
            code="not-supported",
        )
    sent = MessageBack.objects.visible_to(user).select_related("case__person")
    applied = [(n, v) for n, v in pairs if n == "patient"]
    for _, value in applied:
        wanted = record_id(value.rpartition("/")[2])
        sent = sent.filter(case__person_id=wanted) if wanted is not None else sent.none()
    if counting:
        self_link = f"{base}DocumentReference?{urlencode([*applied, ('_summary', 'count')])}"
        return fhir_referrals.searchset(
            [], base=base, total=sent.count(), links={"self": self_link}
        )
    count = _number(pairs, "_count", DEFAULT_COUNT, 1, MAX_COUNT)
    offset = _number(pairs, "_offset", 0, 0, 10_000_000)
    total = sent.count()
    found = list(sent.order_by("-sent_at", "-pk")[offset : offset + count])
    for person_id in {m.case.person_id for m in found}:
        audit.record_read(person_id=person_id, by=user, via="FHIR DocumentReference")

    def link(at: int) -> str:
        query = urlencode([*applied, ("_count", count), ("_offset", at)])
        return f"{base}DocumentReference?{query}"

    links = {"self": link(offset), "first": link(0)}
    if offset + count < total:
        links["next"] = link(offset + count)
    if offset > 0:
        links["previous"] = link(max(0, offset - count))
    return fhir_referrals.searchset(
        list(map(document_reference, found)), base=base, total=total, links=links, ignored=unknown
    )
