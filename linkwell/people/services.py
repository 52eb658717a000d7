"""Registering and finding people."""

from dataclasses import asdict, dataclass
from datetime import date

from django.db import IntegrityError, transaction

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, Organisation

from .duplicates import same_person
from .identifiers import normalise_name, normalise_nhs_number, normalise_postcode
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

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def normalised(self) -> "PersonDetails":
        """The details as they are stored (see `_normalised`)."""
        return PersonDetails(**_normalised(asdict(self)))

    def as_json(self) -> dict:
        values = asdict(self)
        # str() is ISO 8601 for a date, and keeps an ISO string a caller passed as it is.
        values["date_of_birth"] = str(self.date_of_birth) if self.date_of_birth else None
        return values

    @classmethod
    def from_json(cls, values: dict) -> "PersonDetails":
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        born = known.get("date_of_birth")
        known["date_of_birth"] = date.fromisoformat(born) if born else None
        known.setdefault("given_name", "")
        known.setdefault("family_name", "")
        return cls(**known)


@write_guard.service
@transaction.atomic
def register_person(*, pcn: Organisation, details: PersonDetails, by) -> tuple[Person, bool]:
    """The PCN's record for this person: the one holding the same NHS number if it describes
    the same person (date of birth and name), else a new one.

    An NHS number already on a record with a different name or date of birth is a possible
    mismatch: the new record keeps it apart in `referred_nhs_number` and the case pages of
    both warn (`duplicates.likely_duplicates`). The referrer's details never touch the other
    record. Returns (person, created). Raises ValidationError with field messages.
    """
    values = asdict(details.normalised())
    nhs_number = values["nhs_number"]
    for _attempt in range(2):
        existing = (
            Person.objects.select_for_update()
            .filter(organisation=pcn, nhs_number=nhs_number)
            .first()
            if nhs_number
            else None
        )
        if existing is not None:
            if same_person(
                existing,
                given_name=values["given_name"],
                family_name=values["family_name"],
                date_of_birth=values["date_of_birth"],
            ):
                return existing, False
            values.update(nhs_number="", referred_nhs_number=nhs_number)
        person = Person(organisation=pcn, **values)
        person.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            # Another request registered the same NHS number a moment ago: compare with it.
            continue
        mismatch = {"possible_mismatch_with": existing.pk} if existing is not None else {}
        audit.record(
            user=by, action=AuditAction.CREATE, obj=person, person_id=person.pk, **mismatch
        )
        return person, True
    raise IntegrityError(f"Could not register a person with NHS number {nhs_number} in {pcn}.")


def _normalised(values: dict) -> dict:
    """Details as stored: names in NFC without control or format characters (which would
    defeat duplicate detection), NHS number without spaces, postcode spaced, ODS code upper
    case. Takes some or all of a person's fields."""
    values = dict(values)
    for name in ("given_name", "family_name"):
        if name in values:
            values[name] = normalise_name(values[name], field=name)
    if "nhs_number" in values:
        values["nhs_number"] = normalise_nhs_number(values["nhs_number"])
    if "postcode" in values:
        values["postcode"] = normalise_postcode(values["postcode"]) if values["postcode"] else ""
    if "gp_practice_code" in values:
        values["gp_practice_code"] = values["gp_practice_code"].strip().upper()
    return values


def check_details(**values) -> None:
    """Check some of a person's details against every rule `register_person` applies, raising
    one ValidationError naming each field that fails, so a form shows them all in one round."""
    values = _normalised(values)
    exclude = [f.name for f in Person._meta.fields if f.name not in values]
    Person(**values).full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@write_guard.service
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
