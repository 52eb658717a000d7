"""GET /fhir/metadata: what this server does, as a CapabilityStatement (FHIR R4, 4.0.1)."""

from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

READS = {
    "Task": ["read", "search-type", "update"],  # update: providers' own Tasks
    "ServiceRequest": ["read", "create"],
    "Patient": ["read"],
    "Consent": ["read"],
    "Goal": ["read"],
    "QuestionnaireResponse": ["read"],
    "Observation": ["read"],
    "Questionnaire": ["read"],
}


def statement(*, base: str) -> CapabilityStatement:
    resources = []
    for kind, interactions in READS.items():
        entry = {"type": kind, "interaction": [{"code": i} for i in interactions]}
        if kind == "Task":
            entry["searchParam"] = [
                {"name": "based-on", "type": "reference", "documentation": "ServiceRequest/ID"}
            ]
        resources.append(entry)
    return CapabilityStatement(
        status="active",
        date=timezone.now(),
        kind="instance",
        fhirVersion="4.0.1",
        format=["application/fhir+json", "application/fhir+xml"],  # XML in; answers JSON
        software={"name": "Linkwell"},
        implementation={"description": "Linkwell social prescribing", "url": base},
        rest=[
            {
                "mode": "server",
                "documentation": "Bearer token (`linkwell token create`) or a signed-in session. "
                "POST a transaction Bundle (Patient + ServiceRequest) to the base URL to refer; "
                "follow the returned Task. A provider's system updates the Task of an onward "
                "referral with PUT Task/connection-N.",
                "security": {"service": [{"text": "Bearer token"}]},
                "resource": resources,
                "interaction": [{"code": "transaction"}],
            }
        ],
    )
