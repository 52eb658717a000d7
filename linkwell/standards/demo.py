"""Demo messages back: `linkwell demo` calls `load` after the cases, outcomes and connections
demos. Discharged cases referred by a GP practice, with every mandatory item recorded, get a
message back to their practice, sent through the service (consent recorded, audited)."""

from django.db.models import Q

from linkwell.cases.lifecycle import Status
from linkwell.cases.models import Case, ReferralSource

from .models import Recipient
from .services import blockers, send_message_back


def load(*, seed: int) -> dict[str, int]:
    sent = 0
    discharged = (
        Case.objects.filter(status=Status.DISCHARGED, referral__source=ReferralSource.GP_PRACTICE)
        .filter(~Q(person__address=""), link_worker__isnull=False)
        .select_related("person", "referral", "link_worker")
        .order_by("pk")
    )
    for case in discharged[:10]:
        if not blockers(case, Recipient.GP):
            send_message_back(
                case=case, recipient=Recipient.GP, consent_given=True, by=case.link_worker
            )
            sent += 1
    return {"messages back": sent}
