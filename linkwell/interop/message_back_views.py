"""GET /fhir/DocumentReference?patient=…: the messages back as sent, for the GP practice they
went to (a token of one of its referrers) and the case's link workers. Each is a
DocumentReference whose attachment is the FHIR document Bundle itself, unchanged.

The smallest route for issue 17 (GP systems fetch what was sent); generic FHIR search, paging
and versioning belong to interop/views.py.
"""

import base64
import json

from fhir.resources.R4B.documentreference import DocumentReference

from linkwell.people.services import record_viewed
from linkwell.standards.models import MessageBack

from . import fhir_referrals
from .message_back import DOCUMENT_TYPE, TITLE
from .referral_views import _base
from .views import fhir_read


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


@fhir_read
def document_reference_search(request, user):
    """`patient` is Patient/ID or ID (the Patient Linkwell serves); without it, all visible."""
    sent = MessageBack.objects.visible_to(user).select_related("case__person")
    wanted = request.GET.get("patient", "").rpartition("/")[2]
    if "patient" in request.GET:
        sent = sent.filter(case__person_id=int(wanted)) if wanted.isdigit() else sent.none()
    found = list(sent[:100])
    for person in {m.case.person for m in found}:
        record_viewed(person=person, by=user, via="FHIR DocumentReference")
    return fhir_referrals.searchset(list(map(document_reference, found)), base=_base(request))
