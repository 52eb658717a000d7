"""The case lifecycle, declared once as a table of allowed transitions."""

from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "Referral received"
    CONTACTED = "contacted", "Contacted"
    ASSESSED = "assessed", "What matters explored"
    SUPPORTED = "supported", "Being supported"
    DISCHARGED = "discharged", "Discharged"
    DECLINED = "declined", "Declined"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"


_EXITS = {Status.DECLINED, Status.NOT_APPROPRIATE}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.CONTACTED, Status.UNABLE_TO_CONTACT, *_EXITS}),
    Status.CONTACTED: frozenset({Status.ASSESSED, Status.DISCHARGED, *_EXITS}),
    Status.ASSESSED: frozenset({Status.SUPPORTED, Status.DISCHARGED, *_EXITS}),
    Status.SUPPORTED: frozenset({Status.DISCHARGED, Status.DECLINED}),
    Status.DISCHARGED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.UNABLE_TO_CONTACT: frozenset({Status.CONTACTED}),  # they got back in touch
    Status.NOT_APPROPRIATE: frozenset(),
}

OPEN = frozenset({Status.RECEIVED, Status.CONTACTED, Status.ASSESSED, Status.SUPPORTED})
CLOSED = frozenset(Status) - OPEN


def allowed(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]
