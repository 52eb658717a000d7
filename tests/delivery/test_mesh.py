"""The message back over MESH, against NHS England's mesh-sandbox run locally: found by the
registered practice's ODS code and the workflow ID, read out of the practice's mailbox as a GP
Connect Send Document message (ITK3 wrapper, MEX headers, the PDF and FHIR document inside);
the practice's ITK3 acknowledgements read back; MESH down, then up; a worker killed after MESH
took it."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.STU3.bundle import Bundle as STU3Bundle

from linkwell.accounts.services import create_token
from linkwell.delivery import services
from linkwell.delivery.mesh import MeshBackend
from linkwell.delivery.mesh import itk3_response as read_itk3_response
from linkwell.delivery.models import Delivery, Status
from linkwell.interop import itk3
from linkwell.standards.models import MessageBack
from linkwell.standards.services import send_message_back
from scripts import run_mesh_sandbox
from tests.delivery.conftest import GP_PRACTICE, gp_client
from tests.delivery.test_outbox import run_worker
from tests.factories import PracticeFactory
from tests.standards.helpers import recorded_case
from tests.standards.test_message_back import SECTION_CODES

# `linkwell worker` closes and reopens its database connection: no test-wide transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(mesh, database_tasks):
    practice = PracticeFactory(ods_code=GP_PRACTICE)
    case, worker = recorded_case(practice)
    message = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    return case, worker, message


def inbox(url) -> list:
    with gp_client(url) as gp:
        return [gp.retrieve_message(m) for m in gp.list_messages()]


def test_the_api_sends_the_message_back_into_the_practices_mailbox(mesh, database_tasks, client):
    case, worker = recorded_case(PracticeFactory(ods_code=GP_PRACTICE))
    response = client.post(
        f"/api/v1/cases/{case.pk}/message-back",
        json.dumps({"recipient": "gp", "consent_given": True}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=worker)}",
    )
    assert response.status_code == 201, response.content[:300]
    message = MessageBack.objects.get(pk=response.json()["id"])
    run_worker()
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    assert delivery.status == Status.SENT and delivery.mesh_mailbox == f"{GP_PRACTICE}GP1"
    (received,) = inbox(mesh)  # one GP Connect Send Document message
    assert received.id() == delivery.provider_id
    # MEX headers (GP Connect Send Document, "How to configure MESH").
    assert received.mex_header("workflowid") == "GPFED_CONSULT_REPORT"
    assert received.mex_header("localid") == delivery.reference
    assert received.mex_header("content-type") == "application/fhir+json"
    assert received.mex_header("filename") == f"{delivery.reference}.json"
    person, pcn = case.person, case.organisation
    assert received.mex_header("subject") == (
        f"Social prescribing: message back to GP and referrer for {person.full_name}, "
        f"NHS Number: {person.nhs_number}, seen at {pcn.name}, {pcn.ods_code}, Version: 1"
    )
    # The ITK3 wrapper, validated as FHIR STU3, and what it carries.
    sent = json.loads(received.read())
    wrapper = STU3Bundle.model_validate(sent)
    assert wrapper.type == "message"
    header, sender, document = (e.resource for e in wrapper.entry)
    assert header.id == str(uuid.UUID(delivery.reference))
    assert header.event.code == "ITK007C" and header.source.endpoint == settings.MESH_MAILBOX
    assert header.destination is None and header.receiver is None  # MESH routes it
    handling = {e.url: e for e in header.extension[0].extension}
    assert header.extension[0].url.endswith("Extension-ITK-MessageHandling-2")
    assert handling["BusAckRequested"].valueBoolean is True
    assert handling["InfAckRequested"].valueBoolean is True
    assert handling["RecipientType"].valueCoding.code == "FA"
    assert handling["MessageDefinition"].valueReference.reference.endswith(
        "ITK-GPConnectSendDocument-MessageDefinition-1"
    )
    assert header.sender.reference == wrapper.entry[1].fullUrl
    assert sender.identifier[0].value == pcn.ods_code
    assert header.focus[0].reference == wrapper.entry[2].fullUrl and document.type == "document"
    composition = document.entry[0].resource
    assert composition.status == "final" and composition.type.coding[0].code == "371531000"
    assert composition.subject.reference == document.entry[1].fullUrl
    assert document.entry[1].resource.identifier[0].value == person.nhs_number
    # The PDF first (the primary attachment), then our FHIR R4 document, both round-trip.
    binaries = {
        e.fullUrl: e.resource for e in document.entry if e.resource.get_resource_type() == "Binary"
    }
    first, second = (binaries[s.entry[0].reference] for s in composition.section)
    assert first.contentType == "application/pdf" and second.contentType == "application/fhir+json"
    files = itk3.attachments(sent)
    assert files["application/pdf"].startswith(b"%PDF")
    assert files["application/pdf"].rstrip().endswith(b"%%EOF")  # whole, not cut
    bundle = Bundle.model_validate(json.loads(files["application/fhir+json"]))  # R4B validation
    assert (
        bundle.type == "document"
        and bundle.identifier.value == message.bundle["identifier"]["value"]
    )
    assert bundle.entry[1].resource.name[0].family == person.family_name
    sections = [s.code.coding[0] for s in bundle.entry[0].resource.section]
    assert [(c.system, c.code) for c in sections] == SECTION_CODES  # SNOMED CT where sourced
    # The practice collects (acknowledges) it; polling MESH's tracking records the delivery.
    received.acknowledge()
    assert services.refresh_sent() == 1
    client.force_login(worker)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert "Delivered to the practice on" in page
    case_page = client.get(reverse("cases:case_message_back", args=[case.pk])).content.decode()
    assert "Messages sent" in case_page and "to the practice" in case_page


def itk3_response(delivery, *, code: str, display: str, ok: bool) -> bytes:
    """An ITK3 response as the practice's system sends it (ITK3 Message Distribution: event
    ITK008M, response.identifier the answered MessageHeader's id, an OperationOutcome)."""
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "message",
            "entry": [
                {
                    "fullUrl": "urn:uuid:5a9c4f9e-54a4-4b8a-9d0a-1d3c1f0c2c11",
                    "resource": {
                        "resourceType": "MessageHeader",
                        "event": {"code": "ITK008M"},
                        "response": {
                            "identifier": str(uuid.UUID(delivery.reference)),
                            "code": "ok" if ok else "fatal-error",
                            "details": {"reference": "urn:uuid:outcome"},
                        },
                    },
                },
                {
                    "fullUrl": "urn:uuid:outcome",
                    "resource": {
                        "resourceType": "OperationOutcome",
                        "issue": [
                            {
                                "severity": "information" if ok else "error",
                                "code": "informational" if ok else "processing",
                                "details": {
                                    "coding": [
                                        {
                                            "system": "https://fhir.nhs.uk/STU3/CodeSystem/ITK-ResponseCodes-1",
                                            "code": code,
                                            "display": display,
                                        }
                                    ]
                                },
                            }
                        ],
                    },
                },
            ],
        }
    ).encode()


def answer(url, delivery, **response) -> None:
    with gp_client(url) as gp:
        gp.send_message(
            run_mesh_sandbox.LINKWELL_MAILBOX,
            itk3_response(delivery, **response),
            workflow_id="GPFED_CONSULT_REPORT_ACK",
        )


def test_the_practices_acknowledgements_are_read_from_our_inbox(sent, mesh, client):
    _, worker, message = sent
    run_worker()
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    answer(mesh, delivery, code="20013", display="Success", ok=True)
    call_command("delivery", "poll", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert services.read_acknowledgements() == 0  # acknowledged in MESH: read once


def test_a_negative_business_acknowledgement_fails_the_message_visibly(sent, mesh, client):
    case, worker, message = sent
    run_worker()
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    answer(mesh, delivery, code="20013", display="Success", ok=True)
    answer(mesh, delivery, code="30002", display="Patient not known here", ok=False)
    assert services.read_acknowledgements() == 2
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert delivery.error == (
        "The practice's system did not accept it: Patient not known here (ITK 30002)"
    )
    client.force_login(worker)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert "Not delivered" in page and "Patient not known here" in page


def test_mesh_down_then_up_the_message_waits_and_goes_once(sent, mesh, settings):
    _, _, message = sent
    settings.MESH_URL = "http://127.0.0.1:9"  # nothing listens: MESH is down
    run_worker()
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    assert delivery.status == Status.QUEUED and "MESH could not be reached" in delivery.error
    settings.MESH_URL = mesh  # back up
    assert services.send_due(now=timezone.now() + timedelta(minutes=2)) == 1
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2
    assert len(inbox(mesh)) == 1


def test_a_worker_killed_after_mesh_took_it_does_not_send_twice(sent, mesh, settings):
    _, _, message = sent
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    claimed, _ = services._claim(delivery.pk, timezone.now() - timedelta(minutes=11))
    took = MeshBackend().send(claimed)  # MESH took it; the worker died before recording
    assert services.send_due() == 1
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.provider_id == took
    assert len(inbox(mesh)) == 1


def test_a_practice_without_a_mailbox_for_the_workflow_fails_visibly(mesh, database_tasks):
    services.queue(key="x", what="message back", channel="mesh", to="Y99999", document={})
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert (
        delivery.error == "No MESH mailbox for practice Y99999 and workflow GPFED_CONSULT_REPORT."
    )


def test_an_inbox_message_nested_past_pythons_limit_is_no_response():
    assert read_itk3_response(b"[" * 5000 + b"]" * 5000) is None
