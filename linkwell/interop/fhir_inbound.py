"""A GP system's referral as FHIR (a transaction Bundle with Patient + ServiceRequest, or a
ServiceRequest naming a known Patient) → the arguments of `linkwell.cases.services.make_referral`.

Translation only; every refusal is a FhirProblem naming the element (FHIRPath `expression`),
e.g. `Bundle.entry[0].resource.birthDate`. Structure is checked with fhir.resources' R4B models
(which accept every Gravity SDOH Clinical Care R4 example); the required-binding codes those
models leave unchecked (status, intent) are checked here.
"""

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError as ModelError

from linkwell.cases import queries
from linkwell.cases.models import Urgency
from linkwell.cases.needs import Need
from linkwell.people.identifiers import normalise_nhs_number, validate_nhs_number
from linkwell.people.models import ContactMethod, Person
from linkwell.people.services import PersonDetails

from .fhir_referrals import NEED_SYSTEM, NHS_NUMBER, ODS_CODE

# SDOH categories of the Gravity SDOH Clinical Care IG (ValueSet SDOHCC-ValueSetSDOHCategory,
# IG v2.3.0), as used in ServiceRequest.category → the nearest Linkwell need.
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
SDOH_NEEDS = {
    "food-insecurity": Need.FOOD,
    "housing-instability": Need.HOUSING,
    "homelessness": Need.HOUSING,
    "inadequate-housing": Need.HOUSING,
    "transportation-insecurity": Need.TRANSPORT,
    "financial-insecurity": Need.MONEY,
    "material-hardship": Need.MONEY,
    "medical-cost-burden": Need.MONEY,
    "employment-status": Need.WORK,
    "educational-attainment": Need.WORK,
    "social-connection": Need.LONELINESS,
    "stress": Need.MENTAL_WELLBEING,
    "utility-insecurity": Need.FUEL,
    "digital-literacy": Need.DIGITAL,
    "digital-access": Need.DIGITAL,
}
# ServiceRequest.status and .intent are required bindings (FHIR R4 ServiceRequest): a new
# referral is an active order.
REFERRABLE_STATUS = {"active"}
REFERRABLE_INTENT = {"order", "original-order"}
URGENT = {"urgent", "asap", "stat"}
SEX = {"male": "1", "female": "2", "other": "9", "unknown": "X"}


class FhirProblem(Exception):
    """A refusal with the element it concerns; `status` is the HTTP status to answer."""

    def __init__(self, message: str, expression: str, *, status: int = 422, code="invalid"):
        super().__init__(message)
        self.message, self.expression, self.status, self.code = message, expression, status, code


def _path(root: str, loc) -> str:
    out = root
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse(body: bytes, *, allowed: set[str]):
    """Parse and validate one resource of an allowed type, or raise FhirProblem."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise FhirProblem("The body is not JSON.", "", status=400, code="structure") from None
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in allowed:
        raise FhirProblem(f"Send a {' or '.join(sorted(allowed))}.", "resourceType")
    try:
        return get_fhir_model_class(kind).model_validate(data)
    except ModelError as e:
        first = e.errors()[0]
        raise FhirProblem(f"{first['msg']}.", _path(kind, first["loc"]), code="structure") from None


@dataclass
class Inbound:
    """The arguments of make_referral, plus where each came from (for error paths).

    Only translation: which PCN, which source and whether a suggested service exists are
    decided by make_referral, the one door shared with the form and the JSON API.
    """

    person: PersonDetails
    reasons: list[str]
    urgency: str
    details: str
    idempotency_key: str
    pcn_code: str = ""
    service_id: str = ""
    paths: dict[str, str] = field(default_factory=dict)
    referrer_name: str = ""  # ServiceRequest.requester: PRSB "Referrer details"
    referrer_contact: str = ""

    def arguments(self) -> dict:
        return {
            "person": self.person,
            "reasons": self.reasons,
            # Sending the order is the referrer's confirmation of consent, as on the form.
            "consent_given": True,
            "urgency": self.urgency,
            "details": self.details,
            "idempotency_key": self.idempotency_key,
            "pcn_code": self.pcn_code,
            "suggested_service": self.service_id,
            "referrer_name": self.referrer_name,
            "referrer_contact": self.referrer_contact,
        }

    def expression(self, error: ValidationError) -> tuple[str, str]:
        name, messages = next(iter(error.message_dict.items()))
        return messages[0], self.paths.get(name, self.paths["__all__"])


def _current(items):
    """The entry in use now: one whose period has no end, else the first."""
    items = list(items or [])
    for item in items:
        period = getattr(item, "period", None)
        if period is None or period.end is None:
            return items.index(item), item
    return (0, items[0]) if items else (None, None)


def _patient_details(patient, root: str, paths: dict) -> PersonDetails:
    i, name = _current(patient.name)
    if name is None or not name.family or not name.given:
        raise FhirProblem("Give the person's family and given names.", f"{root}.name")
    if patient.birthDate is None:
        raise FhirProblem("Give the person's date of birth.", f"{root}.birthDate")
    nhs = ""
    for k, identifier in enumerate(patient.identifier or []):
        if identifier.system == NHS_NUMBER:
            nhs = normalise_nhs_number(identifier.value)
            paths["person.nhs_number"] = f"{root}.identifier[{k}].value"
            _check_nhs_number(nhs, paths["person.nhs_number"])
    phones = [t for t in patient.telecom or [] if t.system in ("phone", "sms")]
    emails = [t for t in patient.telecom or [] if t.system == "email"]
    phone = _current(phones)[1]
    email = _current(emails)[1]
    postcode = lines = ""
    k, address = _current(patient.address)
    if address is not None and (address.country or "GB").upper() in {"GB", "UK", "GBR"}:
        postcode = address.postalCode or ""
        # UK Core: line[] then city; kept as lines, as the standard's address is free text.
        lines = "\n".join([*(address.line or []), *([address.city] if address.city else [])])
        paths["person.postcode"] = f"{root}.address[{k}].postalCode"
        paths["person.address"] = f"{root}.address[{k}].line"
    practice = ""
    for k, reference in enumerate(patient.generalPractitioner or []):
        # UK Core: the registered practice as an Organization identified by its ODS code.
        if reference.identifier is not None and reference.identifier.system == ODS_CODE:
            practice = (reference.identifier.value or "").strip().upper()
            paths["person.gp_practice_code"] = f"{root}.generalPractitioner[{k}].identifier.value"
            break
    paths.update(
        {
            "person.given_name": f"{root}.name[{i}].given",
            "person.family_name": f"{root}.name[{i}].family",
            "person.date_of_birth": f"{root}.birthDate",
            "person.phone": f"{root}.telecom",
            "person.email": f"{root}.telecom",
        }
    )
    return PersonDetails(
        given_name=name.given[0],
        family_name=name.family,
        date_of_birth=patient.birthDate,
        nhs_number=nhs,
        sex=SEX.get(patient.gender or "unknown", "X"),
        address=lines,
        postcode=postcode,
        gp_practice_code=practice,
        phone=phone.value if phone else "",
        email=email.value if email else "",
        preferred_contact=ContactMethod.PHONE
        if phone
        else ContactMethod.EMAIL
        if email
        else ContactMethod.LETTER,
    )


def _check_nhs_number(value: str, expression: str) -> None:
    try:
        validate_nhs_number(value)
    except ValidationError as e:
        raise FhirProblem(e.messages[0], expression) from None


def _known_person(reference, root: str, user) -> PersonDetails:
    """A Patient the caller has referred before: `Patient/<id>` or an NHS number identifier.

    Staff of the person's PCN refer from the record; anyone else from the details they sent
    themselves last time, never the record (which may hold more than they know).
    """
    if reference.identifier is not None and reference.identifier.system == NHS_NUMBER:
        nhs = normalise_nhs_number(reference.identifier.value)
        _check_nhs_number(nhs, f"{root}.subject.identifier.value")
        record = Person.objects.visible_to(user).filter(nhs_number=nhs).first()
        described = None if record else queries.as_referred(user, nhs_number=nhs)
    else:
        kind, _, pk = (reference.reference or "").partition("/")
        known = kind == "Patient" and pk.isdigit()
        record = Person.objects.visible_to(user).filter(pk=int(pk)).first() if known else None
        described = queries.as_referred(user, person_id=int(pk)) if known and not record else None
    if record is not None:
        return PersonDetails(
            **{
                f: getattr(record, f)
                for f in PersonDetails.__dataclass_fields__  # noqa: SIM118 — a dataclass
            }
        )
    if described is None:
        raise FhirProblem(
            "Linkwell holds no such patient for you: send the Patient in a transaction Bundle.",
            f"{root}.subject",
        )
    return PersonDetails.from_json(described.as_json())


def _reasons(request, root: str) -> list[str]:
    codes = []
    for concept in [*(request.category or []), *(request.reasonCode or [])]:
        for coding in concept.coding or []:
            if coding.system == NEED_SYSTEM and coding.code in Need.values:
                codes.append(coding.code)
            elif coding.system == SDOHCC and coding.code in SDOH_NEEDS:
                codes.append(SDOH_NEEDS[coding.code])
    if not codes and (request.reasonCode or request.reasonReference):
        codes.append(Need.OTHER)  # a reason we cannot map is still a reason: the text says it
    if not codes:
        raise FhirProblem("Give the reason for the referral.", f"{root}.reasonCode")
    return list(dict.fromkeys(codes))


def _performers(request, root: str, paths: dict) -> tuple[str, str]:
    """The PCN (performer identified by its ODS code) and a directory service the referrer
    suggests (performer `HealthcareService/<id>`), with their element paths."""
    pcn_code = service_id = ""
    paths["pcn"] = f"{root}.performer"
    for k, performer in enumerate(request.performer or []):
        identifier = performer.identifier
        kind, _, pk = (performer.reference or "").partition("/")
        if not pcn_code and identifier is not None and identifier.system == ODS_CODE:
            pcn_code = identifier.value or ""
            paths["pcn"] = f"{root}.performer[{k}]"
        elif not service_id and kind == "HealthcareService":
            service_id = pk
            paths["service"] = f"{root}.performer[{k}]"
    return pcn_code, service_id


def _requester(request, bundle=None) -> tuple[str, str]:
    """(name, contact) of who referred: ServiceRequest.requester, resolved to a Practitioner
    or PractitionerRole in the Bundle (by fullUrl or type/id) or contained (#id), its first
    phone or email telecom (PRSB "Referrer details: contact details"); else its display."""
    if request.requester is None:
        return "", ""
    reference = request.requester.reference or ""
    candidates = [(e.fullUrl, e.resource) for e in (bundle.entry or [])] if bundle else []
    candidates += [(f"#{c.id}", c) for c in request.contained or []]
    found = next(
        (
            r
            for url, r in candidates
            if r is not None
            and r.__resource_type__ in {"Practitioner", "PractitionerRole"}
            and reference in (url, f"{r.__resource_type__}/{r.id}")
        ),
        None,
    )
    name = request.requester.display or ""
    if found is not None and found.__resource_type__ == "Practitioner" and found.name:
        first = found.name[0]
        name = first.text or " ".join([*(first.given or []), first.family or ""]).strip() or name
    telecom = [t for t in (getattr(found, "telecom", None) or []) if t.value]
    usable = [t for t in telecom if t.system in {"phone", "email"}] or telecom
    return name[:200], (usable[0].value if usable else "")[:200]


def from_service_request(
    request, *, root: str, user, person: PersonDetails | None, paths=None, bundle=None
):
    if request.status not in REFERRABLE_STATUS:
        raise FhirProblem("Only an active ServiceRequest can be a new referral.", f"{root}.status")
    if request.intent not in REFERRABLE_INTENT:
        raise FhirProblem("The ServiceRequest must be an order.", f"{root}.intent")
    if person is None:
        person = _known_person(request.subject, root, user)
    paths = dict(paths or {})
    paths.update({"reasons": f"{root}.reasonCode", "details": f"{root}.note", "__all__": root})
    pcn_code, service_id = _performers(request, root, paths)
    identifier = (request.identifier or [None])[0]
    referrer_name, referrer_contact = _requester(request, bundle)
    return Inbound(
        person=person,
        reasons=_reasons(request, root),
        urgency=Urgency.URGENT if request.priority in URGENT else Urgency.ROUTINE,
        details="\n".join(n.text for n in request.note or [] if n.text),
        idempotency_key=f"{identifier.system or ''}|{identifier.value}"[:100] if identifier else "",
        pcn_code=pcn_code,
        service_id=service_id[:100],
        paths=paths,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
    )


def _subject_entry(bundle, reference: str):
    """The Patient entry a reference points to: by fullUrl, or `Patient/<id>` by id."""
    for i, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is None or resource.__resource_type__ != "Patient":
            continue
        if reference in (entry.fullUrl, f"Patient/{resource.id}"):
            return i, resource
    return None, None


def _refused_consent(bundle) -> None:
    for i, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is not None and resource.__resource_type__ == "Consent":
            denied = resource.provision is not None and resource.provision.type == "deny"
            if resource.status == "rejected" or denied:
                raise FhirProblem(
                    "The person has not agreed to the referral.",
                    f"Bundle.entry[{i}].resource.status",
                )


def from_bundle(bundle, *, user) -> Inbound:
    """A transaction Bundle with one ServiceRequest and, usually, its Patient."""
    if bundle.type != "transaction":
        raise FhirProblem("Send a transaction Bundle.", "Bundle.type")
    requests = [
        (i, e.resource)
        for i, e in enumerate(bundle.entry or [])
        if e.resource is not None and e.resource.__resource_type__ == "ServiceRequest"
    ]
    if len(requests) != 1:
        raise FhirProblem("Send exactly one ServiceRequest.", "Bundle.entry")
    i, request = requests[0]
    root = f"Bundle.entry[{i}].resource"
    reference = request.subject.reference or "" if request.subject else ""
    k, patient = _subject_entry(bundle, reference)
    paths: dict[str, str] = {}
    person = None
    if patient is not None:
        person = _patient_details(patient, f"Bundle.entry[{k}].resource", paths)
        _refused_consent(bundle)
    return from_service_request(
        request, root=root, user=user, person=person, paths=paths, bundle=bundle
    )
