"""A referral carrying the standard's referral items, by form, JSON API and FHIR, keeps every
item it carries; a missing address (completed later from PDS) is accepted and shown as a gap;
a missing name or reason is refused with the item named."""

import copy
import json

import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.cases.models import Referral
from linkwell.people.models import Consent, ConsentScope
from tests.factories import user_with_role, valid_nhs_number

pytestmark = pytest.mark.django_db
NHS = valid_nhs_number(11)


def form_data(**overrides):
    data = {
        "destination": "0",
        "given_name": "Rosa",
        "family_name": "Quinn",
        "dob_day": "3",
        "dob_month": "4",
        "dob_year": "1947",
        "nhs_number": NHS,
        "sex": "2",
        "ethnicity": "B",
        "address": "2 Mill Lane\nLeeds",
        "postcode": "LS1 4AP",
        "phone": "0113 496 0001",
        "preferred_contact": "phone",
        "preferred_language": "English",
        "interpreter_needed": "on",
        "accessibility_needs": "Large print",
        "reasons": ["loneliness", "bereavement"],
        "details": "Widowed last year",
        "urgency": "routine",
        "consent_given": "on",
    }
    data.update(overrides)
    return data


def assert_kept(referral, *, address="2 Mill Lane\nLeeds"):
    person = referral.person
    assert (person.given_name, person.family_name) == ("Rosa", "Quinn")
    assert person.date_of_birth.isoformat() == "1947-04-03"
    assert person.nhs_number == NHS
    assert person.address == address and person.postcode == "LS1 4AP"
    assert referral.consent_given
    assert Consent.objects.filter(person=person, scope=ConsentScope.REFERRAL, given=True).exists()


def test_form_referral_keeps_every_item(client, referrer, practice):
    referrer.email = "gp.referrer@practice.example"
    referrer.save()
    client.force_login(referrer)
    response = client.post("/referrals/new/", form_data())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert_kept(referral)
    assert (referral.person.sex, referral.person.ethnicity) == ("2", "B")
    assert referral.reasons == ["loneliness", "bereavement"]
    assert referral.details == "Widowed last year"
    assert referral.referring_organisation == practice
    assert referral.referrer_name == referrer.get_full_name()
    assert referral.referrer_contact == "gp.referrer@practice.example"  # their own email
    person = referral.person
    assert (person.phone, person.preferred_contact) == ("0113 496 0001", "phone")
    assert (person.preferred_language, person.interpreter_needed) == ("English", True)
    assert person.accessibility_needs == "Large print"
    assert person.gp_practice_code == practice.ods_code.upper()


def test_referrer_contact_and_agency_are_kept(client, referrer, practice):
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    client.force_login(worker)
    data = form_data(
        source="other_agency",
        referrer_contact="housing@leeds.example",
        referring_organisation_name="Leeds City Council housing",
        gp_practice_code="b86001",
    )
    assert client.post("/referrals/new/", data).status_code == 302
    referral = Referral.objects.get()
    assert referral.referrer_contact == "housing@leeds.example"
    assert referral.referring_organisation_name == "Leeds City Council housing"
    assert referral.referring_organisation is None
    assert referral.person.gp_practice_code == "B86001"
    body = api_body(gp_practice_code="B86002")
    body["person"]["nhs_number"] = valid_nhs_number(12)
    body["referrer_contact"] = "0113 496 0999"
    response = api_post(client, referrer, body)
    assert response.status_code == 201 and response.json()["referrer_contact"] == "0113 496 0999"
    made = Referral.objects.get(pk=response.json()["id"])
    assert made.person.gp_practice_code == "B86002"
    bad = api_body(gp_practice_code="999", nhs_number=valid_nhs_number(13))
    assert api_post(client, referrer, bad).status_code == 422
    assert Referral.objects.count() == 2


def api_body(**person):
    body = {
        "person": {
            "given_name": "Rosa",
            "family_name": "Quinn",
            "date_of_birth": "1947-04-03",
            "nhs_number": NHS,
            "address": "2 Mill Lane\nLeeds",
            "postcode": "LS1 4AP",
            "phone": "0113 496 0001",
        },
        "reasons": ["loneliness"],
        "consent_given": True,
    }
    body["person"].update(person)
    return body


def api_post(client, user, body):
    return client.post(
        "/api/v1/referrals",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=user)}",
    )


def test_api_referral_keeps_every_item(client, referrer):
    response = api_post(client, referrer, api_body())
    assert response.status_code == 201, response.content
    assert_kept(Referral.objects.get())


def fhir_bundle(patient_overrides=None):
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS}],
        "name": [{"family": "Quinn", "given": ["Rosa"]}],
        "birthDate": "1947-04-03",
        "telecom": [{"system": "phone", "value": "0113 496 0001"}],
        "address": [{"line": ["2 Mill Lane"], "city": "Leeds", "postalCode": "LS1 4AP"}],
    }
    patient.update(patient_overrides or {})
    request = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"},
        "reasonCode": [{"coding": [{"system": "urn:linkwell:need", "code": "loneliness"}]}],
    }
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{i + 1}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for i, r in enumerate([patient, request])
        ],
    }


def fhir_post(client, user, body):
    return client.post(
        "/fhir/",
        json.dumps(body),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=user)}",
    )


def test_fhir_referral_keeps_every_item(client, referrer):
    response = fhir_post(client, referrer, fhir_bundle())
    assert response.status_code == 201, response.content
    assert_kept(Referral.objects.get())


def test_referral_without_an_address_is_accepted_and_the_gap_shown(client, referrer, practice):
    bundle = fhir_bundle()
    del bundle["entry"][0]["resource"]["address"]
    assert fhir_post(client, referrer, bundle).status_code == 201
    case = Referral.objects.get().case
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    client.force_login(worker)
    page = client.get(f"/cases/{case.pk}/")
    assert b'id="standard-gaps"' in page.content
    gaps = page.content.split(b'id="standard-gaps"')[1].split(b"</div>")[0]
    assert b"s address" in gaps and b"Date of birth" not in gaps
    api = client.get(
        f"/api/v1/cases/{case.pk}", HTTP_AUTHORIZATION=f"Bearer {create_token(user=worker)}"
    )
    assert "Person's address" in api.json()["missing_items"]


def test_referral_missing_a_name_is_refused_with_the_item_named(client, referrer):
    bundle = fhir_bundle({"name": [{"given": ["Rosa"]}]})
    response = fhir_post(client, referrer, bundle)
    assert response.status_code == 422
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert "name" in issue.diagnostics and issue.expression == ["Bundle.entry[0].resource.name"]
    body = api_body()
    body["person"]["family_name"] = ""
    refused = api_post(client, referrer, body)
    assert refused.status_code == 422 and "family_name" in json.dumps(refused.json())
    assert not Referral.objects.exists()


def test_referral_missing_a_reason_is_refused_with_the_item_named(client, referrer):
    bundle = fhir_bundle()
    del bundle["entry"][1]["resource"]["reasonCode"]
    response = fhir_post(client, referrer, bundle)
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert response.status_code == 422 and "reason" in issue.diagnostics
    client.force_login(referrer)
    page = client.post("/referrals/new/", form_data(reasons=[]))
    assert page.status_code == 200 and b"Reasons for referral" in page.content
    body = copy.deepcopy(api_body())
    body["reasons"] = []
    assert api_post(client, referrer, body).status_code == 422
    assert not Referral.objects.exists()


def test_an_address_too_long_is_refused_and_nothing_saved(client, referrer):
    response = api_post(client, referrer, api_body(address="x" * 501))
    assert response.status_code == 422
    assert not Referral.objects.exists()


ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


def test_fhir_referral_keeps_the_registered_gp_practice(client, referrer):
    gp = {"generalPractitioner": [{"identifier": {"system": ODS, "value": "b86003"}}]}
    assert fhir_post(client, referrer, fhir_bundle(gp)).status_code == 201
    assert Referral.objects.get().person.gp_practice_code == "B86003"


def test_fhir_referral_with_a_bad_practice_code_names_the_element(client, referrer):
    gp = {"generalPractitioner": [{"identifier": {"system": ODS, "value": "nonsense"}}]}
    response = fhir_post(client, referrer, fhir_bundle(gp))
    assert response.status_code == 422, response.content
    issue = response.json()["issue"][0]
    assert issue["expression"] == [
        "Bundle.entry[0].resource.generalPractitioner[0].identifier.value"
    ]
    assert not Referral.objects.exists()


def test_a_referrer_named_by_someone_else_is_not_given_their_address(client, practice):
    """A link worker entering a GP's letter names the GP: the GP is not to be reached at the
    link worker's email (the gap shows instead); entering their own referral, they are."""
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    worker.email = "lena.ward@pcn.example"
    worker.save()
    body = api_body()
    body["referrer_name"] = "Dr Asha Patel"
    response = api_post(client, worker, body)
    assert response.status_code == 201, response.content
    assert response.json()["referrer_contact"] == ""
    own = api_body(nhs_number=valid_nhs_number(14))
    response = api_post(client, worker, own)
    assert response.json()["referrer_contact"] == "lena.ward@pcn.example"
