"""FHIR endpoints for referrals: CapabilityStatement, referral in (transaction Bundle or
ServiceRequest), and Task, ServiceRequest, Patient, Consent and Goal reads (routed by
routes.py, which authenticates and renders). Thin: parse,
call `linkwell.cases.services.make_referral`, translate. Errors are OperationOutcome with the
element's FHIRPath in `issue.expression`; a refused referral is audited and saves nothing.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability, require
from linkwell.cases.models import Case, Goal, Referral, referral_named_by
from linkwell.cases.services import IdempotencyConflict, make_referral
from linkwell.people.models import Consent, Person

from . import fhir_http, fhir_inbound, fhir_referrals, task_queries
from .fhir_http import Answer
from .fhir_inbound import FhirProblem

# How a referrer's system retries safely (the CapabilityStatement says it, routes.py).
RETRIES = (
    "Retries: the ServiceRequest's first identifier, or an Idempotency-Key header (as on the "
    "JSON API, up to 100 characters), makes a re-post of the same referral return the first "
    "(200, the same resources); reusing either for a different referral is 409 Conflict "
    "naming ServiceRequest.identifier or Idempotency-Key, and nothing is saved. Conditional "
    "create: If-None-Exist (request.ifNoneExist in a transaction) identifier=[system|]value."
)


def _existing(user, inbound) -> Referral | None:
    """FHIR conditional create (http://hl7.org/fhir/R4/http.html#ccreate): the referral the
    query finds among those the user may see, matched by its ServiceRequest.identifier (the
    first, which make_referral keeps one referral each); several matches are 412."""
    if not inbound.if_none_exist:
        return None
    path = inbound.if_none_exist_path
    system, value = fhir_inbound.identifier_query(inbound.if_none_exist, path)
    referrals = Referral.objects.visible_to(user)
    found = list(
        referrals.filter(identifier=f"{system}|{value}")[:2]
        if system is not None
        else referrals.filter(identifier__endswith=f"|{value}")[:2]
    )
    if len(found) > 1:
        raise FhirProblem(
            "More than one referral has this identifier: give its system too.",
            path,
            status=412,
            code="duplicate",
        )
    return found[0] if found else None


def _make(request, user, inbound) -> tuple[Referral, bool]:
    """make_referral (the one door: PCN, source, consent, shortlisting, audit), with a domain
    error turned into the element it came from. routes.py runs each write in one transaction,
    so a refusal saves nothing and a corrected retry saves once. A conditional create that
    finds its referral makes nothing and returns it (created False); so does a re-post of the
    same referral (same ServiceRequest.identifier or Idempotency-Key header), while a
    different one reusing either is a 409 Conflict naming it."""
    earlier = _existing(user, inbound)
    if earlier is not None:
        return earlier, False
    try:
        return make_referral(**inbound.arguments(), by=user)
    except IdempotencyConflict as e:
        message, expression = inbound.expression(e)
        raise FhirProblem(message, expression, status=409, code="conflict") from None
    except ValidationError as e:
        message, expression = inbound.expression(e)
        raise FhirProblem(message, expression) from None


def _versioned(resource) -> str:
    return f"{resource.__resource_type__}/{resource.id}/_history/{resource.meta.versionId}"


def _referral(user, pk):
    return visible_or_404(task_queries.referrals(user), pk, user)


def _made(referral, user):
    """The referral just made or found, as its Tasks read it (the referrer may not track it)."""
    return task_queries.annotated(Referral.objects.filter(pk=referral.pk), user).get()


CREATED, FOUND = "201 Created", "200 OK"


def _read_into(role: str, kind: str, referral, created: bool) -> dict:
    """The response to an entry read into the referral rather than kept as a resource."""
    said = (
        f"Read into ServiceRequest/{referral.pk} as its {role}"
        if created
        else f"Nothing done: ServiceRequest/{referral.pk} was already made"
    )
    return {
        "status": FOUND,
        "outcome": {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "information",
                    "code": "informational",
                    "diagnostics": f"{said}; Linkwell keeps no {kind} of its own.",
                }
            ],
        },
    }


def transaction(request, user) -> Answer:
    bundle = fhir_inbound.parse(request.body, allowed={"Bundle"})
    inbound = fhir_inbound.from_bundle(bundle, user=user)
    inbound.idempotency_key = request.headers.get("Idempotency-Key", "")
    started = timezone.now()
    referral, created = _make(request, user, inbound)
    made = _made(referral, user)
    task = fhir_referrals.referral_task(made)
    status = CREATED if created else FOUND
    prefer = fhir_http.return_preference(request)
    # One response per request entry, in order, saying what was done with it: the Patient
    # found or registered, the ServiceRequest made or found (a retry, a conditional create),
    # each other entry read into the referral. The Task that fulfils it comes last. Entries
    # are shaped by the client's `Prefer: return=`.
    # The PCN's staff are told whether the record is new; anyone else sees the person as this
    # referral describes them (fhir_referrals.subject), new with the referral.
    new_person = created and (referral.person.created_at >= started or not made.sees_record)
    entries = []
    for entry, role in zip(bundle.entry, inbound.entries, strict=True):
        if role == "subject":
            entries.append(
                fhir_http.entry(
                    None,
                    status=CREATED if new_person else FOUND,
                    location=fhir_referrals.subject(made, made.sees_record)["reference"],
                    prefer=prefer,
                )
            )
        elif role == "referral":
            location = f"ServiceRequest/{referral.pk}"
            entries.append(fhir_http.entry(None, status=status, location=location, prefer=prefer))
        else:
            kind = entry.resource.__resource_type__
            entries.append({"response": _read_into(role, kind, referral, created)})
    entries.append(fhir_http.entry(task, status=status, location=_versioned(task), prefer=prefer))
    return Answer(
        Bundle(type="transaction-response", entry=entries),
        201 if created else 200,
        location=_versioned(task),
        bundle=True,
    )


def service_request_create(request, user) -> Answer:
    resource = fhir_inbound.parse(request.body, allowed={"ServiceRequest"})
    inbound = fhir_inbound.from_service_request(
        resource, root="ServiceRequest", user=user, person=None
    )
    inbound.if_none_exist = request.headers.get("If-None-Exist", "")
    inbound.idempotency_key = request.headers.get("Idempotency-Key", "")
    referral, created = _make(request, user, inbound)
    written = _service_request(_made(referral, user))
    return Answer(written, 201 if created else 200, location=_versioned(written))


def _service_request(referral):
    return fhir_referrals.service_request(referral, fhir_referrals.referral_task(referral))


def task(request, user, pk):
    if pk.startswith("connection-"):
        connection = visible_or_404(
            task_queries.connections(user), pk.removeprefix("connection-"), user
        )
        return fhir_referrals.connection_task(connection)
    return fhir_referrals.referral_task(_referral(user, pk))


def service_request(request, user, pk):
    referral = _referral(user, pk)
    return _service_request(referral)


def patient(request, user, pk):
    """Staff of the person's PCN read the record, Patient/<record id>. A referrer reads the
    person only as one of their referrals described them, Patient/referral-<id> (the id their
    referral's Task and ServiceRequest name), never the record: it may hold more than they
    know, or, after a mistyped NHS number, be someone else."""
    referral_pk = referral_named_by(pk)
    if referral_pk is not None:
        referral = visible_or_404(Referral.objects.visible_to(user), referral_pk, user)
        return fhir_referrals.patient(referral.as_referred)
    return fhir_referrals.patient(visible_or_404(Person.objects.visible_to(user), pk, user))


def consent(request, user, pk):
    consents = Consent.objects.filter(person__in=Person.objects.visible_to(user))
    record = visible_or_404(consents.select_related("person"), pk, user)
    return fhir_referrals.consent(record)


def goal(request, user, pk):
    require(user, Capability.VIEW_CASELOAD)
    cases = Case.objects.visible_to(user)
    goals = Goal.objects.filter(care_plan__case__in=cases).select_related("care_plan__case__person")
    record = visible_or_404(goals, pk, user)
    return fhir_referrals.goal(record)
