"""The coded events of social prescribing, per GP practice, for write-back to the GP record:
`linkwell export gp-record --since DATE` writes `<ODS code>.json` (a FHIR R4 collection Bundle
of Patient + Procedure/Observation) and `<ODS code>.csv` for each practice.

Translation only: the events are the cases' and connections' histories; which step carries
which SNOMED CT concept is in `snomed.py`, with its source.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, OrganisationKind
from linkwell.cases.lifecycle import Status as CaseStatus
from linkwell.cases.models import CaseEvent
from linkwell.connections.lifecycle import Status as ConnectionStatus
from linkwell.connections.models import ConnectionEvent
from linkwell.spreadsheets import csv_writer

from . import snomed
from .fhir_referrals import NHS_NUMBER


@dataclass(frozen=True)
class CodedEvent:
    practice: str  # ODS code
    person: object
    at: datetime
    concept: snomed.Concept
    source: str  # where in Linkwell it comes from, e.g. "case 12"


def _practice(case) -> str:
    origin = case.referral.referring_organisation
    return origin.ods_code if origin and origin.kind == OrganisationKind.PRACTICE else ""


def coded_events(since: datetime) -> tuple[list[CodedEvent], int]:
    """Events from `since` on, and how many had no known practice (self-referrals)."""
    found, unplaced = [], 0
    related = ("case__person", "case__referral__referring_organisation")
    case_events = list(
        CaseEvent.objects.filter(
            at__gte=since, to_status__in=[CaseStatus.CONTACTED, CaseStatus.DECLINED]
        ).select_related(*related)
    )
    first_contacts = {}  # "for first interaction in an episode of care only" [NHSE-FAQ]
    earlier = CaseEvent.objects.filter(
        to_status=CaseStatus.CONTACTED, case_id__in={e.case_id for e in case_events}
    )
    for case_id, pk in earlier.order_by("at", "id").values_list("case_id", "pk"):
        first_contacts.setdefault(case_id, pk)
    for event in case_events:
        if event.to_status == CaseStatus.CONTACTED and first_contacts[event.case_id] != event.pk:
            continue
        concept = (
            snomed.REFERRAL_TO_SOCIAL_PRESCRIBING
            if event.to_status == CaseStatus.CONTACTED
            else snomed.SOCIAL_PRESCRIBING_DECLINED
        )
        found.append((event.case, event.at, concept, f"case {event.case_id}"))
    onward = ConnectionEvent.objects.filter(
        at__gte=since,
        to_status=ConnectionStatus.SENT,
        connection__service__terms__code__in=snomed.PHYSICAL_ACTIVITY_TERMS,
    ).select_related(*(f"connection__{r}" for r in related))
    for event in onward.distinct():
        concept = snomed.REFERRAL_TO_PHYSICAL_ACTIVITY
        found.append(
            (event.connection.case, event.at, concept, f"connection {event.connection_id}")
        )
    events = []
    for case, at, concept, source in found:
        practice = _practice(case)
        if not practice or case.person.erased_at:
            unplaced += 1
            continue
        events.append(CodedEvent(practice, case.person, at, concept, source))
    return sorted(events, key=lambda e: (e.practice, e.at)), unplaced


def _entry(resource: dict) -> dict:
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def bundle(events: list[CodedEvent]) -> Bundle:
    entries, patients = [], {}
    for event in events:
        person = event.person
        if person.pk not in patients:
            patient = _entry(
                {
                    "resourceType": "Patient",
                    "identifier": [{"system": NHS_NUMBER, "value": person.nhs_number}]
                    if person.nhs_number
                    else None,
                    "name": [{"family": person.family_name, "given": [person.given_name]}],
                    "birthDate": person.date_of_birth.isoformat(),
                }
            )
            patients[person.pk] = patient["fullUrl"]
            entries.append(patient)
        code = {"coding": [snomed.coding(event.concept)]}
        subject = {"reference": patients[person.pk]}
        when = event.at.isoformat()
        if event.concept.semantic_tag == "procedure":
            resource = {"resourceType": "Procedure", "status": "completed"}
            resource.update(code=code, subject=subject, performedDateTime=when)
        else:
            resource = {"resourceType": "Observation", "status": "final"}
            resource.update(code=code, subject=subject, effectiveDateTime=when)
        entries.append(_entry(resource))
    return Bundle(type="collection", entry=entries or None)


CSV_FIELDS = ["nhs_number", "family_name", "given_name", "date_of_birth", "date", "snomed_code"]
CSV_FIELDS += ["term", "linkwell_source"]


def write(events: list[CodedEvent], out: Path, *, by=None) -> dict[str, int]:
    """Write each practice's Bundle and CSV into `out`; returns events per practice."""
    out.mkdir(parents=True, exist_ok=True)
    by_practice = defaultdict(list)
    for event in events:
        by_practice[event.practice].append(event)
    for practice, items in by_practice.items():
        (out / f"{practice}.json").write_text(bundle(items).model_dump_json(exclude_none=True))
        with (out / f"{practice}.csv").open("w", newline="") as f:
            writer = csv_writer(f)
            writer.writerow(CSV_FIELDS)
            for e in items:
                p = e.person
                writer.writerow(
                    [p.nhs_number, p.family_name, p.given_name, p.date_of_birth.isoformat()]
                    + [e.at.date().isoformat(), e.concept.code, e.concept.term, e.source]
                )
    for event in events:
        audit.record(
            user=by,
            action=AuditAction.VIEW,
            obj=event.person,
            person_id=event.person.pk,
            via="GP record export",
        )
    return {practice: len(items) for practice, items in sorted(by_practice.items())}
