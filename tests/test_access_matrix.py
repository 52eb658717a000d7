"""What a permitted user sees in lists and status pages: their own organisation's people only,
and never the notes. (Which routes each role may reach at all: tests/test_route_matrix.py.)

"own" means a membership in the PCN (or, for a referrer, the practice) the record belongs to;
"other" means the same role in an organisation of another PCN and ICB.
"""

import json
import time
from datetime import date

import pytest
from django.core import signing
from django.utils import timezone

from linkwell.accounts.models import Organisation, Role
from linkwell.accounts.services import create_token
from linkwell.cases import services
from linkwell.cases.models import Referral
from linkwell.interop.fhir_referrals import NEED_SYSTEM, NHS_NUMBER
from linkwell.people.models import Person
from linkwell.portal import abuse
from tests.factories import (
    PracticeFactory,
    make_case,
    person_details,
    user_with_role,
    valid_nhs_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    practice = PracticeFactory()
    elsewhere = PracticeFactory()
    case = make_case(practice=practice, by=None)
    return {"own": practice, "other": elsewhere, "case": case}


def member(role, world, which):
    practice = world[which]
    organisation = {
        Role.REFERRER: practice,
        Role.ADMIN: practice.parent.parent,
        Role.PROVIDER: practice.parent,
    }.get(role, practice.parent)
    return user_with_role(role, organisation)


@pytest.mark.parametrize("which,visible", [("own", True), ("other", False)])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_caseload_lists_only_own_pcn(client, world, which, visible, surface):
    user = member(Role.LINK_WORKER, world, which)
    name = world["case"].person.family_name
    if surface == "page":
        client.force_login(user)
        assert (name in client.get("/caseload/").content.decode()) is visible
    else:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
        items = client.get("/api/v1/cases", **headers).json()["items"]
        assert (world["case"].pk in [c["id"] for c in items]) is visible


def test_referrers_see_status_but_never_notes(client, world):
    worker = member(Role.LINK_WORKER, world, "own")
    case = world["case"]
    services.record_contact(
        case=case,
        at=timezone.now(),
        mode="phone",
        minutes=5,
        notes="Confidential: talked about debts",
        by=worker,
    )
    referrer = member(Role.REFERRER, world, "own")
    client.force_login(referrer)
    page = client.get(f"/referrals/{case.referral_id}/").content.decode()
    assert "Contacted" in page and "Confidential" not in page
    api = client.get(
        f"/api/v1/referrals/{case.referral_id}",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=referrer)}",
    ).content.decode()
    assert '"status": "contacted"' in api.replace('":"', '": "') and "Confidential" not in api


def test_referrers_list_only_their_practices_referrals(client, world):
    make_case(practice=world["other"], by=None, family_name="Zebedee")
    referrer = member(Role.REFERRER, world, "own")
    client.force_login(referrer)
    page = client.get("/referrals/").content.decode()
    assert world["case"].person.family_name in page and "Zebedee" not in page


# ---- NHS-number matching ------------------------------------------------------------------
# A referrer, and the public, only ever see what they themselves sent. Someone who sends the
# NHS number of a person another practice referred learns nothing about that person, through
# any door (form, self-referral, JSON API, FHIR) or any read that follows; a different name
# or date of birth is flagged to the link worker, and nothing they sent lands on that record.

STRANGER = {
    "given_name": "Stella",
    "family_name": "Strangeways",
    "date_of_birth": date(1961, 3, 4),
    "phone": "07700 900999",
    "postcode": "LS2 9JT",
    "address": "1 Secret Street",
}
SECRETS = ["Strangeways", "07700 900999", "LS2 9JT", "Secret Street", "1961-03-04", "4 Mar 1961"]
EDGES = ["form", "self-referral", "api", "fhir"]


@pytest.fixture
def stranger(world):
    """A person the PCN supports, referred by the own practice; the prober is a referrer at
    another practice of the same PCN (the PCN keeps one record per NHS number)."""
    number = valid_nhs_number(77)
    case = make_case(practice=world["own"], nhs_number=number, **STRANGER)
    neighbour = PracticeFactory(parent=world["own"].parent)
    return {
        "case": case,
        "number": number,
        "neighbour": neighbour,
        "prober": user_with_role(Role.REFERRER, neighbour),
    }


def _fhir_bundle(details: dict) -> dict:
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER, "value": details["nhs_number"]}],
        "name": [{"family": details["family_name"], "given": [details["given_name"]]}],
        "birthDate": details["date_of_birth"].isoformat(),
        "telecom": [{"system": "phone", "value": details["phone"]}],
        "address": [{"postalCode": details["postcode"]}],
    }
    request = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"},
        "reasonCode": [{"coding": [{"system": NEED_SYSTEM, "code": "loneliness"}]}],
    }
    return {
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


def submit(client, edge, user, practice, details: dict) -> str:
    """Refer through one door as `user` (None: the public); the answer's text."""
    dob = details["date_of_birth"]
    form = {
        "destination": "0",
        "given_name": details["given_name"],
        "family_name": details["family_name"],
        "dob_day": dob.day,
        "dob_month": dob.month,
        "dob_year": dob.year,
        "nhs_number": details["nhs_number"],
        "postcode": details["postcode"],
        "phone": details["phone"],
        "preferred_contact": "phone",
        "preferred_language": "English",
        "reasons": ["loneliness"],
        "urgency": "routine",
        "consent_given": "on",
    }
    if edge == "form":
        client.force_login(user)
        return client.post("/referrals/new/", form, follow=True).content.decode()
    if edge == "self-referral":
        practices = list(Organisation.objects.filter(kind="practice").order_by("name"))
        form.update(
            destination=str(practices.index(practice)),
            website="",
            stamp=signing.dumps({"shown": time.time() - 60}, salt=abuse.SALT),
        )
        return client.post("/refer-yourself/", form).content.decode()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
    if edge == "api":
        body = {
            "person": {**details, "date_of_birth": dob.isoformat()},
            "reasons": ["loneliness"],
            "consent_given": True,
        }
        response = client.post(
            "/api/v1/referrals", json.dumps(body), content_type="application/json", **auth
        )
    else:
        response = client.post(
            "/fhir/",
            json.dumps(_fhir_bundle(details)),
            content_type="application/fhir+json",
            **auth,
        )
    assert response.status_code == 201, response.content[:300]
    return response.content.decode()


def reads_after(client, user, referral) -> str:
    """Everything the referrer can read about their referral, by page, API and FHIR."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
    client.force_login(user)
    paths = [
        "/referrals/",
        f"/referrals/{referral.pk}/",
        "/api/v1/referrals",
        f"/api/v1/referrals/{referral.pk}",
        f"/fhir/Patient/referral-{referral.pk}",  # as this referral described them
        f"/fhir/ServiceRequest/{referral.pk}",
        f"/fhir/Task/{referral.pk}",
        f"/fhir/Task?based-on=ServiceRequest/{referral.pk}",
    ]
    answers = []
    for path in paths:
        response = client.get(path, **auth)
        assert response.status_code == 200, (path, response.status_code)
        answers.append(response.content.decode())
    return "\n".join(answers)


def _unchanged(stranger) -> None:
    person = Person.objects.get(pk=stranger["case"].person_id)
    for field, value in STRANGER.items():
        assert getattr(person, field) == value, field
    assert person.nhs_number == stranger["number"]


@pytest.mark.parametrize("edge", EDGES)
def test_another_patients_nhs_number_shows_nothing_and_is_flagged(client, world, stranger, edge):
    prober = None if edge == "self-referral" else stranger["prober"]
    sent = {**person_details(given_name="Any", family_name="Body").__dict__}
    sent.update(
        date_of_birth=date(2000, 1, 1), nhs_number=stranger["number"], phone="0113 496 0999"
    )
    answer = submit(client, edge, prober, stranger["neighbour"], sent)
    assert not [s for s in SECRETS if s in answer]
    referral = Referral.objects.latest("pk")
    if prober is not None:
        seen = reads_after(client, prober, referral)
        assert not [s for s in SECRETS if s in seen] and "Body" in seen
    # Nothing sent lands on the stranger's record, and their record gains no referral.
    _unchanged(stranger)
    assert referral.person_id != stranger["case"].person_id
    assert Referral.objects.filter(person_id=stranger["case"].person_id).count() == 1
    # Both records are flagged to the link worker, never resolved silently.
    new = referral.person
    assert (new.family_name, new.nhs_number, new.referred_nhs_number) == (
        "Body",
        "",
        stranger["number"],
    )
    worker = member(Role.LINK_WORKER, world, "own")
    client.force_login(worker)
    for case in (referral.case, stranger["case"]):
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "Possible mismatch" in page, case


@pytest.mark.parametrize("edge", EDGES)
def test_the_same_patient_referred_again_sees_only_what_was_sent(client, stranger, edge):
    prober = None if edge == "self-referral" else stranger["prober"]
    sent = {**STRANGER, "nhs_number": stranger["number"], "phone": "07700 900111"}
    sent.update(postcode="LS6 1AB", address="")
    answer = submit(client, edge, prober, stranger["neighbour"], sent)
    referral = Referral.objects.latest("pk")
    # The same person: one record, now with two referrals; what it holds is not echoed.
    assert referral.person_id == stranger["case"].person_id
    hidden = ["07700 900999", "LS2 9JT", "Secret Street"]
    assert not [s for s in hidden if s in answer]
    if prober is not None:
        seen = reads_after(client, prober, referral)
        assert not [s for s in hidden if s in seen] and "07700 900111" in seen
    _unchanged(stranger)
