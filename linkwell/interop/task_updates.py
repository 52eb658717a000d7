"""Closing the loop from a provider's own FHIR system: it updates the Task Linkwell sent it.

A provider whose directory organisation has a `fhir_endpoint` gets each onward referral as a
transaction Bundle (provider_systems.py) whose Task carries the identifier `connection-N`. Its
system answers by sending that Task back, changed, to `PUT /fhir/Task/connection-N` (or POST to
the same URL), authenticated with a bearer token of one of the provider organisation's users
(`linkwell token create USERNAME`). Task.status maps onto the connection lifecycle
(fhir_referrals.CONNECTION_TASK_STATUS, read backwards); `businessStatus` with Linkwell's own
status code may say which step exactly, and `statusReason` gives the reason a decline needs.
The change goes through `linkwell.connections.services.update_status` as the provider portal's
does: only the provider's own referrals, only the steps the table allows, every refusal audited
and answered with an OperationOutcome naming the element.
"""

from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability
from linkwell.connections import queries, services
from linkwell.connections.lifecycle import Status

from . import fhir_formats, fhir_inbound, fhir_referrals, referral_views
from .fhir_inbound import FhirProblem
from .referral_views import _outcome
from .views import _reply

PREFIX = "connection-"
# Task.status → connection status: the outbound table read backwards (one status each).
FROM_TASK = {task: status for status, task in fhir_referrals.CONNECTION_TASK_STATUS.items()}
# Which element a service's field error came from.
ELEMENT = {"to": "Task.status", "reason": "Task.statusReason"}


def _reason(task) -> str:
    concept = task.statusReason
    if concept is None:
        return ""
    return concept.text or next((c.display or c.code or "" for c in concept.coding or []), "")


def target_status(task) -> str:
    """The connection status a provider's Task asks for, or FhirProblem naming the element."""
    wanted = FROM_TASK.get(task.status)
    if wanted is None:
        allowed = ", ".join(t for t, s in FROM_TASK.items() if s != Status.SENT)
        raise FhirProblem(
            f"Task status {task.status!r} is not a step of an onward referral; use {allowed}.",
            "Task.status",
        )
    codings = (task.businessStatus.coding or []) if task.businessStatus else []
    for k, coding in enumerate(codings):
        if coding.system != fhir_referrals.BUSINESS_STATUS:
            continue
        if coding.code not in Status.values:
            raise FhirProblem(
                f"Unknown Linkwell status {coding.code!r}.", f"Task.businessStatus.coding[{k}].code"
            )
        if fhir_referrals.CONNECTION_TASK_STATUS[Status(coding.code)] != task.status:
            raise FhirProblem(
                f"Linkwell status {coding.code!r} does not go with Task status {task.status!r}.",
                f"Task.businessStatus.coding[{k}].code",
            )
        return coding.code
    return wanted


@referral_views.fhir_write(
    need=Capability.RESPOND_TO_CONNECTIONS,
    object_type="fhir.task",
    not_found="No such onward referral, or it is not one of your services'.",
)
def update(request, user, pk):
    if not pk.startswith(PREFIX):
        raise Http404  # a referral's main Task is the PCN's; providers update their subtask
    connection = visible_or_404(queries.for_provider(user), pk.removeprefix(PREFIX), user)
    task = fhir_inbound.parse(request.body, allowed={"Task"})
    if task.id is not None and task.id != pk:
        raise FhirProblem(f"This is Task/{task.id}, not Task/{pk}.", "Task.id", status=400)
    to = target_status(task)
    if to != connection.status:
        try:
            services.update_status(
                connection=connection,
                to=to,
                reason=_reason(task),
                by=user,
                via="FHIR",
                provider=True,
            )
        except services.ConnectionRuleError as e:  # audited by update_status
            field, messages = next(iter(e.message_dict.items()))
            problem = FhirProblem(messages[0], ELEMENT.get(field, "Task"), code="business-rule")
            return _outcome(problem)
    connection = queries.for_provider(user).get(pk=connection.pk)
    return _reply(fhir_referrals.connection_task(connection))


@csrf_exempt
def task(request, pk):
    """GET reads a Task (referral_views.task); PUT or POST updates an onward referral's."""
    if request.method == "GET":
        return referral_views.task(request, pk)
    if request.method in ("PUT", "POST"):
        return fhir_formats.xml_body(update, Capability.RESPOND_TO_CONNECTIONS)(request, pk)
    response = _outcome(
        FhirProblem(
            "Read a Task with GET; update an onward referral's with PUT (the whole Task).",
            "",
            status=405,
            code="not-supported",
        )
    )
    response["Allow"] = "GET, PUT, POST"
    return response
