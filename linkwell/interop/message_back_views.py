"""GET /fhir/DocumentReference?patient=… (or patient:identifier=NHS number): the messages back
as sent, for the GP practice they went to (a token of one of its referrers) and the case's link
workers. Each is a DocumentReference whose attachment is the FHIR document Bundle itself,
unchanged; its subject is the PCN's record for the link workers, and the patient by NHS number
for the practice.

Searched through the route table (routes.py) like Task, so the CapabilityStatement declares it.
"""

import base64
import json
from urllib.parse import urlencode

from django.db.models import Q
from fhir.resources.R4B.documentreference import DocumentReference

from linkwell.accounts import audit
from linkwell.people.identifiers import normalise_nhs_number
from linkwell.standards.models import MessageBack

from . import fhir_referrals, task_queries
from .fhir_inbound import FhirProblem
from .fhir_referrals import NHS_NUMBER
from .message_back import DOCUMENT_TYPE, TITLE
from .task_search import (
    CONTROL,
    DEFAULT_COUNT,
    MAX_COUNT,
    PATIENT_IDS,
    Param,
    _number,
    patient_filters,
    refuse_modifier,
    summary_count,
)

PARAMS = {
    "patient": Param("reference", f"DocumentReference.subject: {PATIENT_IDS}"),
    "patient:identifier": Param(
        "token", f"DocumentReference.subject by NHS number: {NHS_NUMBER}|NUMBER, or NUMBER."
    ),
    "_count": Param("number", f"Documents per page, 1–{MAX_COUNT} (default {DEFAULT_COUNT})."),
}


def _subject(message: MessageBack) -> dict:
    """The PCN's record for its staff; for the practice a GP copy went to, their patient by
    NHS number, not the record's id (whose age would tell them how long the PCN has known
    the person)."""
    person = message.case.person
    if message.sees_record:
        return {"reference": f"Patient/{person.pk}"}
    identifier = {"system": NHS_NUMBER, "value": person.nhs_number} if person.nhs_number else None
    return {"identifier": identifier, "display": person.full_name}


def document_reference(message: MessageBack) -> DocumentReference:
    """`message` comes from `search` (with `sees_record`)."""
    document = json.dumps(message.bundle).encode()
    return DocumentReference.model_validate(
        {
            "resourceType": "DocumentReference",
            "id": f"message-back-{message.pk}",
            "masterIdentifier": message.bundle.get("identifier"),
            "status": "current",
            "docStatus": "final",
            "type": {**DOCUMENT_TYPE, "text": TITLE},
            "subject": _subject(message),
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


def _by_nhs_number(values) -> Q:
    numbers = []
    for value in values:
        system, bar, number = value.rpartition("|")
        if not bar or system == NHS_NUMBER:
            numbers.append(normalise_nhs_number(number))
    return Q(case__person__nhs_number__in=numbers)


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
            f"DocumentReference has no search parameter {unknown[0]!r}; it has patient and "
            "patient:identifier.",
            unknown[0],
            status=400,
            code="not-supported",
        )
    sent = (
        MessageBack.objects.visible_to(user)
        .select_related("case__person")
        .annotate(sees_record=task_queries.in_pcns(user, "case__organisation_id"))
    )
    applied = [(n, v) for n, v in pairs if n in ("patient", "patient:identifier")]
    for name, value in applied:
        values = [v.strip() for v in value.split(",") if v.strip()]
        # the rows' case is the subject's, as a subtask's is (task_search.patient_filters)
        sent = sent.filter(
            patient_filters(values)[1] if name == "patient" else _by_nhs_number(values)
        )
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
