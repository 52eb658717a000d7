"""The coded events of social prescribing, per GP practice, for write-back to the GP record:
`linkwell export gp-record --since DATE` writes `<ODS code>.json` (a FHIR R4 collection Bundle
of Patient + Procedure/Observation) and `<ODS code>.csv` for each practice.

Translation only: the events are the cases' and connections' histories; which step carries
which SNOMED CT concept is in `snomed.py`, with its source. Each event goes to the person's
registered practice (the practice that referred when none is recorded), self-referrals
included; it names the PCN that performed it (ODS code) and has an identifier and fullUrl
derived from the Linkwell event it comes from, so exporting the same period again gives the
same entries, which the receiving system can recognise instead of filing twice.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, OrganisationKind
from linkwell.cases.lifecycle import Status as CaseStatus
from linkwell.cases.models import CaseEvent
from linkwell.connections.lifecycle import Status as ConnectionStatus
from linkwell.connections.models import ConnectionEvent
from linkwell.spreadsheets import csv_writer

from . import snomed
from .fhir_referrals import NHS_NUMBER, ODS_CODE
from .message_back import NO_GP

EVENT_SYSTEM = "urn:linkwell:gp-record-event"


@dataclass(frozen=True)
class CodedEvent:
    practice: str  # ODS code
    person: object
    at: datetime
    concept: snomed.Concept
    source: str  # where in Linkwell it comes from, e.g. "case 12"
    key: str  # the Linkwell event it is, e.g. "case-event-31": stable across exports
    performer: object  # the PCN whose link worker did it


def _practice(case) -> str:
    """The person's registered practice; else the practice that referred them."""
    registered = (case.person.gp_practice_code or "").strip().upper()
    if registered and registered not in NO_GP:
        return registered
    origin = case.referral.referring_organisation
    return origin.ods_code if origin and origin.kind == OrganisationKind.PRACTICE else ""


def coded_events(since: datetime) -> tuple[list[CodedEvent], int]:
    """Events from `since` on, and how many had no known practice (self-referrals)."""
    found, unplaced = [], 0
    related = ("case__person", "case__organisation", "case__referral__referring_organisation")
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
        found.append(
            (event.case, event.at, concept, f"case {event.case_id}", f"case-event-{event.pk}")
        )
    onward = ConnectionEvent.objects.filter(
        at__gte=since,
        to_status=ConnectionStatus.SENT,
        connection__service__terms__code__in=snomed.PHYSICAL_ACTIVITY_TERMS,
    ).select_related(*(f"connection__{r}" for r in related))
    for event in onward.distinct():
        concept = snomed.REFERRAL_TO_PHYSICAL_ACTIVITY
        source = f"connection {event.connection_id}"
        key = f"connection-event-{event.pk}"
        found.append((event.connection.case, event.at, concept, source, key))
    events = []
    for case, at, concept, source, key in found:
        practice = _practice(case)
        if not practice or case.person.erased_at:
            unplaced += 1
            continue
        events.append(
            CodedEvent(practice, case.person, at, concept, source, key, case.organisation)
        )
    return sorted(events, key=lambda e: (e.practice, e.at)), unplaced


def _url(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{EVENT_SYSTEM}:{name}')}"


def _performer(pcn) -> dict:
    found = {"display": pcn.name}
    if pcn.ods_code:
        found["identifier"] = {"system": ODS_CODE, "value": pcn.ods_code}
    return found


def bundle(events: list[CodedEvent], *, now=None) -> Bundle:
    entries, patients = [], {}
    for event in events:
        person = event.person
        if person.pk not in patients:
            patients[person.pk] = _url(f"person-{person.pk}")
            patient = {
                "resourceType": "Patient",
                "identifier": [{"system": NHS_NUMBER, "value": person.nhs_number}]
                if person.nhs_number
                else None,
                "name": [{"family": person.family_name, "given": [person.given_name]}],
                "birthDate": person.date_of_birth.isoformat(),
            }
            entries.append({"fullUrl": patients[person.pk], "resource": patient})
        common = {
            "identifier": [{"system": EVENT_SYSTEM, "value": event.key}],
            "code": {"coding": [snomed.coding(event.concept)]},
            "subject": {"reference": patients[person.pk]},
        }
        when = event.at.isoformat()
        if event.concept.semantic_tag == "procedure":
            resource = {"resourceType": "Procedure", "status": "completed", **common}
            resource.update(
                performedDateTime=when, performer=[{"actor": _performer(event.performer)}]
            )
        else:
            resource = {"resourceType": "Observation", "status": "final", **common}
            resource.update(effectiveDateTime=when, performer=[_performer(event.performer)])
        entries.append({"fullUrl": _url(event.key), "resource": resource})
    return Bundle(
        type="collection",
        identifier={"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"},
        timestamp=(now or timezone.now()).isoformat(),
        entry=entries or None,
    )


CSV_FIELDS = ["nhs_number", "family_name", "given_name", "date_of_birth", "date", "snomed_code"]
CSV_FIELDS += ["term", "linkwell_source"]


def by_practice(events: list[CodedEvent]) -> dict[str, list[CodedEvent]]:
    found = defaultdict(list)
    for event in events:
        found[event.practice].append(event)
    return dict(sorted(found.items()))


def send(events: list[CodedEvent], *, by=None) -> dict[str, int]:
    """Queue each practice's Bundle for its MESH mailbox (the outbox sends it); returns events
    per practice. Re-sending the same events sends the same entries, never new ones."""
    from linkwell.delivery.services import queue

    for practice, items in by_practice(events).items():
        document = bundle(items).model_dump(mode="json", exclude_none=True)
        queue(
            key=f"gp-record:{practice}:{document['identifier']['value']}",
            what="coded social prescribing activity for the GP record",
            channel="mesh",
            to=practice,
            subject="Social prescribing coded activity",
            document=document,
            by=by,
        )
    return {practice: len(items) for practice, items in by_practice(events).items()}


def write(events: list[CodedEvent], out: Path, *, by=None) -> dict[str, int]:
    """Write each practice's Bundle and CSV into `out`; returns events per practice."""
    out.mkdir(parents=True, exist_ok=True)
    grouped = by_practice(events)
    for practice, items in grouped.items():
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
    return {practice: len(items) for practice, items in grouped.items()}
