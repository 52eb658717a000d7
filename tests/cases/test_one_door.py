"""One door for referrals (issue 16.1): the form, the JSON API and FHIR call the same
`make_referral`, so the same referral sent through each gives the same records and the same
audit entries."""

import json
from datetime import date

import pytest

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.cases.models import Referral
from linkwell.interop.fhir_referrals import NEED_SYSTEM, NHS_NUMBER
from tests.factories import PracticeFactory, user_with_role, valid_nhs_number

pytestmark = pytest.mark.django_db

PERSON = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": date(1945, 12, 10),
    "nhs_number": valid_nhs_number(21),
    "sex": "2",
    "address": "1 Park Row",
    "postcode": "LS1 5AB",
    "phone": "0113 496 0002",
}
DETAILS = "Widowed last year; would like company."


def by_form(client, gp):
    client.force_login(gp)
    # A link worker says where a referral came from; a referrer's form does not ask.
    source = {} if gp.memberships.get().role == Role.REFERRER else {"source": "other_agency"}
    dob = PERSON["date_of_birth"]
    form = {
        **{k: v for k, v in PERSON.items() if k != "date_of_birth"},
        "destination": "0",
        "dob_day": dob.day,
        "dob_month": dob.month,
        "dob_year": dob.year,
        "ethnicity": "Z",
        "preferred_contact": "phone",
        "preferred_language": "English",
        "reasons": ["loneliness"],
        "details": DETAILS,
        "urgency": "routine",
        "consent_given": "on",
        **source,
    }
    assert client.post("/referrals/new/", form).status_code == 302


def by_api(client, gp):
    body = {
        "person": {**PERSON, "date_of_birth": PERSON["date_of_birth"].isoformat()},
        "reasons": ["loneliness"],
        "details": DETAILS,
        "consent_given": True,
    }
    response = client.post(
        "/api/v1/referrals",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=gp)}",
    )
    assert response.status_code == 201, response.content


def by_fhir(client, gp):
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER, "value": PERSON["nhs_number"]}],
        "name": [{"family": PERSON["family_name"], "given": [PERSON["given_name"]]}],
        "gender": "female",
        "birthDate": PERSON["date_of_birth"].isoformat(),
        "telecom": [{"system": "phone", "value": PERSON["phone"]}],
        "address": [{"line": [PERSON["address"]], "postalCode": PERSON["postcode"]}],
    }
    request = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"},
        "reasonCode": [{"coding": [{"system": NEED_SYSTEM, "code": "loneliness"}]}],
        "note": [{"text": DETAILS}],
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{i}",
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
            for i, resource in ((1, patient), (2, request))
        ],
    }
    response = client.post(
        "/fhir/",
        json.dumps(bundle),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=gp)}",
    )
    assert response.status_code == 201, response.content


def outcome(referral: Referral, origin, gp) -> dict:
    """What a referral left behind, with ids and times taken out so edges can be compared."""
    person, case = referral.person, referral.case
    ids = {
        ("people.person", str(person.pk)): "the person",
        ("cases.referral", str(referral.pk)): "the referral",
    }
    ids.update({("people.consent", str(c.pk)): "its consent" for c in person.consents.all()})
    entries = AuditEntry.objects.filter(person_id=person.pk).order_by("pk")
    return {
        "referral": {
            "source": referral.source,
            "from the practice": referral.referring_organisation == origin,
            "to its PCN": referral.organisation == origin.pcn,
            "referred by the GP": referral.referred_by == gp,
            "referrer": (referral.referrer_name == gp.get_full_name(), referral.referrer_contact),
            "reasons": referral.reasons,
            "details": referral.details,
            "urgency": referral.urgency,
            "as referred": referral.submitted_person,
        },
        "person": {
            f: getattr(person, f) for f in (*PERSON, "ethnicity", "preferred_contact", "email")
        },
        "registered at the practice": person.gp_practice_code == origin.ods_code,
        "consents": [(c.scope, c.given, c.method) for c in person.consents.all()],
        "case": (case.status, [(e.from_status, e.to_status) for e in case.events.all()]),
        "audit": [
            (e.action, e.object_type, ids.get((e.object_type, e.object_id), "other"), e.detail)
            for e in entries
            if e.action != "view"
        ],
    }


@pytest.mark.parametrize("role", [Role.REFERRER, Role.LINK_WORKER])
def test_the_same_referral_by_form_api_and_fhir_leaves_the_same_records(client, role):
    seen = {}
    for edge, send in {"form": by_form, "api": by_api, "fhir": by_fhir}.items():
        practice = PracticeFactory()  # a PCN of its own, so each edge starts afresh
        origin = practice if role == Role.REFERRER else practice.parent
        user = user_with_role(role, origin, email="gp@example.org")
        send(client, user)
        client.logout()
        referral = Referral.objects.get(referred_by=user)
        seen[edge] = outcome(referral, origin, user)
    assert seen["form"]["audit"], "the referral wrote no audit entries"
    assert seen["form"] == seen["api"] == seen["fhir"]
