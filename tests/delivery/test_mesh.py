"""The message back over MESH, against NHS England's mesh-sandbox run locally: found by the
registered practice's ODS code and the workflow ID, read out of the practice's mailbox and
validated as a FHIR document; MESH down, then up; a worker killed after MESH took it."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.services import create_token
from linkwell.delivery import services
from linkwell.delivery.mesh import MeshBackend
from linkwell.delivery.models import Delivery, Status
from linkwell.standards.models import MessageBack
from linkwell.standards.services import send_message_back
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
    received, pdf = sorted(
        inbox(mesh), key=lambda m: m.mex_header("content-type") == "application/pdf"
    )
    assert pdf.read().startswith(b"%PDF") and pdf.mex_header("workflowid") == "GPFED_CONSULT_REPORT"
    assert received.id() == delivery.provider_id
    assert received.mex_header("workflowid") == "GPFED_CONSULT_REPORT"
    assert received.mex_header("localid") == delivery.reference
    bundle = Bundle.model_validate(json.loads(received.read()))  # R4B validation
    assert (
        bundle.type == "document"
        and bundle.identifier.value == message.bundle["identifier"]["value"]
    )
    assert bundle.entry[1].resource.name[0].family == case.person.family_name
    sections = [s.code.coding[0] for s in bundle.entry[0].resource.section]
    assert [(c.system, c.code) for c in sections] == SECTION_CODES  # SNOMED CT where sourced
    # The practice collects (acknowledges) it; polling MESH's tracking records the delivery.
    received.acknowledge()
    pdf.acknowledge()
    assert services.refresh_sent() == 2
    client.force_login(worker)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert "Delivered to the practice on" in page
    case_page = client.get(reverse("cases:case_message_back", args=[case.pk])).content.decode()
    assert "Messages sent" in case_page and "to the practice" in case_page


def test_mesh_down_then_up_the_message_waits_and_goes_once(sent, mesh, settings):
    _, _, message = sent
    settings.MESH_URL = "http://127.0.0.1:9"  # nothing listens: MESH is down
    run_worker()
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    assert delivery.status == Status.QUEUED and "MESH could not be reached" in delivery.error
    settings.MESH_URL = mesh  # back up
    assert services.send_due(now=timezone.now() + timedelta(minutes=2)) == 2  # document, PDF
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2
    assert len(inbox(mesh)) == 2


def test_a_worker_killed_after_mesh_took_it_does_not_send_twice(sent, mesh, settings):
    _, _, message = sent
    Delivery.objects.filter(key__endswith=":pdf").delete()  # the document alone here
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
