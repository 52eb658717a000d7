"""What the people app holds about a person, for subject access and erasure."""

from django.utils import timezone

from .models import Consent, Person

ERASED_NAME = ("Erased", "record")


def sections(person: Person) -> dict[str, list[dict]]:
    details = {
        "NHS number": person.nhs_number_display,
        "NHS number given at referral, to check": person.referred_nhs_number,
        "First name": person.given_name,
        "Last name": person.family_name,
        "Date of birth": person.date_of_birth.isoformat(),
        "Sex": person.get_sex_display(),
        "Gender identity": person.gender_identity,
        "Ethnicity": person.get_ethnicity_display(),
        "Address": person.address,
        "Postcode": person.postcode,
        "GP practice (ODS code)": person.gp_practice_code,
        "Phone": person.phone,
        "Email": person.email,
        "Preferred contact": person.get_preferred_contact_display(),
        "Preferred language": person.preferred_language,
        "Needs an interpreter": "Yes" if person.interpreter_needed else "No",
        "Accessibility needs": person.accessibility_needs,
        "Record created": person.created_at.isoformat(),
    }
    consents = [
        {
            "About": c.get_scope_display(),
            "Agreed": "Yes" if c.given else "No (withdrawn)",
            "When": c.recorded_at.isoformat(),
            "How": c.method,
        }
        for c in Consent.objects.filter(person=person)
    ]
    return {"Your details": [details], "What you agreed to": consents}


def erase(person: Person) -> None:
    """Remove what identifies the person; keep what reporting needs at low resolution.

    Kept: year of birth (as 1 July), sex, ethnicity and the postcode district, so counts by
    age band, sex, ethnicity and area stay right; consents (proof of lawful processing).
    """
    district = person.postcode.split(" ")[0] if person.postcode else ""
    Person.objects.filter(pk=person.pk).update(
        given_name=ERASED_NAME[0],
        family_name=ERASED_NAME[1],
        nhs_number="",
        referred_nhs_number="",
        date_of_birth=person.date_of_birth.replace(month=7, day=1),
        gender_identity="",
        address="",
        postcode=district,
        gp_practice_code="",
        phone="",
        email="",
        preferred_language="",
        accessibility_needs="",
        interpreter_needed=False,
        erased_at=timezone.now(),
    )
