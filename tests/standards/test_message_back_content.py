"""The message back's content (issue 17): the referrer's contact details from a FHIR
ServiceRequest.requester or recorded by the link worker, "Referral to" and the link worker's
contact in the document, drafts that say they are drafts, and the referrer's view of it."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.cases import services as cases
from linkwell.cases.models import Referral
from linkwell.people.services import PersonDetails
from linkwell.standards.services import record_referrer, send_message_back
from tests.factories import PracticeFactory, user_with_role
from tests.interop.test_fhir_referrals import gravity_bundle

from .helpers import recorded_case

pytestmark = pytest.mark.django_db


def test_a_fhir_referral_keeps_the_requesters_name_and_telecom(client, practice):
    gp = user_with_role(Role.REFERRER, practice, email="")
    body = gravity_bundle()
    body["entry"].append(
        {
            "fullUrl": "urn:uuid:00000000-0000-4000-8000-0000000000aa",
            "resource": {
                "resourceType": "Practitioner",
                "name": [{"given": ["Asha"], "family": "Patel", "prefix": ["Dr"]}],
                "telecom": [{"system": "phone", "value": "0113 496 0001", "use": "work"}],
            },
            "request": {"method": "POST", "url": "Practitioner"},
        }
    )
    body["entry"][1]["resource"]["requester"] = {
        "reference": "urn:uuid:00000000-0000-4000-8000-0000000000aa"
    }
    response = client.post(
        "/fhir/",
        json.dumps(body),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=gp)}",
    )
    assert response.status_code == 201, response.content[:300]
    referral = Referral.objects.get()
    assert (referral.referrer_name, referral.referrer_contact) == ("Asha Patel", "0113 496 0001")


def test_the_document_names_the_referrals_destination_and_how_to_reach_the_link_worker(practice):
    case, worker = recorded_case(practice)
    worker.email = "lee.link@pcn.example"
    worker.save()
    case.refresh_from_db()
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    by_code = {s["code"]: s["lines"] for s in sent.sections}
    assert (
        f"Referral to: social prescribing link worker service, {case.organisation.name}"
        in (by_code["referral"])
    )
    assert "Referrer's contact details: referrer@practice.example" in by_code["referral"]
    assert "Contact: lee.link@pcn.example" in by_code["link-worker"]


def test_a_draft_is_preliminary_with_one_identifier(client, practice):
    case, worker = recorded_case(practice)
    client.force_login(worker)
    url = reverse("standards:letter", args=[case.pk, "fhir"])
    first, second = (Bundle.model_validate_json(client.get(url).content) for _ in range(2))
    assert first.entry[0].resource.status == "preliminary"
    assert first.identifier.value == second.identifier.value
    assert [e.fullUrl for e in first.entry] == [e.fullUrl for e in second.entry]
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert sent.bundle["entry"][0]["resource"]["status"] == "final"
    assert sent.bundle["identifier"]["value"] != first.identifier.value


def test_the_link_worker_records_the_referrer_on_the_page_and_by_api(client, practice):
    case, worker = recorded_case(practice)
    client.force_login(worker)
    url = reverse("standards:referrer", args=[case.pk])
    refused = client.post(url, {"name": "Sam Carer", "contact": ""})
    assert refused.status_code == 422 and "phone number or email" in refused.content.decode()
    client.post(url, {"name": "Sam Carer", "contact": "0113 496 0002", "organisation_name": ""})
    case.referral.refresh_from_db()
    assert case.referral.referrer_contact == "0113 496 0002"
    api = client.put(
        f"/api/v1/cases/{case.pk}/referrer",
        json.dumps({"name": "Sam Carer", "contact": "sam@carers.example"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=worker)}",
    )
    assert api.status_code == 200 and api.json()["referrer_contact"] == "sam@carers.example"
    bad = client.put(
        f"/api/v1/cases/{case.pk}/referrer",
        json.dumps({"name": "", "contact": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=worker)}",
    )
    assert bad.status_code == 422 and "name" in json.dumps(bad.json())


def test_the_referrer_sees_the_letter_on_their_referral_never_the_notes(client, practice):
    case, worker = recorded_case(practice, discharge=False)
    cases.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=5, notes="Brother's debts", by=worker
    )
    cases.record_follow_up_advice(case=case, follow_up_advice="Review at annual check", by=worker)
    referrer = case.referral.referred_by
    client.force_login(referrer)
    url = reverse("standards:referral_letter", args=[case.referral.pk])
    assert "has not sent a message back" in client.get(url).content.decode()
    send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    page = client.get(url).content.decode()
    assert "Plan and requested actions" in page and "annual check" in page
    assert "Brother's debts" not in page and "Brother&#x27;s debts" not in page
    referral_page = client.get(reverse("cases:referral", args=[case.referral.pk])).content
    assert url in referral_page.decode()
    # A referrer at another practice sees nothing of it.
    client.force_login(user_with_role(Role.REFERRER, PracticeFactory()))
    assert client.get(url).status_code == 404


def test_recording_the_referrer_is_refused_without_a_name(practice):
    case, worker = recorded_case(practice)
    with pytest.raises(Exception, match="referrer's name"):
        record_referrer(case=case, name=" ", contact="x@y.example", by=worker)


def test_the_gp_practice_fetches_what_was_sent_with_its_token(client, practice):
    case, worker = recorded_case(practice)
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    gp = user_with_role(Role.REFERRER, practice)  # any referrer at the recipient practice

    def search(user, patient, param="patient"):
        response = client.get(
            f"/fhir/DocumentReference?{param}={patient}",
            HTTP_AUTHORIZATION=f"Bearer {create_token(user=user)}",
        )
        assert response.status_code == 200, response.content[:300]
        return Bundle.model_validate_json(response.content).entry or []

    # The practice finds it by their patient's NHS number, or as their referral named them.
    by_number = search(gp, case.person.nhs_number, param="patient:identifier")
    (entry,) = search(gp, f"Patient/referral-{case.referral_id}")
    assert by_number == [entry]
    attachment = entry.resource.content[0].attachment
    document = json.loads(attachment.data)  # fhir.resources decodes base64Binary
    assert document == sent.bundle and attachment.contentType == "application/fhir+json"
    Bundle.model_validate(document)
    # Named by NHS number, never by the PCN's record (its id would tell its age), which finds
    # nothing for them; the case's link worker finds it by the record.
    assert entry.resource.subject.identifier.value == case.person.nhs_number
    assert entry.resource.subject.reference is None
    assert search(gp, f"Patient/{case.person_id}") == []
    (staff,) = search(worker, f"Patient/{case.person_id}")
    assert staff.resource.subject.reference == f"Patient/{case.person_id}"
    assert search(gp, "Patient/999999") == []
    assert search(user_with_role(Role.REFERRER, PracticeFactory()), case.person_id) == []
    assert client.get(f"/fhir/DocumentReference?patient={case.person_id}").status_code == 401


def test_the_letter_page_names_the_person_as_the_referrer_sent_them_not_as_recorded(
    client, practice
):
    # A referrer's near-miss spelling is matched to the PCN's record (same NHS number and date
    # of birth, one typo): the letter page must not correct it from the record.
    case, _worker = recorded_case(practice, given_name="Jo", family_name="Bloggs")
    referrer = user_with_role(Role.REFERRER, PracticeFactory(parent=practice.parent))
    details = dict(vars(case.referral.as_referred), family_name="Blogs")
    del details["pk"], details["updated_at"]
    referral, _ = cases.make_referral(
        pcn_code=practice.parent.ods_code,
        person=PersonDetails(**details),
        source="gp_practice",
        reasons=["loneliness"],
        consent_given=True,
        by=referrer,
    )
    assert referral.person_id == case.person_id  # matched, not a new record
    client.force_login(referrer)
    page = client.get(reverse("standards:referral_letter", args=[referral.pk])).content.decode()
    assert "Jo Blogs" in page and "Bloggs" not in page
