"""A provider's FHIR system closing the loop: it sends back the Task Linkwell sent it."""

import json

import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task

from linkwell.accounts.models import AuditEntry
from linkwell.accounts.services import create_token
from linkwell.connections.lifecycle import Status
from linkwell.interop import provider_systems
from tests.connections.factories import connect, provider_service, provider_with_user
from tests.factories import make_case
from tests.interop.test_fhir_referrals import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(pcn, worker):
    """An onward referral to a provider with a Linkwell account, and that provider's user."""
    service, volunteer = provider_with_user()
    case = make_case(pcn=pcn, by=worker, family_name="Crawley")
    return connect(case, service, worker), volunteer


def sent_task(connection) -> dict:
    """The Task as the provider's system received it in the referral Bundle."""
    bundle = provider_systems.referral_bundle(connection)
    task = bundle.entry[-1].resource
    return json.loads(task.model_dump_json(exclude_none=True))


def put(client, user, task_id, body, content_type="application/fhir+json", method="put"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"} if user else {}
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return getattr(client, method)(
        f"/fhir/Task/{task_id}", data, content_type=content_type, **headers
    )


def outcome(response, status) -> tuple[str, str]:
    assert response.status_code == status, response.content[:400]
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    return (issue.expression or [""])[0], issue.diagnostics


def test_the_provider_system_moves_the_referral_through_its_lifecycle(client, referral):
    connection, volunteer = referral
    task = sent_task(connection)
    task_id = task["identifier"][0]["value"]
    assert task_id == f"connection-{connection.pk}"
    seen = []
    for status in ("accepted", "in-progress", "completed"):
        reply = put(client, volunteer, task_id, {**task, "status": status})
        assert reply.status_code == 200, reply.content
        seen.append(Task.model_validate_json(reply.content).status)
    assert seen == ["accepted", "in-progress", "completed"]
    connection.refresh_from_db()
    assert connection.status == Status.COMPLETED
    events = list(connection.events.values_list("to_status", "via", "by"))
    assert events[1:] == [(s, "FHIR", volunteer.pk) for s in ("accepted", "attended", "completed")]


def test_a_rejection_needs_its_reason_and_keeps_it(client, referral):
    connection, volunteer = referral
    task = sent_task(connection)
    missing = put(client, volunteer, f"connection-{connection.pk}", {**task, "status": "rejected"})
    assert outcome(missing, 422)[0] == "Task.statusReason"
    connection.refresh_from_db()
    assert connection.status == Status.SENT
    reason = {"text": "The group is full until spring"}
    done = put(
        client,
        volunteer,
        f"connection-{connection.pk}",
        {**task, "status": "rejected", "statusReason": reason},
    )
    assert done.status_code == 200
    assert connection.events.last().reason == "The group is full until spring"


def test_a_status_jump_the_table_forbids_changes_nothing_and_is_audited(client, referral):
    connection, volunteer = referral
    reply = put(
        client,
        volunteer,
        f"connection-{connection.pk}",
        {**sent_task(connection), "status": "completed"},
    )
    path, message = outcome(reply, 422)
    assert path == "Task.status" and "cannot become completed" in message
    connection.refresh_from_db()
    assert connection.status == Status.SENT and connection.events.count() == 1
    assert AuditEntry.objects.filter(action="denied", user=volunteer).exists()


def test_cancelling_is_the_link_workers_step(client, referral):
    connection, volunteer = referral
    reply = put(
        client,
        volunteer,
        f"connection-{connection.pk}",
        {**sent_task(connection), "status": "cancelled", "statusReason": {"text": "x"}},
    )
    assert outcome(reply, 422)[0] == "Task.status"


def test_business_status_names_the_exact_step(client, referral):
    connection, volunteer = referral
    task = sent_task(connection)
    put(client, volunteer, f"connection-{connection.pk}", {**task, "status": "accepted"})
    code = {"coding": [{"system": "urn:linkwell:status", "code": "did_not_attend"}]}
    wrong = put(
        client,
        volunteer,
        f"connection-{connection.pk}",
        {**task, "status": "in-progress", "businessStatus": code},
    )
    assert outcome(wrong, 422)[0] == "Task.businessStatus.coding[0].code"
    right = put(
        client,
        volunteer,
        f"connection-{connection.pk}",
        {**task, "status": "on-hold", "businessStatus": code},
    )
    assert right.status_code == 200
    connection.refresh_from_db()
    assert connection.status == Status.DID_NOT_ATTEND


@pytest.mark.parametrize(
    "change, status, path",
    [
        ({"status": "accepted", "intent": None}, 422, "Task.intent"),
        ({"status": "bogus"}, 422, "Task.status"),
        ({"status": "draft"}, 422, "Task.status"),
        ({"status": "accepted", "resourceType": "ServiceRequest"}, 422, "resourceType"),
        ({"status": "accepted", "id": "connection-999999"}, 400, "Task.id"),
    ],
)
def test_an_invalid_task_is_refused_with_its_element(client, referral, change, status, path):
    connection, volunteer = referral
    task = {k: v for k, v in {**sent_task(connection), **change}.items() if v is not None}
    reply = put(client, volunteer, f"connection-{connection.pk}", task)
    assert outcome(reply, status)[0].startswith(path)
    connection.refresh_from_db()
    assert connection.status == Status.SENT
    assert AuditEntry.objects.filter(action="denied", user=volunteer).exists()


def test_only_the_providers_own_referrals(client, referral, worker, pcn):
    connection, volunteer = referral
    other = connect(make_case(pcn=pcn, by=worker), provider_service(), worker)
    body = {**sent_task(other), "status": "accepted"}
    assert put(client, volunteer, f"connection-{other.pk}", body).status_code == 404
    assert put(client, volunteer, str(connection.case.referral.pk), body).status_code == 404
    assert put(client, worker, f"connection-{connection.pk}", body).status_code == 403
    assert put(client, None, f"connection-{connection.pk}", body).status_code == 401
    other.refresh_from_db()
    assert other.status == Status.SENT


def test_xml_is_accepted_and_post_and_patch_are_not(client, referral):
    connection, volunteer = referral
    task = Task.model_validate({**sent_task(connection), "status": "accepted"})
    reply = put(
        client,
        volunteer,
        f"connection-{connection.pk}",
        task.model_dump_xml(exclude_none=True),
        content_type="application/fhir+xml",
    )
    assert reply.status_code == 200, reply.content
    connection.refresh_from_db()
    assert connection.status == Status.ACCEPTED
    assert Task.model_validate_json(reply.content).status == "accepted"
    for method in ("patch", "post", "delete"):
        refused = put(client, volunteer, f"connection-{connection.pk}", {}, method=method)
        assert refused.status_code == 405 and refused["Allow"] == "GET, PUT"
        OperationOutcome.model_validate_json(refused.content)


def test_the_gravity_accepted_task_example_accepts_the_referral(client, referral):
    connection, volunteer = referral
    example = json.loads(
        (
            FIXTURES / "Task-SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample.json"
        ).read_text()
    )
    example.pop("id")  # the example's own id; the URL names ours
    reply = put(client, volunteer, f"connection-{connection.pk}", example)
    assert reply.status_code == 200, reply.content
    connection.refresh_from_db()
    assert connection.status == Status.ACCEPTED
