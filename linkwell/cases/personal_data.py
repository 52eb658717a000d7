"""What the cases app holds about a person, for subject access and erasure."""

import json

from linkwell.people.personal_data import ERASED_NAME

from .models import (
    Action,
    CarePlan,
    Case,
    CaseEvent,
    Contact,
    Goal,
    Referral,
    Risk,
    Task,
    WhatMatters,
)

ERASED = "[removed at the person's request]"


def sections(person) -> dict[str, list[dict]]:
    referrals = Referral.objects.filter(person=person).select_related("referring_organisation")
    cases = Case.objects.filter(person=person)
    return {
        "Referrals": [
            {
                "Received": r.received_at.isoformat(),
                "From": r.referring_organisation.name
                if r.referring_organisation
                else r.referring_organisation_name or r.get_source_display(),
                "Referred by": r.referrer_name,
                "Referrer's contact": r.referrer_contact,
                "Your details as referred": ", ".join(
                    f"{k}: {v}" for k, v in r.submitted_person.items() if v not in ("", None)
                ),
                "Reasons": ", ".join(r.reason_labels()),
                "Details": r.details,
                "As coded by the referrer's system": json.dumps(r.submitted_request)
                if r.submitted_request
                else "",
                "Urgency": r.get_urgency_display(),
            }
            for r in referrals
        ],
        "Your support (cases)": [
            {
                "Status": c.get_status_display(),
                "Opened": c.opened_at.isoformat(),
                "Closed": c.closed_at.isoformat() if c.closed_at else "",
                "Link worker": c.link_worker.get_full_name() if c.link_worker else "",
                "Discharge reason": c.discharge_reason,
                "Follow-up advice": c.follow_up_advice,
                "No known risks": "Yes" if c.no_known_risks else "No",
            }
            for c in cases.select_related("link_worker")
        ],
        "History": [
            {"When": e.at.isoformat(), "Status": e.get_to_status_display(), "Note": e.note}
            for e in CaseEvent.objects.filter(case__person=person)
        ],
        "Contacts": [
            {
                "When": c.at.isoformat(),
                "How": c.get_mode_display(),
                "Minutes": c.minutes,
                "Notes": c.notes,
            }
            for c in Contact.objects.filter(case__person=person)
        ],
        "What matters to you": [
            {"When": w.at.isoformat(), "What matters": w.what_matters, "Strengths": w.strengths}
            for w in WhatMatters.objects.filter(case__person=person)
        ],
        "Care and support plan": [
            {
                "Agreed": p.agreed_on.isoformat(),
                "Plan": p.summary,
                "Review": p.review_on.isoformat() if p.review_on else "",
            }
            for p in CarePlan.objects.filter(case__person=person)
        ],
        "Goals": [
            {
                "Goal": g.description,
                "Status": g.get_status_display(),
                "Actions": "; ".join(f"{a.description} ({a.owner})" for a in g.actions.all()),
            }
            for g in Goal.objects.filter(care_plan__case__person=person).prefetch_related("actions")
        ],
        "Risks": [
            {
                "Risk": r.description,
                "Since": r.started_on.isoformat() if r.started_on else "",
                "Ended": r.ended_on.isoformat() if r.ended_on else "",
                "Comment": r.comment,
            }
            for r in Risk.objects.filter(case__person=person)
        ],
        "Follow-ups": [
            {
                "Follow-up": t.title,
                "Due": t.due_on.isoformat(),
                "Done": t.done_at.isoformat() if t.done_at else "",
            }
            for t in Task.objects.filter(case__person=person)
        ],
    }


def erase(person) -> None:
    """Blank every free-text note; keep dates, statuses and coded needs for reporting."""
    # The details as the referrer sent them identify the person as much as the record does.
    given, family = ERASED_NAME
    Referral.objects.filter(person=person).update(
        details="",
        submitted_person={"given_name": given, "family_name": family},
        submitted_request={},  # its notes and identifiers are the referrer's words about them
    )
    Case.objects.filter(person=person).update(discharge_reason="", follow_up_advice="")
    CaseEvent.objects.filter(case__person=person).update(note="")
    Contact.objects.filter(case__person=person).update(notes="")
    WhatMatters.objects.filter(case__person=person).update(what_matters=ERASED, strengths="")
    CarePlan.objects.filter(case__person=person).update(summary=ERASED)
    Goal.objects.filter(care_plan__case__person=person).update(description=ERASED)
    # The owner is free text too, often a relative or friend by name.
    Action.objects.filter(goal__care_plan__case__person=person).update(description=ERASED, owner="")
    Task.objects.filter(case__person=person).update(title=ERASED)
    Risk.objects.filter(case__person=person).update(description=ERASED, comment="")
