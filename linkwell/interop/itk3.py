"""The message back as GP systems receive documents over MESH: GP Connect Send Document.

GP Connect Send Document (NHS England) is the route by which GP systems receive and file a
document about one of their patients: an ITK3 message (ITK3 Message Distribution standard) in
FHIR **STU3** — the specification has no R4 version — sent by MESH under the workflow
GPFED_CONSULT_REPORT. Its shape, followed here:

- a `message` Bundle (ITK-Message-Bundle-1) whose first entry is the MessageHeader
  (ITK-MessageHeader-2): the Extension-ITK-MessageHandling-2 keys (infrastructure and business
  acknowledgements requested, recipient type "For action", the Send Document message
  definition, our sender reference), event ITK007C, the sender Organization by ODS code, the
  sender's MESH mailbox as `source.endpoint`, no destination or receiver (MESH routes it), and
  `focus` the document Bundle;
- the document Bundle (ITK-Document-Bundle-1): a Composition (CareConnect-Composition-1,
  status final, confidentiality N, a SNOMED CT type, a `text` summary), the Patient, the
  Practitioner and the sending Organization, and each file as a Binary
  (ITK-Attachment-Binary-1, base64) referenced from its own `Composition.section.entry`, the
  primary one — the PDF letter — first.

Sources: simplifier.net/guide/gp-connect-send-document, version 1.3.2-public-beta: "Design /
Using ITK3", "Build / How to configure MESH" and the sender requirements GPCM-SD-039 to -049,
-103 to -124; its generic example message (send-document--generic-example.xml in
github.com/NHSDigital/IOPS-FHIR-Simplifier-Backup, GPConnectDirectCareAPIs-STU3/backup); the
message definition ITK-GPConnectSendDocument-MessageDefinition-1. "Message senders MAY include
additional binary documents in the payload, each as an additional composition.section": our FHIR
R4 document Bundle goes that way, as the second attachment, for systems that take it.
"""

import base64
import html
import json
import uuid

from .fhir_referrals import NHS_NUMBER, ODS_CODE

NHS_STU3 = "https://fhir.nhs.uk/STU3/StructureDefinition/"
CARE_CONNECT = "https://fhir.hl7.org.uk/STU3/StructureDefinition/"
MESSAGE_HANDLING = NHS_STU3 + "Extension-ITK-MessageHandling-2"
DEFINITION = {
    "reference": "https://fhir.nhs.uk/STU3/MessageDefinition/ITK-GPConnectSendDocument-MessageDefinition-1"
}
EVENT = {
    "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-MessageEvent-2",
    "code": "ITK007C",
    "display": "ITK GP Connect Send Document",
}
# GPCM-SD-039: the registered practice is to act on it (file it in the record): "For action".
FOR_ACTION = {
    "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-RecipientType-1",
    "code": "FA",
    "display": "For Action",
}
# GPCM-SD-115 (Send Document, consultation reports): 371531000 |Report of clinical encounter|,
# the document type GP systems file a report from another care setting under.
REPORT_OF_CLINICAL_ENCOUNTER = {
    "system": "http://snomed.info/sct",
    "code": "371531000",
    "display": "Report of clinical encounter",
}
LOCAL_EXTENSION = "SendDocument-SocialPrescribingMessageBack"
PDF, FHIR_JSON = "application/pdf", "application/fhir+json"


def _urn(name: str, message_id: uuid.UUID) -> str:
    """Ids within one message, derived from its id so the same message is built alike."""
    return f"urn:uuid:{uuid.uuid5(message_id, name)}"


def _entry(url: str, resource: dict, profile: str) -> dict:
    resource = {**resource, "id": url.removeprefix("urn:uuid:"), "meta": {"profile": [profile]}}
    return {"fullUrl": url, "resource": {k: v for k, v in resource.items() if v is not None}}


def subject(*, title: str, person, organisation, version: int = 1) -> str:
    """Mex-Subject as "How to configure MESH" asks: "[document-title] for [patient-name], NHS
    Number: [nhs-number], seen at [location-name], [ods-code], Version: [version-number]"."""
    return (
        f"{title} for {person.full_name}, NHS Number: {person.nhs_number or 'not known'}, "
        f"seen at {organisation.name}, {organisation.ods_code}, Version: {version}"
    )


def send_document(
    *,
    message_id: uuid.UUID,
    title: str,
    case,
    author,
    pdf: bytes,
    fhir_document: dict,
    sender_mailbox: str,
    sent_at,
) -> dict:
    """The ITK3 Send Document message (a dict, FHIR STU3 JSON) for the message back."""
    person, pcn = case.person, case.organisation
    ids = {n: _urn(n, message_id) for n in ("document", "composition", "patient", "author")}
    ids |= {n: _urn(n, message_id) for n in ("organisation", "sender", "pdf", "fhir")}
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER, "value": person.nhs_number}]
        if person.nhs_number
        else None,
        "name": [{"use": "official", "family": person.family_name, "given": [person.given_name]}],
        "birthDate": person.date_of_birth.isoformat(),
        "address": [{"postalCode": person.postcode}] if person.postcode else None,
    }
    practitioner = {
        "resourceType": "Practitioner",
        "name": [{"use": "official", "text": author.get_full_name() or author.username}]
        if author
        else None,
    }
    ods = [{"system": ODS_CODE, "value": pcn.ods_code}] if pcn.ods_code else None
    organisation = {"resourceType": "Organization", "identifier": ods, "name": pcn.name}
    text = subject(title=title, person=person, organisation=pcn)
    composition = {
        "resourceType": "Composition",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids["composition"]},
        "status": "final",
        "type": {"coding": [REPORT_OF_CLINICAL_ENCOUNTER], "text": title},
        "confidentiality": "N",
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{html.escape(text)}</div>',
        },
        "subject": {"reference": ids["patient"]},
        "date": sent_at.isoformat(),
        "author": [{"reference": ids["author"]}],
        "title": title,
        "custodian": {"reference": ids["organisation"]},
        "section": [
            {"title": "Letter (PDF)", "entry": [{"reference": ids["pdf"]}]},
            {"title": "FHIR R4 document", "entry": [{"reference": ids["fhir"]}]},
        ],
    }
    files = {"pdf": (PDF, pdf), "fhir": (FHIR_JSON, json.dumps(fhir_document).encode())}
    document = {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids["document"]},
        "type": "document",
        "entry": [
            _entry(ids["composition"], composition, CARE_CONNECT + "CareConnect-Composition-1"),
            _entry(ids["patient"], patient, CARE_CONNECT + "CareConnect-Patient-1"),
            _entry(ids["author"], practitioner, CARE_CONNECT + "CareConnect-Practitioner-1"),
            _entry(ids["organisation"], organisation, CARE_CONNECT + "CareConnect-Organization-1"),
            *(
                _entry(
                    ids[name],
                    {"resourceType": "Binary", "contentType": kind, "content": _b64(data)},
                    NHS_STU3 + "ITK-Attachment-Binary-1",
                )
                for name, (kind, data) in files.items()
            ),
        ],
    }
    header = {
        "resourceType": "MessageHeader",
        "extension": [
            {
                "url": MESSAGE_HANDLING,
                "extension": [
                    {"url": "BusAckRequested", "valueBoolean": True},
                    {"url": "InfAckRequested", "valueBoolean": True},
                    {"url": "RecipientType", "valueCoding": FOR_ACTION},
                    {"url": "MessageDefinition", "valueReference": DEFINITION},
                    # GPCM-SD-042: the activity at the sender; here the case (one per episode).
                    {"url": "SenderReference", "valueString": f"urn:uuid:{_case_uuid(case)}"},
                    {"url": "LocalExtension", "valueString": LOCAL_EXTENSION},
                ],
            }
        ],
        "event": EVENT,
        "sender": {"reference": ids["sender"]},
        "timestamp": sent_at.isoformat(),
        "source": {"endpoint": sender_mailbox},
        "focus": [{"reference": ids["document"]}],
    }
    sender = {"resourceType": "Organization", "identifier": ods}
    return {
        "resourceType": "Bundle",
        "id": str(message_id),
        "meta": {"profile": [NHS_STU3 + "ITK-Message-Bundle-1"]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{message_id}"},
        "type": "message",
        "entry": [
            # The header's id is the message's: an ITK3 response names it.
            _entry(f"urn:uuid:{message_id}", header, NHS_STU3 + "ITK-MessageHeader-2"),
            _entry(ids["sender"], sender, NHS_STU3 + "CareConnect-ITK-Header-Organization-1"),
            _entry(ids["document"], document, NHS_STU3 + "ITK-Document-Bundle-1"),
        ],
    }


def attachments(message: dict) -> dict[str, bytes]:
    """The files a Send Document message carries, by media type (for tests and readers)."""
    document = message["entry"][2]["resource"]
    return {
        e["resource"]["contentType"]: base64.b64decode(e["resource"]["content"])
        for e in document["entry"]
        if e["resource"]["resourceType"] == "Binary"
    }


def _case_uuid(case) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:linkwell:case:{case.pk}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
