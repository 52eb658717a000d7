"""Single-use, expiring links for a person to complete a measure on their own device.

The token is 256 random bits shown once to the link worker; only its SHA-256 is stored (a
fast hash is enough for that much randomness, as for API tokens). Single use is enforced by
the database: the answer is kept only if a conditional UPDATE marks the link used, inside the
same transaction, so two submissions of one link cannot both be recorded.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.secrets_store import LinkRefused, by_secret, digest, live, new_secret
from linkwell.cases.models import Case

from .models import Administration, Mode, SelfCompletionLink
from .services import OutcomeError, check_can_record, instrument_for, record_administration

LINK_LIFETIME = timedelta(days=7)


@transaction.atomic
def create_link(
    *, case: Case, instrument: str, timepoint: str, by, lifetime: timedelta = LINK_LIFETIME
) -> tuple[SelfCompletionLink, str]:
    """Make a link and return it with its token; only a hash is kept, so show the token now."""
    definition = instrument_for(instrument)
    if definition.licensed:
        raise OutcomeError(
            {"instrument": f"{definition.name} is licensed: it is completed in its own tool."}
        )
    check_can_record(case, definition.code, timepoint)
    token = new_secret()
    link = SelfCompletionLink.objects.create(
        case=case,
        instrument=definition.code,
        timepoint=timepoint,
        token_hash=digest(token),
        expires_at=timezone.now() + lifetime,
        created_by=by,
    )
    audit.record(
        user=by,
        action=AuditAction.CREATE,
        obj=link,
        person_id=case.person_id,
        instrument=definition.code,
        timepoint=timepoint,
    )
    return link, token


def open_link(token: str) -> SelfCompletionLink:
    """The live link for a token, with its case and person, for showing the questions."""
    link = live(by_secret(SelfCompletionLink.objects.select_related("case__person"), token))
    audit.record(
        user=None,
        action=AuditAction.VIEW,
        obj=link,
        person_id=link.case.person_id,
        via="self-completion link",
    )
    return link


@transaction.atomic
def complete_link(*, token: str, answers) -> Administration:
    """Record the person's answers through the link, and kill the link, or neither."""
    rows = SelfCompletionLink.objects.select_for_update().select_related("case")
    link = live(by_secret(rows, token))
    administration = record_administration(
        case=link.case,
        instrument=link.instrument,
        answers=answers,
        timepoint=link.timepoint,
        mode=Mode.SELF_COMPLETED,
        by=None,
    )
    used = SelfCompletionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now(), administration=administration
    )
    if used != 1:
        # Another submission of the same link got there first: undo ours.
        raise LinkRefused("used")
    return administration
