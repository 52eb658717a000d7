"""Registering and finding people."""

from dataclasses import asdict, dataclass
from datetime import date

from django.db import IntegrityError, transaction

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, Organisation

from .identifiers import normalise_nhs_number, normalise_postcode
from .models import Consent, Person


@dataclass
class PersonDetails:
    given_name: str
    family_name: str
    date_of_birth: date
    nhs_number: str = ""
    sex: str = "X"
    gender_identity: str = ""
    ethnicity: str = "Z"
    address: str = ""
    postcode: str = ""
    gp_practice_code: str = ""
    phone: str = ""
    email: str = ""
    preferred_contact: str = "phone"
    preferred_language: str = "English"
    interpreter_needed: bool = False
    accessibility_needs: str = ""


@write_guard.service
@transaction.atomic
def register_person(*, pcn: Organisation, details: PersonDetails, by) -> tuple[Person, bool]:
    """The PCN's record for this person: the existing one with the same NHS number, or a new one.

    Returns (person, created). Raises ValidationError with field messages for bad details.
    """
    values = asdict(details)
    values["nhs_number"] = normalise_nhs_number(values["nhs_number"])
    values["postcode"] = normalise_postcode(values["postcode"]) if values["postcode"] else ""
    values["gp_practice_code"] = values["gp_practice_code"].strip().upper()
    if values["nhs_number"]:
        existing = (
            Person.objects.select_for_update()
            .filter(organisation=pcn, nhs_number=values["nhs_number"])
            .first()
        )
        if existing is not None:
            return existing, False
    person = Person(organisation=pcn, **values)
    person.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Another request registered the same NHS number a moment ago: use that record.
        return Person.objects.get(organisation=pcn, nhs_number=values["nhs_number"]), False
    audit.record(user=by, action=AuditAction.CREATE, obj=person, person_id=person.pk)
    return person, True


def record_viewed(*, person: Person, by, via: str) -> None:
    audit.record(user=by, action=AuditAction.VIEW, obj=person, person_id=person.pk, via=via)


@transaction.atomic
def record_consent(*, person: Person, scope: str, given: bool, by, method: str = "") -> Consent:
    consent = Consent.objects.create(
        person=person,
        scope=scope,
        given=given,
        method=method,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    audit.record(
        user=by,
        action=AuditAction.CREATE,
        obj=consent,
        person_id=person.pk,
        scope=scope,
        given=given,
    )
    return consent
