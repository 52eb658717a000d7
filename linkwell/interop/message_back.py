"""The message back to the GP and referrer (PRSB Social Prescribing Information Standard):
its sections, who may see which, what must be filled in, and the FHIR R4 document Bundle.

Translation only: the content comes from the case (people, cases, connections, outcomes);
sending and keeping are `linkwell.standards.services`. Built with fhir.resources' R4B models, as
the other FHIR output (fhir_referrals.py). Sections follow the full standard's groups, titled as
it titles them; the 'Message back' model itself (its own section list and codes) could not be
read (see docs/standards/prsb-social-prescribing.md). Sections whose PRSB heading NHS England's
ITK3 FHIR documents code in SNOMED CT carry that code (HEADINGS, cited); the others, and the
document type, carry Linkwell's own (LOCAL), as no sourced concept was found. The Composition's
event is the sourced "Referral to social prescribing service" (snomed.py).
"""

import html
import uuid
from dataclasses import dataclass

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.models import Organisation
from linkwell.cases.models import ReferralSource
from linkwell.connections.lifecycle import Status as ConnectionStatus
from linkwell.outcomes.queries import case_histories

from . import snomed
from .fhir_referrals import NHS_NUMBER, ODS_CODE

# Linkwell's own codes, where no standard one was found: sections below without a heading in
# HEADINGS, and the document type (no SNOMED CT record artifact for a social prescribing message
# back was found; the UK Core Composition examples use 373942005 |Discharge summary|, which
# this is not).
LOCAL = "urn:linkwell:message-back-section"
DOCUMENT_TYPE = {"coding": [{"system": LOCAL, "code": "message-back"}]}
# SNOMED CT record headings, as NHS England's ITK3 FHIR documents code PRSB headings in
# Composition.section.code: [ITK3-DM] NHS Digital, ITK3 FHIR Digital Medicines implementation
# guide, "Digital Medicines Headings" (table "SNOMED Concept" of each document's headings:
# nhsconnect/ITK-FHIR-Digital-Medicines, pages/explore/explore_headings.md, commit
# 47b004b4ad9d8f5ae70ebd8042717d17fa25b85b); the display is each heading page's example
# section (pages/explore/explore_plan_req_actions_ES.md, explore_patient_demographics.md,
# explore_gp_practice.md, explore_referral_details.md, commit
# 0abe60e3fdd04fb60c0e5bc8ac8d63a6618d2187).
HEADINGS = {  # section → (SNOMED CT concept id, display)
    "follow-up": ("887201000000105", "Plan and requested actions"),
    "person": ("886731000000109", "Patient demographics"),
    "gp-practice": ("886711000000101", "GP practice"),
    "referral": ("886721000000107", "Referral details"),
}
# No heading concept found for "About me", "Risks", "Assessments" or the link worker as
# responsible professional. "Signpost details": the same guide's example section
# (explore_signpost_details.md) codes it 975131000000104 |Signposting|, but that example is
# "illustrative only", the heading is not in the headings table, and NHS Talking Therapies
# data record the concept as a care activity, not a heading: not used.
TITLE = "Social prescribing: message back to GP and referrer"
# Support the person took up: the service accepted them, or they went.
TAKEN_UP = {ConnectionStatus.ACCEPTED, ConnectionStatus.ATTENDED, ConnectionStatus.COMPLETED}


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    for_referrer: bool  # a referrer who is not the GP receives this section
    items: tuple[str, ...]  # prsb_items.json ids the section carries


REFERRAL = "referral_details.referral_details_record_entry."
# The GP receives every section. A referrer who is not the GP (another agency) receives only
# what closes their referral: who, why, what happened to it, and what to do next; the person's
# own conversation, their risks, the services they used and their scores stay between the
# person, the link worker and the GP (data minimisation: only what the recipient needs). The
# plan comes first: the standard's guidance asks for it "at the top of any communication".
SECTIONS = (
    SectionSpec("follow-up", "Plan and requested actions", True, ("plan_and_requested_actions",)),
    SectionSpec(
        "person",
        "Person demographics",
        True,
        (
            "person_demographics.person_name",
            "person_demographics.date_of_birth",
            "person_demographics.person_s_address",
        ),
    ),
    SectionSpec("gp-practice", "GP practice", False, ("gp_practice",)),
    SectionSpec(
        "referral",
        "Referral details",
        True,
        (
            REFERRAL + "referrer_details",
            REFERRAL + "reason_for_referral",
            REFERRAL + "referral_to",
        ),
    ),
    SectionSpec("what-matters", "About me: what is most important to me", False, ("about_me",)),
    SectionSpec("risks", "Risks", False, ("risks",)),
    SectionSpec(
        "support", "Signpost details: support offered and taken up", False, ("signpost_details",)
    ),
    SectionSpec("outcomes", "Assessments: before and after", False, ("assessments",)),
    SectionSpec(
        "link-worker",
        "Responsible professional: social prescribing link worker",
        True,
        (
            "contacts_with_professionals.contacts_with_professionals_record_entry.responsible_professional",
        ),
    ),
)
NO_GP = {"V81997", "V81998", "V81999"}  # ODS default codes: no registered practice, n/a, unknown


def sections_for(recipient: str) -> tuple[SectionSpec, ...]:
    return tuple(s for s in SECTIONS if recipient == "gp" or s.for_referrer)


def _date(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}" if moment else ""


def _when(row) -> str:
    return row.administration.get_timepoint_display().lower()


def _lines(case, code: str, recipient: str) -> list[str]:
    person, referral = case.person, case.referral
    if code == "person":
        lines = [
            f"Name: {person.full_name}",
            f"Date of birth: {person.date_of_birth:%-d %B %Y}",
            f"NHS number: {person.nhs_number_display or 'Not known'}",
        ]
        if recipient == "gp":
            address = ", ".join(p for p in [*person.address.splitlines(), person.postcode] if p)
            lines.append(f"Address: {address}")
        return lines
    if code == "gp-practice":
        found = recipient_of(case, "gp")
        return [f"{found[0]} ({person.gp_practice_code})"] if found else []
    if code == "risks":
        if case.no_known_risks and not case.risks.exists():
            return ["No known risks"]
        return [_risk(r) for r in case.risks.all()]
    if code == "referral":
        by = referral.referrer_name or referral.get_source_display()
        if referral.referring_organisation or referral.referring_organisation_name:
            by += f", {referral.referring_organisation or referral.referring_organisation_name}"
        lines = [
            f"Referred on {_date(referral.received_at)} by {by}",
            f"Referrer's contact details: {referral.referrer_contact or 'Not known'}",
            # PRSB "Referral to": the service the referral was made to (mandatory).
            f"Referral to: social prescribing link worker service, {case.organisation.name}",
            f"Reasons: {', '.join(referral.reason_labels())}",
            f"Status: {case.get_status_display()}"
            + (f" on {_date(case.closed_at)}" if case.closed_at else ""),
        ]
        if case.discharge_reason:
            lines.append(f"Reason for closing: {case.discharge_reason}")
        return lines
    if code == "what-matters":
        return [w.what_matters for w in case.what_matters.all().order_by("at")]
    if code == "support":
        return [
            f"{c.service.name}: {c.get_status_display().lower()}"
            + (" (taken up)" if c.status in TAKEN_UP else "")
            for c in case.connections.select_related("service").order_by("created_at")
        ]
    if code == "outcomes":
        lines = []
        for history in case_histories(case):
            for series in history.series:
                first, last = series.rows[0], series.rows[-1]
                text = f"{series.measure.label}: {first.value:g} ({_when(first)})"
                if last is not first:
                    text += f", then {last.value:g} ({_when(last)})"
                    if last.change is not None:
                        text += f": {last.change.verdict.lower()}"
                lines.append(text)
        return lines
    if code == "follow-up":
        return [case.follow_up_advice] if case.follow_up_advice else []
    if code == "link-worker":
        worker = case.link_worker
        if worker is None:
            return []
        lines = [f"{worker.get_full_name() or worker.username}, {case.organisation.name}"]
        if worker.email:
            lines.append(f"Contact: {worker.email}")
        return lines
    raise ValueError(code)


def _risk(risk) -> str:
    text = risk.description
    if risk.started_on:
        text += f", since {risk.started_on:%-d %B %Y}"
    if risk.ended_on:
        text += f", ended {risk.ended_on:%-d %B %Y}"
    return text + (f": {risk.comment}" if risk.comment else "")


def sections(case, recipient: str) -> list[dict]:
    """The letter's content: [{code, title, lines}] for what this recipient may see."""
    return [
        {"code": s.code, "title": s.title, "lines": _lines(case, s.code, recipient)}
        for s in sections_for(recipient)
    ]


def recipient_of(case, recipient: str):
    """(name, organisation or None) of who receives it, or None when there is no such party."""
    referral = case.referral
    if recipient == "gp":
        code = case.person.gp_practice_code
        if code in NO_GP:
            return None
        if code:
            practice = Organisation.objects.filter(ods_code__iexact=code).first()
            return (practice.name, practice) if practice else (f"GP practice {code}", None)
        # Records from before the GP practice was kept: the practice that referred.
        if referral.source == ReferralSource.GP_PRACTICE and referral.referring_organisation:
            return referral.referring_organisation.name, referral.referring_organisation
        return None
    if referral.source == ReferralSource.OTHER_AGENCY and referral.referrer_name:
        return referral.referrer_name, referral.referring_organisation
    return None


def section_coding(code: str) -> dict:
    """The section's SNOMED CT heading where one is sourced (HEADINGS), else Linkwell's code."""
    if code not in HEADINGS:
        return {"system": LOCAL, "code": code}
    concept, display = HEADINGS[code]
    return {"system": snomed.SYSTEM, "code": concept, "display": display}


def _narrative(lines: list[str]) -> dict:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines) or "<p>None recorded.</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _id(case, name: str, draft: bool) -> str:
    """A draft's identifiers are stable (the same for every view of the case's draft, so a
    reader can tell it is one document); a sent document's are new and kept as sent."""
    if draft:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{LOCAL}:{case.pk}:{name}')}"
    return f"urn:uuid:{uuid.uuid4()}"


def bundle(case, content: list[dict], *, sent_by, sent_at, draft: bool = False) -> Bundle:
    """A FHIR document Bundle: the Composition first, then what it refers to. A draft is
    `preliminary` (FHIR R4 CompositionStatus: "not yet complete"), a sent one `final`."""
    person, worker = case.person, case.link_worker
    names = ("composition", "patient", "author", "pcn")
    ids = {k: _id(case, k, draft) for k in names}
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER, "value": person.nhs_number}]
        if person.nhs_number
        else None,
        "name": [{"family": person.family_name, "given": [person.given_name]}],
        "birthDate": person.date_of_birth.isoformat(),
    }
    author = sent_by if sent_by is not None else worker
    practitioner = {
        "resourceType": "Practitioner",
        "name": [{"text": author.get_full_name() or author.username}] if author else None,
    }
    pcn = case.organisation
    organisation = {
        "resourceType": "Organization",
        "name": pcn.name,
        "identifier": [{"system": ODS_CODE, "value": pcn.ods_code}] if pcn.ods_code else None,
    }
    sections_out = []
    for section in content:
        out = {
            "title": section["title"],
            "code": {"coding": [section_coding(section["code"])]},
            "text": _narrative(section["lines"]),
        }
        if section["code"] == "referral":
            out["focus"] = {"reference": ids["patient"]}
        sections_out.append(out)
    composition = {
        "resourceType": "Composition",
        "status": "preliminary" if draft else "final",
        "type": {**DOCUMENT_TYPE, "text": TITLE},
        "subject": {"reference": ids["patient"]},
        "date": sent_at.isoformat(),
        "author": [{"reference": ids["author"]}, {"reference": ids["pcn"]}],
        "custodian": {"reference": ids["pcn"]},
        "title": TITLE,
        "event": [
            {
                "code": [{"coding": [snomed.coding(snomed.REFERRAL_TO_SOCIAL_PRESCRIBING)]}],
                "period": {
                    "start": case.opened_at.isoformat(),
                    "end": case.closed_at.isoformat() if case.closed_at else None,
                },
            }
        ],
        "section": sections_out,
    }
    resources = [
        (ids["composition"], composition),
        (ids["patient"], patient),
        (ids["author"], practitioner),
        (ids["pcn"], organisation),
    ]
    return Bundle.model_validate(
        _drop_none(
            {
                "resourceType": "Bundle",
                "identifier": {"system": "urn:ietf:rfc:3986", "value": _id(case, "bundle", draft)},
                "type": "document",
                "timestamp": sent_at.isoformat(),
                "entry": [{"fullUrl": url, "resource": r} for url, r in resources],
            }
        )
    )


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
