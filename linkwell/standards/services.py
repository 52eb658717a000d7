"""Sending the message back: checked, consented, kept as sent, audited."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.cases.models import Case
from linkwell.delivery.services import queue
from linkwell.interop import itk3, message_back, message_back_letter
from linkwell.people.models import Consent, ConsentScope
from linkwell.people.services import record_consent

from .gaps import missing
from .items import by_id
from .models import MessageBack, Recipient

GP_PRACTICE = "gp_practice.gp_practice_record_entry.gp_practice_identifier"


class StandardsError(ValidationError):
    """The message back cannot be sent; the message names what is missing."""


def blockers(case: Case, recipient: str) -> list[str]:
    """Why this message cannot be sent now: the empty mandatory items, named, and no recipient."""
    carried = {i for s in message_back.sections_for(recipient) for i in s.items}
    # A section carries its group and everything in it.
    problems = [
        item.label
        for item in missing(case, due_only=False)
        if any(item.id == c or item.id.startswith(c + ".") for c in carried)
    ]
    if message_back.recipient_of(case, recipient) is None:
        if recipient == Recipient.REFERRER:
            problems.append("Referrer details (no referrer other than the GP)")
        elif by_id(GP_PRACTICE).label not in problems:
            problems.append(by_id(GP_PRACTICE).label + " (the person has no registered practice)")
    return problems


def _refused_referral(case: Case) -> bool:
    latest = Consent.objects.filter(person=case.person, scope=ConsentScope.REFERRAL).last()
    return latest is not None and not latest.given


@write_guard.service
@transaction.atomic
def record_referrer(*, case: Case, name: str, contact: str, organisation_name: str = "", by):
    """Record or correct who referred and how to reach them (PRSB "Referrer details", mandatory
    in the message back): a referral that came without them, over FHIR say, can then be sent."""
    referral = case.referral
    name, contact = (name or "").strip(), (contact or "").strip()
    organisation_name = (organisation_name or "").strip()
    errors = {}
    if not name or len(name) > 200:
        errors["name"] = "Give the referrer's name (up to 200 characters)."
    if not contact or len(contact) > 200:
        errors["contact"] = "Give a phone number or email address for the referrer."
    if len(organisation_name) > 150:
        errors["organisation_name"] = "Keep the organisation's name to 150 characters."
    if errors:
        raise StandardsError(errors)
    before = {
        "referrer_name": referral.referrer_name,
        "referrer_contact": referral.referrer_contact,
        "referring_organisation_name": referral.referring_organisation_name,
    }
    referral.referrer_name, referral.referrer_contact = name, contact
    if organisation_name or referral.referring_organisation_id is None:
        referral.referring_organisation_name = organisation_name
    referral.save(update_fields=list(before))
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=referral,
        person_id=case.person_id,
        event="referrer details recorded",
        changed=[k for k, v in before.items() if getattr(referral, k) != v],
    )
    return referral


@write_guard.service
@transaction.atomic
def send_message_back(*, case: Case, recipient: str, consent_given: bool, by) -> MessageBack:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if recipient not in Recipient.values:
        raise StandardsError({"recipient": f"Unknown recipient {recipient!r}."})
    problems = blockers(case, recipient)
    if problems:
        raise StandardsError({"__all__": [f"Fill in before sending: {', '.join(problems)}."]})
    if consent_given is not True or _refused_referral(case):
        raise StandardsError({"consent_given": "The person must agree to this summary being sent."})
    copy = recipient == Recipient.GP and _copy_for_referrer(case)
    record_consent(
        person=case.person,
        scope=ConsentScope.MESSAGE_BACK,
        given=True,
        by=by,
        method=f"confirmed by the link worker before sending to the {recipient}"
        + (" and the referrer" if copy else ""),
    )
    now = timezone.now()
    sent = _keep(case, recipient, by, now)
    if recipient == Recipient.GP:
        _to_the_practice(sent, sent.recipient_organisation, by)
    if copy:
        _to_the_referrer(_keep(case, Recipient.REFERRER, by, now), by)
    elif recipient == Recipient.REFERRER and referrer_email(case):
        _to_the_referrer(sent, by)
    return sent


def _keep(case: Case, recipient: str, by, now) -> MessageBack:
    """The message back to this recipient, kept as sent and audited."""
    name, organisation = message_back.recipient_of(case, recipient)
    content = message_back.sections(case, recipient)
    document = message_back.bundle(case, content, sent_by=by, sent_at=now)
    sent = MessageBack.objects.create(
        case=case,
        recipient=recipient,
        recipient_name=name,
        recipient_organisation=organisation,
        sections=content,
        bundle=document.model_dump(mode="json", exclude_none=True),
        sent_at=now,
        sent_by=by,
    )
    audit.record(
        user=by, action=AuditAction.CREATE, obj=sent, person_id=case.person_id, recipient=recipient
    )
    return sent


def referrer_email(case: Case) -> str:
    """The email address of a referrer who is not the GP practice (another agency), or "": a
    GP practice that referred hears back over MESH, and a phone number is not written to."""
    contact = case.referral.referrer_contact.strip()
    if message_back.recipient_of(case, Recipient.REFERRER) is None:
        return ""
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


def _copy_for_referrer(case: Case) -> bool:
    """Sending to the GP also sends the referrer their copy, by email, when they can have one."""
    return bool(referrer_email(case)) and not blockers(case, Recipient.REFERRER)


def _to_the_referrer(sent: MessageBack, by) -> None:
    """Queue the referrer's copy by email (GOV.UK Notify's email template in production): their
    sections only — what their referral page shows, never the notes — and a subject without
    health details or the person's name."""
    case = sent.case
    body = render_to_string(
        "standards/referrer_copy.txt",
        {"sent": sent, "case": case, "worker": sent.sent_by or case.link_worker},
    )
    queue(
        key=f"message-back:{sent.pk}",
        what="message back to the referrer (copy)",
        channel="email",
        to=referrer_email(case),
        case=case,
        subject="Social prescribing: what happened to your referral",
        body=body,
        to_person=False,
        by=by,
    )


def _to_the_practice(sent: MessageBack, organisation, by) -> None:
    """Queue the message back for the registered practice's MESH mailbox as GP systems receive
    documents: a GP Connect Send Document message (ITK3, FHIR STU3) carrying the PDF letter
    GP systems file, and our FHIR R4 document Bundle beside it (linkwell/interop/itk3.py)."""
    case = sent.case
    ods_code = organisation.ods_code if organisation is not None else case.person.gp_practice_code
    letter = {
        "recipient_name": sent.recipient_name,
        "sections": sent.sections,
        "sent_at": sent.sent_at,
        "case": case,
    }
    message_id = uuid.uuid4()  # the ITK3 message's id, which its acknowledgements name
    message = itk3.send_document(
        message_id=message_id,
        title=message_back.TITLE,
        case=case,
        author=sent.sent_by or case.link_worker,
        pdf=message_back_letter.render(letter),
        fhir_document=sent.bundle,
        sender_mailbox=settings.MESH_MAILBOX,
        sent_at=sent.sent_at,
    )
    queue(
        key=f"message-back:{sent.pk}",
        reference=message_id.hex,
        what="message back to the GP practice",
        channel="mesh",
        to=ods_code,
        case=case,
        subject=itk3.subject(
            title=message_back.TITLE, person=case.person, organisation=case.organisation
        ),
        document=message,
        content_type=itk3.FHIR_JSON,
        by=by,
    )


def delivery_of(sent: MessageBack):
    """The outbox record carrying a message back: to the GP practice by MESH, or the referrer's
    copy by email; None for a copy Linkwell did not send (the referrer has no email address)."""
    from linkwell.delivery.models import Delivery

    return Delivery.objects.filter(key=f"message-back:{sent.pk}").first()


def letter_for_referrer(*, referral, user) -> MessageBack | None:
    """The latest message back the referring user's organisation received about this referral:
    the GP copy if their practice was its recipient, else the copy for a referrer who is not
    the GP. Never anything else of the case (the notes stay with the link worker)."""
    from linkwell.accounts.permissions import referring_organisation_ids

    mine = referring_organisation_ids(user)
    sent = MessageBack.objects.filter(case__referral=referral)
    for_gp = sent.filter(recipient=Recipient.GP, recipient_organisation_id__in=mine)
    for_referrer = sent.filter(recipient=Recipient.REFERRER)
    if referral.referring_organisation_id not in mine:
        for_referrer = for_referrer.none()
    return for_gp.first() or for_referrer.first()
