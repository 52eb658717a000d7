"""The status of an onward referral to a community service, declared once as a table.

sent → accepted or declined (with a reason) → attended or did not attend → completed;
withdrawn (by the link worker) from any open state. A person who missed a first session may
still come to the next, so "did not attend" stays open and can become "attended".
"""

from django.db import models


class Status(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SENT: frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}),
    Status.ACCEPTED: frozenset({Status.ATTENDED, Status.DID_NOT_ATTEND, Status.WITHDRAWN}),
    Status.ATTENDED: frozenset({Status.COMPLETED, Status.WITHDRAWN}),
    Status.DID_NOT_ATTEND: frozenset({Status.ATTENDED, Status.WITHDRAWN}),
    Status.DECLINED: frozenset(),
    Status.COMPLETED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

OPEN = frozenset(s for s, onward in TRANSITIONS.items() if onward)
CLOSED = frozenset(Status) - OPEN
# Steps that need a reason the link worker can act on.
NEEDS_REASON = frozenset({Status.DECLINED, Status.WITHDRAWN})
# What a provider may do; withdrawing is the link worker's (the person changed their mind).
PROVIDER_STEPS = frozenset(Status) - {Status.SENT, Status.WITHDRAWN}

# Button words for each step, in the provider's language (one tap each).
ACTION_LABELS = {
    Status.ACCEPTED: "Accept",
    Status.DECLINED: "Decline",
    Status.ATTENDED: "Attended",
    Status.DID_NOT_ATTEND: "Did not attend",
    Status.COMPLETED: "Completed",
    Status.WITHDRAWN: "Withdraw",
}


def allowed(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]


def next_steps(current: str, *, provider: bool) -> list[Status]:
    steps = [s for s in Status if s in TRANSITIONS[Status(current)]]
    return [s for s in steps if s in PROVIDER_STEPS] if provider else steps
