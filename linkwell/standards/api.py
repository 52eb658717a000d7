"""API: send the message back (the same service as the page)."""

from datetime import datetime

from ninja import Router, Schema
from ninja.responses import Status as Reply

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability, require
from linkwell.cases.models import Case

from .models import Recipient
from .services import record_referrer, send_message_back

router = Router(tags=["social prescribing standard"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 422: dict}


class MessageBackIn(Schema):
    recipient: Recipient
    consent_given: bool


class ReferrerIn(Schema):
    name: str
    contact: str
    organisation_name: str = ""


class ReferrerOut(Schema):
    referrer_name: str
    referrer_contact: str
    referring_organisation_name: str


class MessageBackOut(Schema):
    id: int
    recipient: Recipient
    recipient_name: str
    sent_at: datetime
    sections: list[dict]
    bundle: dict


@router.post(
    "/cases/{case_id}/message-back",
    response={201: MessageBackOut, **ERRORS},
    summary="Send the message back to the GP or referrer",
    description="Refused with 422, naming the items, while a mandatory item is empty or without "
    "the person's agreement. `bundle` is the FHIR R4 document Bundle as sent.",
)
def post_message_back(request, case_id: int, payload: MessageBackIn):
    require(request.user, Capability.MANAGE_CASES)
    case = visible_or_404(Case.objects.visible_to(request.user), case_id, request.user)
    sent = send_message_back(
        case=case,
        recipient=payload.recipient,
        consent_given=payload.consent_given,
        by=request.user,
    )
    return Reply(201, sent)


@router.put(
    "/cases/{case_id}/referrer",
    response={200: ReferrerOut, **ERRORS},
    summary="Record or correct the referrer's name and contact details",
    description="PRSB 'Referrer details', mandatory in the message back. 422 names the field.",
)
def put_referrer(request, case_id: int, payload: ReferrerIn):
    require(request.user, Capability.MANAGE_CASES)
    case = visible_or_404(Case.objects.visible_to(request.user), case_id, request.user)
    return record_referrer(case=case, by=request.user, **payload.dict())
