"""Which minimum items a case records: one query condition per item, so a whole caseload is
counted in the database (one COUNT per item) and one case is checked the same way."""

from django.db.models import Count, Exists, OuterRef, Q

from linkwell.cases.lifecycle import Status
from linkwell.cases.models import Case, ReferralSource, Risk

from .items import Item, minimum

# Item id → (the cases it applies to, the cases recording it). Risks come from the link
# worker's conversation, so they are due once the person is assessed; the plan and requested
# actions (the follow-up advice) at discharge, for the message back.
EVERY = Q()
SELF = Q(referral__source=ReferralSource.SELF)  # the person is their own referrer
ASSESSED = Q(status__in=[Status.ASSESSED, Status.SUPPORTED, Status.DISCHARGED])
NAME = ~Q(person__given_name="") & ~Q(person__family_name="")
GP = ~Q(person__gp_practice_code="")
REFERRER_NAME = SELF | ~Q(referral__referrer_name="")
REFERRER_ORGANISATION = (
    SELF
    | Q(referral__referring_organisation__isnull=False)
    | ~Q(referral__referring_organisation_name="")
)
REFERRER_CONTACT = SELF | ~Q(referral__referrer_contact="")
RISKS = Q(no_known_risks=True) | Exists(Risk.objects.filter(case=OuterRef("pk")))
REFERRAL = "referral_details.referral_details_record_entry."
CHECKS: dict[str, tuple[Q, Q]] = {
    # A case always has its person and referral; the groups are listed for completeness.
    "person_demographics": (EVERY, EVERY),
    "person_demographics.person_name": (EVERY, NAME),
    "person_demographics.person_name.person_first_name": (EVERY, ~Q(person__given_name="")),
    "person_demographics.person_name.person_family_name": (EVERY, ~Q(person__family_name="")),
    "person_demographics.date_of_birth": (EVERY, Q(person__date_of_birth__isnull=False)),
    "person_demographics.person_s_address": (
        EVERY,
        ~Q(person__address="") & ~Q(person__postcode=""),
    ),
    "gp_practice": (EVERY, GP),
    "gp_practice.gp_practice_record_entry": (EVERY, GP),
    "gp_practice.gp_practice_record_entry.gp_practice_identifier": (EVERY, GP),
    "referral_details": (EVERY, EVERY),
    REFERRAL + "referrer_details": (EVERY, REFERRER_NAME & REFERRER_CONTACT),
    REFERRAL + "referrer_details.name": (EVERY, REFERRER_NAME),
    REFERRAL + "referrer_details.service": (EVERY, ~Q(referral__source="")),
    REFERRAL + "referrer_details.organisation": (EVERY, REFERRER_ORGANISATION),
    REFERRAL + "referrer_details.contact_details": (EVERY, REFERRER_CONTACT),
    REFERRAL + "referral_to": (EVERY, Q(referral__organisation__isnull=False)),
    "risks": (ASSESSED, RISKS),
    "risks.risks_record_entry": (ASSESSED, RISKS),
    "risks.risks_record_entry.risk": (ASSESSED, RISKS),
    "plan_and_requested_actions": (Q(status=Status.DISCHARGED), ~Q(follow_up_advice="")),
}


def completeness(cases) -> list[tuple[str, int, int]]:
    """One pass over the cases: two conditional counts per item (every condition is on the
    case, its person and referral, or an EXISTS, so no join multiplies the rows)."""
    items = minimum()
    counts = {}
    for i, item in enumerate(items):
        applies, recorded = CHECKS[item.id]
        both = applies & recorded  # an empty Q (EVERY) is no condition: a plain count
        counts[f"due{i}"] = Count("pk", filter=applies or None)
        counts[f"rec{i}"] = Count("pk", filter=both or None)
    totals = cases.aggregate(**counts) if items else {}
    return [(item.label, totals[f"rec{i}"], totals[f"due{i}"]) for i, item in enumerate(items)]


def missing(case: Case, *, due_only: bool = True) -> list[Item]:
    """The minimum items this case does not record (those due now, unless due_only=False)."""
    one = Case.objects.filter(pk=case.pk)
    gaps = []
    for item in minimum():
        applies, recorded = CHECKS[item.id]
        if due_only and not one.filter(applies).exists():
            continue
        if not one.filter(recorded).exists():
            gaps.append(item)
    # Name the most specific: a group is left out when an item inside it is listed.
    return [g for g in gaps if not any(o.id.startswith(g.id + ".") for o in gaps)]
