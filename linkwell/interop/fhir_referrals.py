"""Referrals, their Tasks, consents and goals as FHIR R4 resources (outbound).

Translation only: statuses come from `linkwell.cases` and `linkwell.connections`. Built with
fhir.resources' R4B models (FHIR 4.3, the same shape as R4 for these resources; see
fhir_outcomes.py). The closed loop follows the HL7 Gravity SDOH Clinical Care pattern: the
referrer's ServiceRequest is fulfilled by a Task (`basedOn` the ServiceRequest, `focus` it too)
whose status the referrer polls; each onward referral to a community service is a subtask
(`partOf` the main Task). Identifiers follow UK Core (NHS number system below).

Profiles claimed in `meta.profile` (and in the CapabilityStatement, from routes.KINDS), each only
where the resource has what the profile requires:
- UK Core Patient: no element beyond base FHIR is mandatory; the NHS number carries the
  verification-status extension the profile's nhsNumber slice defines.
- Gravity SDOHCC ServiceRequest (SDOH Clinical Care STU 2.x): status, intent, code, subject and
  at least one SDOH category (the `category:SDOHCC` slice, 1..*, required binding).
- Gravity SDOHCC TaskForReferralManagement: intent order, code fulfill, focus, for, authoredOn
  and requester (1..1, an Organization); a self-referral has no referring organisation, so its
  Task makes no claim.
Gravity is a US-realm guide: its references target US Core profiles (Patient, Organization),
where Linkwell's resources follow UK Core instead; docs/fhir.md says so to implementers.
"""

from datetime import UTC, datetime, timedelta

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from linkwell.cases.lifecycle import Status as CaseStatus
from linkwell.cases.models import as_referred_id
from linkwell.cases.needs import Need
from linkwell.connections.lifecycle import NEEDS_REASON
from linkwell.connections.lifecycle import Status as ConnectionStatus
from linkwell.connections.models import SharedDetail
from linkwell.people.models import ConsentScope

from . import snomed

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"  # UK Core Patient.identifier:nhsNumber
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
NEED_SYSTEM = "urn:linkwell:need"  # Linkwell's reason codes (GET /api/v1/needs)
UK_CORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
_SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/"
SDOHCC_SERVICE_REQUEST = f"{_SDOHCC}StructureDefinition/SDOHCC-ServiceRequest"
SDOHCC_TASK = f"{_SDOHCC}StructureDefinition/SDOHCC-TaskForReferralManagement"
# UK Core Extension-UKCore-NHSNumberVerificationStatus on Patient.identifier:nhsNumber. Linkwell
# takes the number from the referrer and does not trace it with PDS, so "02": number present
# but not traced (CodeSystem UKCore-NHSNumberVerificationStatusEngland; the UK Core example
# UKCore-Patient-RichardSmith shows the shape, with "01" for a verified number).
NHS_NUMBER_NOT_TRACED = {
    "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
    "valueCodeableConcept": {
        "coding": [
            {
                "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
                "code": "02",
                "display": "Number present but not traced",
            }
        ]
    },
}
# The SDOH category of each need whose Gravity category says the same thing (ValueSet
# SDOHCC-ValueSetSDOHCategory, codes in SDOHCC-CodeSystemTemporaryCodes); the rest, and a
# referral with no such reason, are "sdoh-category-unspecified", which that value set includes.
SDOH_CATEGORY_SYSTEM = f"{_SDOHCC}CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
SDOH_CATEGORY = {
    Need.LONELINESS: ("social-connection", "Social Connection"),
    Need.MONEY: ("financial-insecurity", "Financial Insecurity"),
    Need.HOUSING: ("housing-instability", "Housing Instability"),
    Need.FOOD: ("food-insecurity", "Food Insecurity"),
    Need.FUEL: ("utility-insecurity", "Utility Insecurity"),
    Need.WORK: ("employment-status", "Employment Status"),
    Need.TRANSPORT: ("transportation-insecurity", "Transportation Insecurity"),
    Need.DIGITAL: ("digital-access", "Digital Access"),
}
SDOH_UNSPECIFIED = ("sdoh-category-unspecified", "SDOH Category Unspecified")
BUSINESS_STATUS = "urn:linkwell:status"

# Task.status (http://hl7.org/fhir/R4/valueset-task-status.html) for each case status.
# Declined by the person: cancelled; judged not appropriate by the link worker: rejected
# ("decided not to execute it prior to performing any action"); unable to contact: on-hold,
# because the case reopens when the person gets back in touch.
CASE_TASK_STATUS = {
    CaseStatus.RECEIVED: "requested",
    CaseStatus.CONTACTED: "accepted",
    CaseStatus.ASSESSED: "accepted",
    CaseStatus.SUPPORTED: "in-progress",
    CaseStatus.DISCHARGED: "completed",
    CaseStatus.DECLINED: "cancelled",
    CaseStatus.NOT_APPROPRIATE: "rejected",
    CaseStatus.UNABLE_TO_CONTACT: "on-hold",
}
CONNECTION_TASK_STATUS = {
    ConnectionStatus.SENT: "requested",
    ConnectionStatus.ACCEPTED: "accepted",
    ConnectionStatus.DECLINED: "rejected",
    ConnectionStatus.ATTENDED: "in-progress",
    ConnectionStatus.DID_NOT_ATTEND: "on-hold",
    ConnectionStatus.COMPLETED: "completed",
    ConnectionStatus.WITHDRAWN: "cancelled",
}
# Once the person has taken up a service, support is under way even before the case is marked
# "being supported".
UNDER_WAY = {ConnectionStatus.ACCEPTED, ConnectionStatus.ATTENDED, ConnectionStatus.COMPLETED}
# ServiceRequest.status from its Task's: open while being worked on, then completed or revoked.
SERVICE_REQUEST_STATUS = {
    "requested": "active",
    "accepted": "active",
    "in-progress": "active",
    "on-hold": "on-hold",
    "completed": "completed",
}


def _ref(kind: str, pk) -> dict:
    return {"reference": f"{kind}/{pk}"}


def _business(label: str, code: str) -> dict:
    return {"coding": [{"system": BUSINESS_STATUS, "code": code}], "text": label}


def task_status(case, under_way: bool) -> str:
    status = CASE_TASK_STATUS[CaseStatus(case.status)]
    return "in-progress" if status == "accepted" and under_way else status


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def version_id(when: datetime) -> str:
    """A resource's version: the microsecond of its last change. Every change writes a new
    time, so the version changes with the content; FHIR leaves versionId opaque
    (http://hl7.org/fhir/R4/resource.html#Meta)."""
    return str((when - _EPOCH) // timedelta(microseconds=1))


def meta(when: datetime, *, profile: str = "") -> dict:
    return {
        "versionId": version_id(when),
        "lastUpdated": when,
        "profile": [profile] if profile else None,
    }


def _reason(text: str) -> dict | None:
    return {"text": text} if text else None


FULFILL = {
    "coding": [
        {
            "system": "http://hl7.org/fhir/CodeSystem/task-code",
            "code": "fulfill",
            "display": "Fulfill the focal request",
        }
    ]
}


def fulfil(request: dict, patient: dict) -> dict:
    """The Task fields that say: fulfil this ServiceRequest for this Patient."""
    return {
        "intent": "order",
        "code": FULFILL,
        "focus": request,
        "basedOn": [request],
        "for": patient,
    }


def subject(referral, sees_record: bool) -> dict:
    """The referral's Patient as its reader sees it (task_queries: `sees_record`): the record
    for the PCN's staff; for anyone else the person as the referral described them, under the
    referral's id, since the record's id would tell them by its age that the PCN knew the
    person before."""
    return _ref("Patient", referral.person_id if sees_record else as_referred_id(referral.pk))


def _referral_task_base(referral, sees_record: bool) -> dict:
    return fulfil(_ref("ServiceRequest", referral.pk), subject(referral, sees_record))


# Task statuses whose case event note says why (the statusReason of a Task that stopped).
STOPPED = {"cancelled", "rejected", "on-hold"}


def _owner(organisation) -> dict:
    """The PCN by its ODS code (UK Core: Organization.identifier:odsOrganisationCode)."""
    identifier = {"system": ODS_CODE, "value": organisation.ods_code}
    return {
        "identifier": identifier if organisation.ods_code else None,
        "display": organisation.name,
    }


def _requester(organisation) -> dict | None:
    """Who asked for the Task to be done, as the Organization (Gravity: requester 1..1)."""
    if organisation is None:
        return None
    return {"type": "Organization", **_owner(organisation)}


def referral_task(referral) -> Task:
    """The main Task: the PCN's social prescribing service fulfilling the referral.
    `referral` comes from task_queries.referrals (with `updated`, `under_way`, `sees_record`)."""
    case = referral.case
    status = task_status(case, referral.under_way)
    last = case.events.last() if status in STOPPED else None
    requester = _requester(referral.referring_organisation)
    return Task(
        id=str(referral.pk),
        meta=meta(referral.updated, profile=SDOHCC_TASK if requester else ""),
        requester=requester,
        status=status,
        statusReason=_reason(last.note if last else ""),
        businessStatus=_business(case.get_status_display(), case.status),
        authoredOn=referral.received_at,
        lastModified=referral.updated,
        owner=_owner(case.organisation),
        **_referral_task_base(referral, referral.sees_record),
    )


def connection_task(connection) -> Task:
    """A subtask: the onward referral to one community service. `connection` comes from
    task_queries.connections (with `sees_record`)."""
    referral = connection.case.referral
    last = connection.events.last() if connection.status in NEEDS_REASON else None
    return Task(
        id=f"connection-{connection.pk}",
        meta=meta(connection.status_changed_at, profile=SDOHCC_TASK),
        # the PCN's link worker made the onward referral
        requester=_requester(connection.case.organisation),
        partOf=[_ref("Task", referral.pk)],
        status=CONNECTION_TASK_STATUS[ConnectionStatus(connection.status)],
        # The reason a declined or withdrawn referral needs (connections.lifecycle.NEEDS_REASON)
        statusReason=_reason(last.reason if last else ""),
        businessStatus=_business(connection.get_status_display(), connection.status),
        authoredOn=connection.created_at,
        lastModified=connection.status_changed_at,
        owner={
            "reference": f"HealthcareService/{connection.service_id}",
            "display": connection.service.name,
        },
        **_referral_task_base(referral, connection.sees_record),
    )


def searchset(resources, *, base: str, total: int, links: dict[str, str], ignored=()) -> Bundle:
    """One page of search results; `links` maps relation (self, next, …) to URL. Parameters
    `ignored` under lenient handling are also named in an OperationOutcome entry (search mode
    outcome, search.html#errors), besides being left out of the self link."""
    entries = [
        {
            "fullUrl": f"{base}{r.__resource_type__}/{r.id}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in resources
    ]
    if ignored:
        names = ", ".join(dict.fromkeys(ignored))
        warning = {
            "severity": "warning",
            "code": "not-supported",
            "diagnostics": f"Ignored, as this server does not support them: {names}.",
        }
        entries.append(
            {
                "resource": OperationOutcome(issue=[warning]),
                "search": {"mode": "outcome"},
            }
        )
    return Bundle(
        type="searchset",
        total=total,
        link=[{"relation": r, "url": url} for r, url in links.items()],
        entry=entries or None,
    )


def patient(person, *, shared=None) -> Patient:
    """The person; with `shared` (SharedDetail codes), only what they agreed to share."""
    allowed = set(SharedDetail.values if shared is None else shared)
    identifiers = (
        [{"system": NHS_NUMBER, "value": person.nhs_number, "extension": [NHS_NUMBER_NOT_TRACED]}]
        if person.nhs_number and shared is None
        else None
    )
    telecom = []
    if person.phone and SharedDetail.PHONE in allowed:
        telecom.append({"system": "phone", "value": person.phone})
    if person.email and SharedDetail.EMAIL in allowed:
        telecom.append({"system": "email", "value": person.email})
    return Patient(
        id=str(person.pk),
        meta=meta(person.updated_at, profile=UK_CORE_PATIENT)
        if shared is None
        else {"profile": [UK_CORE_PATIENT]},
        identifier=identifiers,
        name=[{"family": person.family_name, "given": [person.given_name]}]
        if SharedDetail.NAME in allowed
        else None,
        birthDate=person.date_of_birth if SharedDetail.DATE_OF_BIRTH in allowed else None,
        telecom=telecom or None,
        address=[{"postalCode": person.postcode}]
        if person.postcode and SharedDetail.POSTCODE in allowed
        else None,
    )


def reason_codes(codes) -> list[dict]:
    return [
        {"coding": [{"system": NEED_SYSTEM, "code": c, "display": Need(c).label}]} for c in codes
    ]


def _sent_reasons(sent: dict, codes) -> list[dict]:
    """Linkwell's needs, then the reasons as the referrer's system coded them (SNOMED CT, say),
    unless they were Linkwell's codes already."""
    theirs = [
        concept
        for concept in sent.get("reasonCode", [])
        if any(c.get("system") != NEED_SYSTEM for c in concept.get("coding", []))
        or not concept.get("coding")
    ]
    return reason_codes(codes) + theirs


def sdoh_categories(codes) -> list[dict]:
    """The Gravity `category:SDOHCC` slice (1..*): one SDOH category per distinct reason."""
    found = dict.fromkeys(SDOH_CATEGORY[c] for c in codes if c in SDOH_CATEGORY)
    return [
        {"coding": [{"system": SDOH_CATEGORY_SYSTEM, "code": code, "display": display}]}
        for code, display in (found or [SDOH_UNSPECIFIED])
    ]


def service_request(referral, task: Task) -> ServiceRequest:
    """The referral as the referrer sent it (Referral.submitted_request: their identifier,
    code, categories, reasons, priority and note), with its status and Linkwell's needs."""
    status = SERVICE_REQUEST_STATUS.get(task.status, "revoked")
    sent = referral.submitted_request or {}
    details = [{"text": referral.details}] if referral.details else None
    return ServiceRequest(
        id=str(referral.pk),
        # its status follows its Task's, so it changes when the Task does: the same version
        meta=meta(referral.updated, profile=SDOHCC_SERVICE_REQUEST),
        identifier=sent.get("identifier"),
        status=status,
        intent="order",
        # Gravity's SDOH category slice, then any categories the referrer sent
        category=sdoh_categories(referral.reasons) + sent.get("category", []),
        priority=sent.get("priority") or referral.urgency,  # Urgency's codes are FHIR's
        code=sent.get("code") or {"coding": [snomed.coding(snomed.REFERRAL_TO_SOCIAL_PRESCRIBING)]},
        subject=subject(referral, referral.sees_record),
        authoredOn=referral.received_at,
        requester={"display": referral.referring_organisation.name}
        if referral.referring_organisation
        else None,
        performer=[{"display": referral.organisation.name}],
        reasonCode=_sent_reasons(sent, referral.reasons),
        note=sent.get("note") or details,
    )


# Consent categories: information disclosure (HL7 v3 ActCode IDSCL, as the Gravity SDOHCC
# Consent example) for sharing with services; LOINC 59284-0 "Consent Document" otherwise.
_DISCLOSURE = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IDSCL"}
_CONSENT_DOCUMENT = {"system": "http://loinc.org", "code": "59284-0"}


def consent(record) -> Consent:
    disclosure = record.scope == ConsentScope.SHARE_WITH_PROVIDERS
    return Consent(
        id=str(record.pk),
        status="active" if record.given else "rejected",
        scope={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "patient-privacy",
                }
            ]
        },
        category=[
            {
                "coding": [_DISCLOSURE if disclosure else _CONSENT_DOCUMENT],
                "text": record.get_scope_display(),
            }
        ],
        patient=_ref("Patient", record.person_id),
        dateTime=record.recorded_at,
        policyRule={"text": "UK GDPR and the common law duty of confidentiality"},
        provision={"type": "permit" if record.given else "deny"},
    )


GOAL_STATUS = {  # Linkwell goal status → (lifecycleStatus, goal-achievement code)
    "not_started": ("accepted", "in-progress"),
    "in_progress": ("active", "in-progress"),
    "achieved": ("completed", "achieved"),
    "not_achieved": ("completed", "not-achieved"),
}


def goal(record) -> Goal:
    lifecycle, achievement = GOAL_STATUS[record.status]
    person_id = record.care_plan.case.person_id
    return Goal(
        id=str(record.pk),
        lifecycleStatus=lifecycle,
        achievementStatus={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                    "code": achievement,
                }
            ]
        },
        description={"text": record.description},
        subject=_ref("Patient", person_id),
        expressedBy=_ref("Patient", person_id),
        target=[{"dueDate": record.target_date}] if record.target_date else None,
    )
