"""Sending the message back: checked, consented, kept as sent, audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.cases.models import Case
from linkwell.interop import message_back
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
def send_message_back(*, case: Case, recipient: str, consent_given: bool, by) -> MessageBack:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if recipient not in Recipient.values:
        raise StandardsError({"recipient": f"Unknown recipient {recipient!r}."})
    problems = blockers(case, recipient)
    if problems:
        raise StandardsError({"__all__": [f"Fill in before sending: {', '.join(problems)}."]})
    if consent_given is not True or _refused_referral(case):
        raise StandardsError({"consent_given": "The person must agree to this summary being sent."})
    record_consent(
        person=case.person,
        scope=ConsentScope.MESSAGE_BACK,
        given=True,
        by=by,
        method=f"confirmed by the link worker before sending to the {recipient}",
    )
    name, organisation = message_back.recipient_of(case, recipient)
    content = message_back.sections(case, recipient)
    now = timezone.now()
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
