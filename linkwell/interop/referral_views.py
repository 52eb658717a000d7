"""FHIR endpoints for referrals: CapabilityStatement, referral in (transaction Bundle or
ServiceRequest), and Task, ServiceRequest, Patient, Consent and Goal reads. Thin: parse,
call `linkwell.cases.services.make_referral`, translate. Errors are OperationOutcome with the
element's FHIRPath in `issue.expression`; a refused referral is audited and saves nothing.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.accounts import audit
from linkwell.accounts.access import visible_or_404
from linkwell.accounts.models import AuditAction
from linkwell.accounts.permissions import Capability, require
from linkwell.cases.models import Case, Goal, Referral
from linkwell.cases.services import make_referral
from linkwell.connections.models import Connection
from linkwell.directory.models import Service
from linkwell.directory.services import shortlist
from linkwell.people.models import Consent, Person
from linkwell.people.services import record_viewed

from . import capability, fhir_inbound, fhir_referrals
from .fhir_inbound import FhirProblem
from .views import _reply, _user, fhir_read


def _outcome(problem: FhirProblem) -> HttpResponse:
    issue = {"severity": "error", "code": problem.code, "diagnostics": problem.message}
    if problem.expression:
        issue["expression"] = [problem.expression]
    return _reply(OperationOutcome(issue=[issue]), problem.status)


def fhir_write(*, need: Capability, object_type: str, not_found: str = "Not found."):
    """Bearer token or session (with its CSRF check) and the capability `need`; refusals as
    OperationOutcome, audited. Shared by referrals in and providers' Task updates."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            bearer = request.headers.get("Authorization", "").startswith("Bearer ")
            user = _user(request)
            if user is None:
                response = _outcome(
                    FhirProblem("Send a bearer token or sign in.", "", status=401, code="login")
                )
                response["WWW-Authenticate"] = "Bearer"
                return response
            csrf = CsrfViewMiddleware(lambda r: None)
            if not bearer and csrf.process_view(request, None, (), {}):
                return _outcome(FhirProblem("CSRF check failed.", "", status=403, code="forbidden"))
            try:
                require(user, need)
                return view(request, user, *args, **kwargs)
            except PermissionDenied as e:
                return _outcome(FhirProblem(str(e), "", status=403, code="forbidden"))
            except Http404:
                return _outcome(FhirProblem(not_found, "", status=404, code="not-found"))
            except FhirProblem as problem:
                audit.record(
                    user=user,
                    action=AuditAction.DENIED,
                    object_type=object_type,
                    object_id=str(kwargs.get("pk", ""))[:50],
                    refused=problem.message,
                    expression=problem.expression,
                )
                return _outcome(problem)

        return wrapped

    return decorate


referral_write = fhir_write(need=Capability.MAKE_REFERRALS, object_type="fhir.referral")


def _base(request) -> str:
    return request.build_absolute_uri(reverse("interop:metadata")).removesuffix("metadata")


def _make(request, user, inbound) -> tuple[Referral, bool]:
    """make_referral, with a domain error turned into the element it came from."""
    try:
        referral, created = make_referral(
            pcn=inbound.pcn,
            person=inbound.person,
            source=fhir_inbound.source_for(inbound),
            reasons=inbound.reasons,
            consent_given=True,  # sending the order is the referrer's confirmation, as on the form
            details=inbound.details,
            urgency=inbound.urgency,
            referring_organisation=inbound.origin if inbound.origin.kind == "practice" else None,
            referrer_name=inbound.referrer_name or user.get_full_name(),
            referrer_contact=inbound.referrer_contact,
            idempotency_key=inbound.idempotency_key,
            by=user,
        )
    except ValidationError as e:
        message, expression = inbound.expression(e)
        raise FhirProblem(message, expression) from None
    if created and inbound.service_id:
        shortlist(
            case=referral.case,
            service=Service.objects.get(pk=inbound.service_id),
            by=user,
            reasons=["Suggested by the referrer"],
        )
    return referral, created


def _task_of(referral):
    connections = list(referral.case.connections.all())
    return fhir_referrals.referral_task(referral, connections)


@csrf_exempt
@require_POST
@referral_write
def transaction(request, user):
    bundle = fhir_inbound.parse(request.body, allowed={"Bundle"})
    inbound = fhir_inbound.from_bundle(bundle, user=user)
    referral, created = _make(request, user, inbound)
    task = _task_of(referral)
    status = "201 Created" if created else "200 OK"
    kept = {
        "Patient": f"Patient/{referral.person_id}",
        "ServiceRequest": f"ServiceRequest/{referral.pk}",
    }
    entries = []
    # One response per request entry, in order; entries Linkwell does not keep (a Condition,
    # say) answer 200 with no location. The Task that fulfils the referral comes last.
    for entry in bundle.entry:
        location = kept.get(entry.resource.__resource_type__ if entry.resource else "")
        entries.append(
            {"response": {"status": status if location else "200 OK", "location": location}}
        )
    entries.append(
        {"resource": task, "response": {"status": status, "location": f"Task/{task.id}"}}
    )
    response = _reply(Bundle(type="transaction-response", entry=entries), 201 if created else 200)
    response["Location"] = f"{_base(request)}Task/{task.id}"
    return response


@csrf_exempt
@require_POST
@referral_write
def service_request_create(request, user):
    resource = fhir_inbound.parse(request.body, allowed={"ServiceRequest"})
    inbound = fhir_inbound.from_service_request(
        resource, root="ServiceRequest", user=user, person=None
    )
    referral, created = _make(request, user, inbound)
    response = _reply(_task_of(referral), 201 if created else 200)
    response["Location"] = f"{_base(request)}ServiceRequest/{referral.pk}"
    return response


def metadata(request):
    return _reply(capability.statement(base=_base(request)))


def _referrals(user):
    return Referral.objects.visible_to(user).select_related(
        "case__organisation", "person", "referring_organisation", "organisation"
    )


@fhir_read
def task_search(request, user):
    """Task?based-on=ServiceRequest/ID: the referral's Task, and its onward referrals' subtasks
    for users who see connections."""
    based_on = request.GET.get("based-on", "")
    referrals = _referrals(user)
    if based_on:
        kind, _, pk = based_on.rpartition("/")
        known = kind.endswith("ServiceRequest") and pk.isdigit()
        referrals = referrals.filter(pk__in=[int(pk)] if known else [])
    resources = []
    for referral in referrals.order_by("-received_at")[:100]:
        resources.append(_task_of(referral))
        visible = Connection.objects.visible_to(user).filter(case__referral=referral)
        resources.extend(map(fhir_referrals.connection_task, visible.select_related("service")))
    return fhir_referrals.searchset(resources, base=_base(request))


@fhir_read
def task(request, user, pk):
    if pk.startswith("connection-"):
        connections = Connection.objects.visible_to(user).select_related("service", "case")
        connection = visible_or_404(connections, pk.removeprefix("connection-"), user)
        return fhir_referrals.connection_task(connection)
    referral = visible_or_404(_referrals(user), pk, user)
    return _task_of(referral)


@fhir_read
def service_request(request, user, pk):
    referral = visible_or_404(_referrals(user), pk, user)
    record_viewed(person=referral.person, by=user, via="fhir")
    return fhir_referrals.service_request(referral, _task_of(referral))


@fhir_read
def patient(request, user, pk):
    person = visible_or_404(Person.objects.visible_to(user), pk, user)
    record_viewed(person=person, by=user, via="fhir")
    return fhir_referrals.patient(person)


@fhir_read
def consent(request, user, pk):
    consents = Consent.objects.filter(person__in=Person.objects.visible_to(user))
    record = visible_or_404(consents.select_related("person"), pk, user)
    record_viewed(person=record.person, by=user, via="fhir")
    return fhir_referrals.consent(record)


@fhir_read
def goal(request, user, pk):
    require(user, Capability.VIEW_CASELOAD)
    cases = Case.objects.visible_to(user)
    goals = Goal.objects.filter(care_plan__case__in=cases).select_related("care_plan__case__person")
    record = visible_or_404(goals, pk, user)
    record_viewed(person=record.care_plan.case.person, by=user, via="fhir")
    return fhir_referrals.goal(record)
