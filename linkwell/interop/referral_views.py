"""FHIR endpoints for referrals: CapabilityStatement, referral in (transaction Bundle or
ServiceRequest), and Task, ServiceRequest, Patient, Consent and Goal reads (routed by
routes.py, which authenticates and renders). Thin: parse,
call `linkwell.cases.services.make_referral`, translate. Errors are OperationOutcome with the
element's FHIRPath in `issue.expression`; a refused referral is audited and saves nothing.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.permissions import Capability, require
from linkwell.cases import queries
from linkwell.cases.models import Case, Goal, Referral
from linkwell.cases.services import make_referral
from linkwell.people.models import Consent, Person

from . import fhir_http, fhir_inbound, fhir_referrals, task_queries
from .fhir_http import Answer
from .fhir_inbound import FhirProblem


def _make(request, user, inbound) -> tuple[Referral, bool]:
    """make_referral (the one door: PCN, source, consent, shortlisting, audit), with a domain
    error turned into the element it came from. routes.py runs each write in one transaction,
    so a refusal saves nothing and a corrected retry saves once."""
    try:
        return make_referral(**inbound.arguments(), by=user)
    except ValidationError as e:
        message, expression = inbound.expression(e)
        raise FhirProblem(message, expression) from None


def _versioned(resource) -> str:
    return f"{resource.__resource_type__}/{resource.id}/_history/{resource.meta.versionId}"


def _referral(user, pk):
    return visible_or_404(task_queries.referrals(user), pk, user)


def _made(referral):
    """The referral just made or found, as its Tasks read it (the referrer may not track it)."""
    return task_queries.annotated(Referral.objects.filter(pk=referral.pk)).get()


def transaction(request, user) -> Answer:
    bundle = fhir_inbound.parse(request.body, allowed={"Bundle"})
    inbound = fhir_inbound.from_bundle(bundle, user=user)
    referral, created = _make(request, user, inbound)
    task = fhir_referrals.referral_task(_made(referral))
    status = "201 Created" if created else "200 OK"
    kept = {
        "Patient": f"Patient/{referral.person_id}",
        "ServiceRequest": f"ServiceRequest/{referral.pk}",
    }
    prefer = fhir_http.return_preference(request)
    entries = []
    # One response per request entry, in order; entries Linkwell does not keep (a Condition,
    # say) answer 200 with no location. The Task that fulfils the referral comes last.
    for entry in bundle.entry:
        location = kept.get(entry.resource.__resource_type__ if entry.resource else "")
        entries.append(
            fhir_http.entry(
                None, status=status if location else "200 OK", location=location, prefer=prefer
            )
        )
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
    referral, created = _make(request, user, inbound)
    written = _service_request(_made(referral))
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
    """Staff of the person's PCN read the record. A referrer reads the person only as their
    own organisation last described them on a referral, never the record: it may hold more
    than they know, or, after a mistyped NHS number, be someone else."""
    records = Person.objects.visible_to(user)
    reachable = Q(pk__in=records.values("pk")) | Q(pk__in=queries.referred_people(user))
    person = visible_or_404(Person.objects.filter(reachable), pk, user)
    if records.filter(pk=person.pk).exists():
        return fhir_referrals.patient(person)
    return fhir_referrals.patient(queries.as_referred(user, person_id=person.pk))


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
