"""Onward referrals sent to providers whose own system takes FHIR (found by
`linkwell.plugins.app_modules("provider_systems")` from the connections app's notify task).

A directory organisation names its endpoint as `fhir_endpoint` in its ORUK record (ORUK has no
such field, so the importer keeps it in `extra`). Linkwell POSTs the same resources a GP system
sends it: a transaction Bundle of Patient (only the details the person agreed to share),
ServiceRequest and the Task the provider is asked to fulfil (Gravity SDOH Clinical Care pattern).
The Task's identifier (system TASK_IDENTIFIER) is its id here, `connection-N`: the provider's
system sends the Task back, changed, to `PUT /fhir/Task/connection-N` (task_updates.py).
"""

import json
import urllib.request
import uuid

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from linkwell.connections.models import SharedDetail

from . import fhir_referrals

TIMEOUT_SECONDS = 20
TASK_IDENTIFIER = "urn:linkwell:task"  # value: the Task id to update at /fhir/Task/<id>


def endpoint(connection) -> str:
    organisation = connection.service.organisation
    url = (organisation.extra or {}).get("fhir_endpoint", "") if organisation else ""
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""


def referral_bundle(connection) -> Bundle:
    person = connection.case.person
    ids = {kind: f"urn:uuid:{uuid.uuid4()}" for kind in ("Patient", "ServiceRequest", "Task")}
    patient = fhir_referrals.patient(person, shared=connection.shared_details)
    patient.id = None
    reasons = connection.case.referral.reasons
    request = ServiceRequest(
        status="active",
        intent="order",
        code={"text": connection.service.name},
        subject={"reference": ids["Patient"]},
        authoredOn=connection.created_at,
        performer=[{"display": connection.service.name}],
        reasonCode=fhir_referrals.reason_codes(reasons)
        if SharedDetail.REASONS in connection.shared_details
        else None,
        note=[{"text": connection.note}] if connection.note else None,
    )
    task = Task(
        identifier=[{"system": TASK_IDENTIFIER, "value": f"connection-{connection.pk}"}],
        status="requested",
        authoredOn=connection.created_at,
        owner={"display": connection.service.name},
        **fhir_referrals.fulfil(
            {"reference": ids["ServiceRequest"]}, {"reference": ids["Patient"]}
        ),
    )
    resources = {"Patient": patient, "ServiceRequest": request, "Task": task}
    return Bundle(
        type="transaction",
        entry=[
            {"fullUrl": ids[kind], "resource": r, "request": {"method": "POST", "url": kind}}
            for kind, r in resources.items()
        ],
    )


def send_referral(connection) -> bool:
    """POST the referral to the provider's system; an HTTP error fails the task (to retry)."""
    url = endpoint(connection)
    if not url:
        return False
    body = referral_bundle(connection).model_dump_json(exclude_none=True).encode()
    request = urllib.request.Request(  # noqa: S310 — http(s) only, checked in endpoint()
        url.rstrip("/") + "/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310 — http(s) only, checked in endpoint()
        json.loads(response.read() or b"{}")
    return True
