"""A GP system's referral as FHIR (a transaction Bundle with Patient + ServiceRequest, or a
ServiceRequest naming a known Patient) → the arguments of `linkwell.cases.services.make_referral`.

Translation only; every refusal is a FhirProblem naming the element (FHIRPath `expression`),
e.g. `Bundle.entry[0].resource.birthDate`. Structure is checked with fhir.resources' R4B models
(which accept every Gravity SDOH Clinical Care R4 example); the required-binding codes those
models leave unchecked (status, intent) are checked here.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError as ModelError

from linkwell.accounts.access import record_id
from linkwell.cases import queries
from linkwell.cases.models import Referral, Urgency, referral_named_by
from linkwell.cases.needs import Need
from linkwell.cases.services import fingerprint
from linkwell.people.identifiers import normalise_nhs_number, validate_nhs_number
from linkwell.people.models import ContactMethod, Person
from linkwell.people.services import PersonDetails

from . import snomed_reasons
from .fhir_referrals import NEED_SYSTEM, NHS_NUMBER, ODS_CODE

# The NHS number's identifier system before UK Core (NHS Digital's DSTU2 CareConnect/Spine
# profiles), still sent by older GP systems: read as the NHS number, kept as UK Core's.
LEGACY_NHS_NUMBER = "http://fhir.nhs.net/Id/nhs-number"
NHS_NUMBER_SYSTEMS = {NHS_NUMBER, LEGACY_NHS_NUMBER}
# The ServiceRequest elements kept as the referrer's system sent them and given back on read.
KEPT = ("identifier", "category", "code", "reasonCode", "priority", "note")

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


TOO_DEEP = "The body nests too deeply to be a FHIR resource."


def parse(body: bytes, *, allowed: set[str]):
    """Parse and validate one resource of an allowed type, or raise FhirProblem."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise FhirProblem("The body is not JSON.", "", status=400, code="structure") from None
    except RecursionError:  # [[[[…]]]] nested deeper than Python's parser goes
        raise FhirProblem(TOO_DEEP, "", status=400, code="structure") from None
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind not in allowed:
        raise FhirProblem(f"Send a {' or '.join(sorted(allowed))}.", "resourceType")
    try:
        return get_fhir_model_class(kind).model_validate(data)
    except ModelError as e:
        first = e.errors()[0]
        raise FhirProblem(f"{first['msg']}.", _path(kind, first["loc"]), code="structure") from None
    except RecursionError:
        raise FhirProblem(TOO_DEEP, kind, status=400, code="structure") from None


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
    identifier: str  # the ServiceRequest's first identifier, system|value: one referral each
    pcn_code: str = ""
    service_id: str = ""
    paths: dict[str, str] = field(default_factory=dict)
    referrer_name: str = ""  # ServiceRequest.requester: PRSB "Referrer details"
    referrer_contact: str = ""
    submitted_request: dict = field(default_factory=dict)  # KEPT, as sent
    idempotency_key: str = ""  # the Idempotency-Key header, as on the JSON API
    # FHIR conditional create: the query (If-None-Exist, or the entry's request.ifNoneExist)
    if_none_exist: str = ""
    if_none_exist_path: str = "If-None-Exist"
    # A transaction's entries: what each was read as (ROLES), in order, for its response
    entries: list[str] = field(default_factory=list)

    def arguments(self) -> dict:
        content = self._content()
        return {
            **content,
            "person": self.person,  # as make_referral takes it (the content has it as JSON)
            "idempotency_key": self.idempotency_key,
            "identifier": self.identifier,
            # What makes the referral, however it was sent (JSON or XML, a transaction or a
            # ServiceRequest, any fullUrls): a re-post of the same is a retry.
            "request_fingerprint": fingerprint(content),
        }

    def _content(self) -> dict:
        return {
            "person": self.person.as_json(),
            "reasons": self.reasons,
            # Sending the order is the referrer's confirmation of consent, as on the form.
            "consent_given": True,
            "urgency": self.urgency,
            "details": self.details,
            "pcn_code": self.pcn_code,
            "suggested_service": self.service_id,
            "referrer_name": self.referrer_name,
            "referrer_contact": self.referrer_contact,
            "submitted_request": self.submitted_request,
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
        if identifier.system in NHS_NUMBER_SYSTEMS:
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
    """A Patient the caller has referred before: an NHS number identifier, `Patient/<id>` of a
    record (the PCN's staff) or `Patient/referral-<id>`, the person as one of the caller's
    referrals described them (the id a referrer is given).

    Staff of the person's PCN refer from the record; anyone else from the details they sent
    themselves, never the record (which may hold more than they know).
    """
    records = Person.objects.visible_to(user)
    if reference.identifier is not None and reference.identifier.system in NHS_NUMBER_SYSTEMS:
        nhs = normalise_nhs_number(reference.identifier.value)
        _check_nhs_number(nhs, f"{root}.subject.identifier.value")
        record = records.filter(nhs_number=nhs).first()
        described = None if record else queries.as_referred(user, nhs_number=nhs)
    else:
        kind, _, pk = (reference.reference or "").partition("/")
        named = referral_named_by(pk) if kind == "Patient" else None
        if named is not None:  # Patient/referral-<id>: as that referral described them
            referral = Referral.objects.visible_to(user).filter(pk=record_id(named)).first()
            wanted = referral.person_id if referral else None
        else:
            referral = None
            wanted = record_id(pk) if kind == "Patient" else None
        record = records.filter(pk=wanted).first() if wanted is not None else None
        described = referral.as_referred if referral and not record else None
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


def _linkwell_needs(concept) -> list[str]:
    """Needs a concept names in Linkwell's, Gravity's SDOH or SNOMED CT codes."""
    codes = snomed_reasons.needs(concept)
    for coding in concept.coding or []:
        if coding.system == NEED_SYSTEM and coding.code in Need.values:
            codes.append(coding.code)
        elif coding.system == SDOHCC and coding.code in SDOH_NEEDS:
            codes.append(SDOH_NEEDS[coding.code])
    return codes


def _reasons(request, root: str, conditions=()) -> list[str]:
    """From the request's code (a referral to physical activity, say), categories, coded
    reasons and the Conditions in the Bundle it gives as reasonReference."""
    codes = []
    concepts = [request.code, *(request.category or []), *(request.reasonCode or [])]
    for concept in [*concepts, *(c.code for c in conditions)]:
        if concept is not None:
            codes += _linkwell_needs(concept)
    if not codes and (request.reasonCode or request.reasonReference):
        codes.append(Need.OTHER)  # a reason we cannot map is still a reason: the text says it
    if not codes:
        raise FhirProblem("Give the reason for the referral.", f"{root}.reasonCode")
    return list(dict.fromkeys(codes))


def _social_prescribing(request, root: str) -> None:
    """Refuse an order for something other than social prescribing (a CT scan, an ECG): its
    code must be on snomed_reasons' accept-list or a Linkwell need, unless its category says
    social care (Gravity SDOH requests, coded in a national extension). A request without a
    code is judged by its category, then by its reasons."""
    social = any(
        snomed_reasons.is_social_service(c) or _linkwell_needs(c) for c in request.category or []
    )
    code = request.code
    if code is not None and code.coding:
        if social or snomed_reasons.is_social_prescribing(code) or _linkwell_needs(code):
            return
        named = code.text or code.coding[0].display or code.coding[0].code
        raise FhirProblem(
            f"Linkwell takes social prescribing referrals only, not {named!r}: code the request "
            "SNOMED CT 871731000000106 |Referral to social prescribing service|.",
            f"{root}.code",
        )
    coded = [c for c in request.category or [] if c.coding]
    if coded and not social:
        named = coded[0].text or coded[0].coding[0].display or coded[0].coding[0].code
        raise FhirProblem(
            f"Linkwell takes social prescribing referrals only, not {named!r}.",
            f"{root}.category",
        )


def _kept(request) -> dict:
    """The elements KEPT, as the referrer's system sent them."""
    sent = json.loads(request.model_dump_json(exclude_none=True))
    return {name: sent[name] for name in KEPT if name in sent}


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


REQUESTERS = {"Practitioner", "PractitionerRole"}


def _requester(request, bundle=None) -> tuple[str, str]:
    """(name, contact) of who referred: ServiceRequest.requester, resolved to a Practitioner
    or PractitionerRole in the Bundle (by fullUrl or type/id) or contained (#id), its first
    phone or email telecom (PRSB "Referrer details: contact details"); else its display."""
    if request.requester is None:
        return "", ""
    reference = request.requester.reference or ""
    found = _entry_for(bundle, reference, REQUESTERS)[1] if bundle else None
    contained = [c for c in request.contained or [] if c.__resource_type__ in REQUESTERS]
    found = found or next((c for c in contained if reference == f"#{c.id}"), None)
    name = request.requester.display or ""
    if found is not None and found.__resource_type__ == "Practitioner" and found.name:
        first = found.name[0]
        name = first.text or " ".join([*(first.given or []), first.family or ""]).strip() or name
    telecom = [t for t in (getattr(found, "telecom", None) or []) if t.value]
    usable = [t for t in telecom if t.system in {"phone", "email"}] or telecom
    return name[:200], (usable[0].value if usable else "")[:200]


def from_service_request(
    request,
    *,
    root: str,
    user,
    person: PersonDetails | None,
    paths=None,
    bundle=None,
    conditions=(),
):
    if request.status not in REFERRABLE_STATUS:
        raise FhirProblem("Only an active ServiceRequest can be a new referral.", f"{root}.status")
    if request.intent not in REFERRABLE_INTENT:
        raise FhirProblem("The ServiceRequest must be an order.", f"{root}.intent")
    _social_prescribing(request, root)
    if person is None:
        person = _known_person(request.subject, root, user)
    paths = dict(paths or {})
    paths.update(
        {
            "reasons": f"{root}.reasonCode",
            "details": f"{root}.note",
            "identifier": f"{root}.identifier",
            "Idempotency-Key": "Idempotency-Key",  # the header
            "__all__": root,
        }
    )
    pcn_code, service_id = _performers(request, root, paths)
    identifier = (request.identifier or [None])[0]
    referrer_name, referrer_contact = _requester(request, bundle)
    return Inbound(
        person=person,
        reasons=_reasons(request, root, conditions),
        urgency=Urgency.URGENT if request.priority in URGENT else Urgency.ROUTINE,
        details="\n".join(n.text for n in request.note or [] if n.text),
        identifier=f"{identifier.system or ''}|{identifier.value}"[:100] if identifier else "",
        pcn_code=pcn_code,
        service_id=service_id[:100],
        paths=paths,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
        submitted_request=_kept(request),
    )


def _entry_for(bundle, reference: str, kinds: set[str]):
    """(index, resource) of the entry of one of these types a reference points to: by fullUrl,
    or `Type/<id>`; (None, None) when there is none."""
    for i, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is None or resource.__resource_type__ not in kinds:
            continue
        if reference and reference in (
            entry.fullUrl,
            f"{resource.__resource_type__}/{resource.id}",
        ):
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


def _only_creates(bundle) -> None:
    """A transaction is all or nothing: an entry Linkwell would not carry out (a DELETE, an
    update, a read) refuses the whole Bundle rather than being skipped."""
    for i, entry in enumerate(bundle.entry or []):
        if entry.request is None:
            raise FhirProblem(
                "Each entry of a transaction needs its request (method POST).",
                f"Bundle.entry[{i}].request",
            )
        if entry.request.method != "POST":
            raise FhirProblem(
                f"A referral is made by POSTing its resources, not by {entry.request.method}: "
                "nothing in this transaction was done.",
                f"Bundle.entry[{i}].request.method",
            )


# What each entry of a referral Bundle is read as; anything else refuses the transaction.
ROLES = {
    "Patient": "subject",
    "ServiceRequest": "referral",
    "Condition": "reason",
    "Practitioner": "requester",
    "PractitionerRole": "requester",
    "Consent": "consent",
}


def _roles(bundle, used: dict[int, str]) -> list[str]:
    """Each entry's role; an entry the referral does not use (a Patient it is not for, a
    Condition it does not give as its reason, an Encounter) refuses the whole transaction, as
    answering it "done" would be untrue."""
    roles = []
    for i, entry in enumerate(bundle.entry or []):
        kind = entry.resource.__resource_type__ if entry.resource else "entry"
        if kind == "Consent":
            used[i] = ROLES[kind]
        if i not in used:
            raise FhirProblem(
                f"Linkwell makes a referral of the Patient, one ServiceRequest and the "
                f"Condition, Practitioner, PractitionerRole or Consent it refers to; it would "
                f"not use this {kind}: leave it out (nothing in this transaction was done).",
                f"Bundle.entry[{i}]",
            )
        roles.append(used[i])
    return roles


def from_bundle(bundle, *, user) -> Inbound:
    """A transaction Bundle with one ServiceRequest and, usually, its Patient."""
    if bundle.type != "transaction":
        raise FhirProblem("Send a transaction Bundle.", "Bundle.type")
    _only_creates(bundle)
    requests = [
        (i, e.resource)
        for i, e in enumerate(bundle.entry or [])
        if e.resource is not None and e.resource.__resource_type__ == "ServiceRequest"
    ]
    if len(requests) != 1:
        raise FhirProblem("Send exactly one ServiceRequest.", "Bundle.entry")
    i, request = requests[0]
    root = f"Bundle.entry[{i}].resource"
    used = {i: ROLES["ServiceRequest"]}
    reference = request.subject.reference or "" if request.subject else ""
    k, patient = _entry_for(bundle, reference, {"Patient"})
    paths: dict[str, str] = {}
    person = None
    if patient is not None:
        used[k] = ROLES["Patient"]
        person = _patient_details(patient, f"Bundle.entry[{k}].resource", paths)
        _check_patient_condition(bundle.entry[k].request.ifNoneExist, k)
        _refused_consent(bundle)
    conditions = []
    for reason in request.reasonReference or []:
        j, condition = _entry_for(bundle, reason.reference, {"Condition"})
        if condition is not None:
            used[j] = ROLES["Condition"]
            conditions.append(condition)
    if request.requester is not None:
        j, _ = _entry_for(bundle, request.requester.reference, REQUESTERS)
        if j is not None:
            used[j] = "requester"
    roles = _roles(bundle, used)
    inbound = from_service_request(
        request,
        root=root,
        user=user,
        person=person,
        paths=paths,
        bundle=bundle,
        conditions=conditions,
    )
    inbound.entries = roles
    inbound.if_none_exist = bundle.entry[i].request.ifNoneExist or ""
    inbound.if_none_exist_path = f"Bundle.entry[{i}].request.ifNoneExist"
    return inbound


def _check_patient_condition(query: str | None, k: int) -> None:
    """A Patient entry's ifNoneExist: Linkwell always reuses the PCN's record holding the same
    NHS number (when it describes the same person), so a query by NHS number is honoured as
    asked; one by anything else cannot be, and is refused rather than ignored."""
    if not query:
        return
    system = identifier_query(query, f"Bundle.entry[{k}].request.ifNoneExist")[0]
    if system not in NHS_NUMBER_SYSTEMS:
        raise FhirProblem(
            "Linkwell finds an existing patient by NHS number only: use "
            f"identifier={NHS_NUMBER}|<NHS number>, or leave ifNoneExist out.",
            f"Bundle.entry[{k}].request.ifNoneExist",
            status=400,
            code="not-supported",
        )


def identifier_query(query: str, expression: str) -> tuple[str | None, str]:
    """(system, value) of a conditional create's `identifier=[system|]value` query (system None
    when not given: any system). Linkwell matches by identifier only: another parameter is
    refused (400), as FHIR allows, rather than ignored."""
    query = query.partition("?")[2] if "?" in query else query  # ifNoneExist: after the "?"
    pairs = parse_qsl(query, keep_blank_values=True)
    if len(pairs) != 1 or pairs[0][0] != "identifier" or not pairs[0][1]:
        raise FhirProblem(
            "Linkwell's conditional create takes one parameter, identifier=[system|]value.",
            expression,
            status=400,
            code="not-supported",
        )
    token = pairs[0][1]
    if "|" not in token:
        return None, token
    system, _, value = token.partition("|")
    return system, value
