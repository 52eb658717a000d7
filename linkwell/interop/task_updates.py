"""Closing the loop from a provider's own FHIR system: it updates the Task Linkwell sent it.

A provider whose directory organisation has a `fhir_endpoint` gets each onward referral as a
transaction Bundle (provider_systems.py) whose Task carries the identifier `connection-N`. Its
system answers by sending that Task back, changed, to `PUT /fhir/Task/connection-N`,
authenticated with a bearer token of one of the provider organisation's users
(`linkwell token create USERNAME`). Task.status maps onto the connection lifecycle
(fhir_referrals.CONNECTION_TASK_STATUS, read backwards); `businessStatus` with Linkwell's own
status code may say which step exactly (the one read back unchanged is the current step, so a
read–modify–write of `status` alone works), and `statusReason` gives the reason a decline
needs. `If-Match: W/"<versionId>"` makes the update conditional on the version read (412 if
the referral moved since).
The change goes through `linkwell.connections.services.update_status` as the provider portal's
does: only the provider's own referrals, only the steps the table allows, every refusal audited
and answered with an OperationOutcome naming the element.
"""

from django.http import Http404

from linkwell.accounts.access import visible_or_404
from linkwell.connections import queries, services
from linkwell.connections.lifecycle import Status

from . import fhir_http, fhir_inbound, fhir_referrals, task_queries
from .fhir_http import Answer
from .fhir_inbound import FhirProblem

PREFIX = "connection-"
# Task.status → connection status: the outbound table read backwards (one status each).
FROM_TASK = {task: status for status, task in fhir_referrals.CONNECTION_TASK_STATUS.items()}
# Which element a service's field error came from; a changed version is 412 (fhir_http).
ELEMENT = {"to": "Task.status", "reason": "Task.statusReason"}


def _reason(task) -> str:
    concept = task.statusReason
    if concept is None:
        return ""
    return concept.text or next((c.display or c.code or "" for c in concept.coding or []), "")


def target_status(task, current: str) -> str:
    """The connection status a provider's Task asks for, or FhirProblem naming the element.

    A client that read the Task and changed only `status` sends back the `businessStatus` it
    read, which names the current step: then `status` says what is wanted. A businessStatus
    naming another step must agree with `status`."""
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
        if coding.code == current and wanted != current:
            return wanted  # the step it read: status alone was changed
        if fhir_referrals.CONNECTION_TASK_STATUS[Status(coding.code)] != task.status:
            raise FhirProblem(
                f"Linkwell status {coding.code!r} does not go with Task status {task.status!r}.",
                f"Task.businessStatus.coding[{k}].code",
            )
        return coding.code
    return wanted


def update(request, user, pk) -> Answer:
    """PUT Task/connection-N (routes.py has checked the token and the capability)."""
    if not pk.startswith(PREFIX):
        raise Http404  # a referral's main Task is the PCN's; providers update their subtask
    connection = visible_or_404(queries.for_provider(user), pk.removeprefix(PREFIX), user)
    task = fhir_inbound.parse(request.body, allowed={"Task"})
    if task.id is not None and task.id != pk:
        raise FhirProblem(f"This is Task/{task.id}, not Task/{pk}.", "Task.id", status=400)
    held = connection.status_changed_at
    fhir_http.check_if_match(request, fhir_referrals.version_id(held))
    to = target_status(task, connection.status)
    if to != connection.status:
        try:
            services.update_status(
                connection=connection,
                to=to,
                reason=_reason(task),
                by=user,
                via="FHIR",
                provider=True,
                # with If-Match, the version checked above must still be current under the lock
                unchanged_since=held if request.headers.get("If-Match") else None,
            )
        except services.ConnectionRuleError as e:  # audited by update_status
            field, messages = next(iter(e.message_dict.items()))
            if field == "unchanged_since":
                raise FhirProblem(messages[0], "", status=412, code="conflict") from None
            raise FhirProblem(
                messages[0], ELEMENT.get(field, "Task"), code="business-rule"
            ) from None
    connection = task_queries.connections(user).get(pk=connection.pk)
    written = fhir_referrals.connection_task(connection)
    location = f"Task/{written.id}/_history/{written.meta.versionId}"
    return Answer(written, location=location)
