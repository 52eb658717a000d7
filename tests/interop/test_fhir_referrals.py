"""FHIR referrals in and the closed loop out, with real Gravity SDOH Clinical Care examples."""

import copy
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.cases import services as cases
from linkwell.cases.models import Referral
from linkwell.directory.models import Service
from linkwell.interop import fhir_inbound
from linkwell.people.models import Person
from tests.connections.factories import connect, provider_service, provider_with_user
from tests.factories import PracticeFactory, arrange, user_with_role

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "interop"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fhir-sdoh-clinicalcare"
PATIENT = "Patient-pat-53234.json"
ACTIVE = "ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample.json"
COMPLETED = [
    "ServiceRequest-SDOHCC-ServiceRequestSubreferralGardenProgramExample.json",
    "ServiceRequest-SDOHCC-ServiceRequestSubreferralSummerFoodProgramExample.json",
]
CONDITION = "Condition-SDOHCC-ConditionFoodInsecurityExample.json"


def example(name):
    return json.loads((FIXTURES / name).read_text())


def gravity_bundle(request=ACTIVE, patient=None):
    """Patient + ServiceRequest + the Condition it gives as its reason, as a GP system sends."""
    entries = [patient or example(PATIENT), example(request), example(CONDITION)]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{i}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for i, r in enumerate(entries)
        ],
    }


@pytest.fixture
def gp(practice):
    return user_with_role(Role.REFERRER, practice)


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}


def post(client, user, body, path="/fhir/"):
    return client.post(path, json.dumps(body), content_type="application/fhir+json", **bearer(user))


def patient_location(response) -> str:
    """Where a transaction's response puts the Patient it referred: what the client refers
    to the person by next time."""
    return Bundle.model_validate_json(response.content).entry[0].response.location


def problem(response, status=422) -> tuple[str, str]:
    assert response.status_code == status, response.content[:400]
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    return (issue.expression or [""])[0], issue.diagnostics


def task_status(client, user, referral_id) -> list[str]:
    response = client.get(f"/fhir/Task?based-on=ServiceRequest/{referral_id}", **bearer(user))
    bundle = Bundle.model_validate_json(response.content)
    return [e.resource.status for e in bundle.entry or []]


def test_metadata_is_a_capability_statement(client):
    response = client.get("/fhir/metadata")
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == "4.0.1"
    kinds = {r.type for r in statement.rest[0].resource}
    assert {"Task", "ServiceRequest", "Consent", "Goal"} <= kinds


def test_a_gravity_bundle_becomes_a_referral_whose_task_follows_the_loop(client, gp, worker, pcn):
    response = post(client, gp, gravity_bundle())
    assert response.status_code == 201, response.content
    reply = Bundle.model_validate_json(response.content)
    assert reply.type == "transaction-response" and len(reply.entry) == 4
    task = reply.entry[-1].resource
    assert task.status == "requested" and task.basedOn[0].reference.startswith("ServiceRequest/")
    referral = Referral.objects.get()
    assert referral.reasons == ["food"] and referral.organisation == pcn
    assert referral.person.family_name == "BAXTER"  # the name in use now, not the old one
    client.force_login(worker)
    assert "BAXTER" in client.get("/caseload/").content.decode()
    client.logout()

    seen = [task_status(client, gp, referral.pk)[0]]
    case = referral.case
    cases.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=20, notes="", by=worker
    )
    seen.append(task_status(client, gp, referral.pk)[0])
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    assert task_status(client, worker, referral.pk) == ["accepted", "requested"]
    client.force_login(volunteer)
    for to in ("accepted", "attended"):
        client.post(f"/provider/referrals/{connection.pk}/status/", {"to": to})
        seen.append(task_status(client, gp, referral.pk)[0])
    assert task_status(client, worker, referral.pk) == ["in-progress", "in-progress"]
    cases.transition(case=case, to="discharged", by=worker, note="Settled at the food bank")
    seen.append(task_status(client, gp, referral.pk)[0])
    assert seen == ["requested", "accepted", "in-progress", "in-progress", "completed"]
    # The GP sees the referral's Task but not the onward referral's subtask.
    assert len(task_status(client, gp, referral.pk)) == 1
    one = client.get(f"/fhir/Task/{referral.pk}", **bearer(gp))
    assert Task.model_validate_json(one.content).status == "completed"


def test_a_retry_with_the_same_identifier_returns_the_first_referral(client, gp):
    body = gravity_bundle()
    body["entry"][1]["resource"]["identifier"] = [{"system": "urn:gp-system", "value": "R-1"}]
    assert post(client, gp, body).status_code == 201
    assert post(client, gp, body).status_code == 200
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("name", [PATIENT, ACTIVE, *COMPLETED, CONDITION])
def test_every_copied_example_parses(name):
    resource = example(name)
    parsed = fhir_inbound.parse(json.dumps(resource).encode(), allowed={resource["resourceType"]})
    assert parsed.id == resource["id"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not on this machine")
def test_every_shared_sdoh_example_parses():
    for path in sorted(SHARED.glob("*.json")):
        kind = json.loads(path.read_text())["resourceType"]
        fhir_inbound.parse(path.read_bytes(), allowed={kind})


@pytest.mark.parametrize("name", COMPLETED)
def test_a_completed_service_request_is_not_a_new_referral(client, gp, name):
    expression, message = problem(post(client, gp, gravity_bundle(request=name)))
    assert expression == "Bundle.entry[1].resource.status" and "active" in message
    assert not Referral.objects.exists()


def test_a_resource_that_breaks_a_rule_is_rejected_with_its_path(client, gp):
    patient = example(PATIENT)
    patient["birthDate"] = "20/02/1987"
    expression, _ = problem(post(client, gp, gravity_bundle(patient=patient)))
    assert expression == "Bundle.entry[0].resource.birthDate"
    assert not Referral.objects.exists()
    denied = AuditEntry.objects.get(action="denied", user=gp)
    assert denied.detail["expression"] == "Bundle.entry[0].resource.birthDate"


def test_an_invalid_nhs_number_is_rejected_at_its_identifier(client, gp):
    patient = copy.deepcopy(example(PATIENT))
    patient["identifier"].append(
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9876544321"}
    )
    expression, message = problem(post(client, gp, gravity_bundle(patient=patient)))
    assert expression == "Bundle.entry[0].resource.identifier[1].value"
    assert "not a valid NHS number" in message


def test_a_service_request_alone_for_a_known_patient(client, gp):
    patient = example(PATIENT)
    patient["identifier"] = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    assert post(client, gp, gravity_bundle(patient=patient)).status_code == 201
    request = example(ACTIVE)
    request["subject"] = {
        "identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "943 476 5919"}
    }
    response = post(client, gp, request, path="/fhir/ServiceRequest")
    made = ServiceRequest.model_validate_json(response.content)  # the resource created
    assert made.id == str(Referral.objects.latest("pk").pk) and made.status == "active"
    assert response.status_code == 201 and response["Location"].endswith(
        f"/fhir/ServiceRequest/{made.id}/_history/{made.meta.versionId}"
    )
    assert response["ETag"] == f'W/"{made.meta.versionId}"'
    request["subject"]["identifier"]["value"] = "9990000018"  # valid but unknown here
    expression, _ = problem(post(client, gp, request, path="/fhir/ServiceRequest"))
    assert expression == "ServiceRequest.subject"


def test_a_service_that_does_not_exist_is_refused(client, gp):
    body = gravity_bundle()
    body["entry"][1]["resource"]["performer"] = [{"reference": "HealthcareService/nope"}]
    expression, _ = problem(post(client, gp, body))
    assert expression == "Bundle.entry[1].resource.performer[0]"
    assert not Referral.objects.exists()


def test_not_json_and_wrong_types(client, gp):
    response = client.post("/fhir/", "nonsense", content_type="application/fhir+json", **bearer(gp))
    assert problem(response, 400)[0] == ""
    assert problem(post(client, gp, example(PATIENT)))[0] == "resourceType"


def test_who_may_refer(client, pcn):
    assert problem(client.post("/fhir/", "{}", content_type="application/json"), 401)
    provider = user_with_role(Role.PROVIDER, pcn)
    assert problem(post(client, provider, gravity_bundle()), 403)


def test_consent_and_goal_reads(client, gp, worker):
    post(client, gp, gravity_bundle())
    case = Referral.objects.get().case
    consent = case.person.consents.get()
    # The referrer sees only what they sent: the person's consents are the PCN's record.
    assert problem(client.get(f"/fhir/Consent/{consent.pk}", **bearer(gp)), 404)
    read = Consent.model_validate_json(
        client.get(f"/fhir/Consent/{consent.pk}", **bearer(worker)).content
    )
    assert read.status == "active" and read.patient.reference == f"Patient/{case.person_id}"
    cases.record_contact(case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker)
    cases.record_what_matters(case=case, what_matters="Eat well", by=worker)
    cases.agree_care_plan(case=case, summary="Food bank, then cooking class", by=worker)
    goal = cases.add_goal(
        case=case, description="Cook twice a week", by=worker, target_date=date(2030, 1, 1)
    )
    response = client.get(f"/fhir/Goal/{goal.pk}", **bearer(worker))
    read = Goal.model_validate_json(response.content)
    assert read.lifecycleStatus == "accepted" and read.description.text == "Cook twice a week"
    assert client.get(f"/fhir/Goal/{goal.pk}", **bearer(gp)).status_code == 403  # notes: no


def test_a_referral_that_fails_late_saves_nothing_and_a_fixed_retry_saves_once(client, gp):
    """One transaction per FHIR request: a retired suggested service is refused with the
    element named (not a 500 after the referral was saved), and a retry saves it once."""
    service = provider_service()
    Service.objects.filter(pk=service.pk).update(retired_at=timezone.now())
    body = gravity_bundle()
    request = body["entry"][1]["resource"]
    request["identifier"] = [{"system": "urn:gp-system", "value": "R-8"}]
    request["performer"] = [{"reference": f"HealthcareService/{service.pk}"}]
    for _ in range(2):
        expression, message = problem(post(client, gp, body))
        assert expression == "Bundle.entry[1].resource.performer[0]" and "not running" in message
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert not AuditEntry.objects.filter(action="create").exists()
    Service.objects.filter(pk=service.pk).update(retired_at=None)
    assert post(client, gp, body).status_code == 201
    assert post(client, gp, body).status_code == 200
    referral = Referral.objects.get()
    assert list(referral.case.shortlist.values_list("service_id", flat=True)) == [service.pk]


def test_another_practices_referral_names_no_patient_for_a_referrer(client, gp, practice):
    elsewhere = user_with_role(Role.REFERRER, PracticeFactory(parent=practice.parent))
    theirs = post(client, elsewhere, gravity_bundle())
    request = example(ACTIVE)
    request["subject"] = {"reference": patient_location(theirs)}
    expression, _ = problem(post(client, gp, request, path="/fhir/ServiceRequest"))
    assert expression == "ServiceRequest.subject" and Referral.objects.count() == 1


def test_a_service_request_alone_refers_from_what_the_referrer_sent_before(client, gp):
    """A referrer naming a patient they referred before (by NHS number or Patient id) refers
    from the details they sent, not from the PCN's record, which they may not read."""
    patient = example(PATIENT)
    patient["identifier"] = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    made = post(client, gp, gravity_bundle(patient=patient))
    assert made.status_code == 201
    person = Person.objects.get()
    arrange(person, phone="07700 900555")  # the link worker's note
    request = example(ACTIVE)
    request["subject"] = {"reference": patient_location(made)}
    response = post(client, gp, request, path="/fhir/ServiceRequest")
    assert response.status_code == 201, response.content
    first, second = Referral.objects.order_by("pk")
    assert second.person_id == person.pk
    assert second.submitted_person == first.submitted_person
    assert "07700 900555" not in json.dumps(second.submitted_person)


# Issue 18, item 6: keep what the GP sent.
SNOMED = "http://snomed.info/sct"


def social_prescribing_bundle():
    """A UK-style referral: coded SNOMED CT |Referral to social prescribing service| with a
    SNOMED CT reason from the Gravity examples (32911000 |Homeless|), an identifier, a
    priority and a note."""
    body = gravity_bundle()
    request = body["entry"][1]["resource"]
    request.pop("category")
    request["code"] = {"coding": [{"system": SNOMED, "code": "871731000000106"}]}
    request["identifier"] = [{"system": "urn:gp-system", "value": "R-42"}]
    request["reasonCode"] = [{"coding": [{"system": SNOMED, "code": "32911000"}]}]
    request["priority"] = "asap"
    request["note"] = [{"text": "Sofa-surfing since March"}]
    return body


def test_a_service_request_reads_back_as_the_gp_sent_it(client, gp):
    assert post(client, gp, social_prescribing_bundle()).status_code == 201
    referral = Referral.objects.get()
    assert referral.reasons == ["housing", "food"]  # SNOMED 32911000, the food Condition
    read = ServiceRequest.model_validate_json(
        client.get(f"/fhir/ServiceRequest/{referral.pk}", **bearer(gp)).content
    )
    assert read.identifier[0].value == "R-42" and read.priority == "asap"
    assert read.code.coding[0].code == "871731000000106"
    assert read.note[0].text == "Sofa-surfing since March"
    codes = [(c.system, c.code) for concept in read.reasonCode for c in concept.coding]
    assert (SNOMED, "32911000") in codes and ("urn:linkwell:need", "housing") in codes


def test_the_legacy_nhs_number_system_is_the_nhs_number(client, gp):
    patient = example(PATIENT)
    patient["identifier"] = [{"system": "http://fhir.nhs.net/Id/nhs-number", "value": "9434765919"}]
    assert post(client, gp, gravity_bundle(patient=patient)).status_code == 201
    assert Person.objects.get().nhs_number == "9434765919"
    request = example(ACTIVE)
    request["subject"] = {
        "identifier": {"system": "http://fhir.nhs.net/Id/nhs-number", "value": "9434765919"}
    }
    assert post(client, gp, request, path="/fhir/ServiceRequest").status_code == 201
    assert Person.objects.count() == 1


def test_conditional_create_makes_one_referral(client, gp):
    body = social_prescribing_bundle()
    body["entry"][1]["request"]["ifNoneExist"] = "identifier=urn:gp-system|R-42"
    made = post(client, gp, body)
    assert made.status_code == 201
    body["entry"][1]["resource"].pop("identifier")  # no key: only the condition finds it
    again = post(client, gp, body)
    assert again.status_code == 200 and Referral.objects.count() == 1
    statuses = [e.response.status for e in Bundle.model_validate_json(again.content).entry]
    assert set(statuses) == {"200 OK"}
    request = example(ACTIVE)
    request["subject"] = {"reference": patient_location(made)}
    response = client.post(
        "/fhir/ServiceRequest",
        json.dumps(request),
        content_type="application/fhir+json",
        HTTP_IF_NONE_EXIST="identifier=R-42",
        **bearer(gp),
    )
    assert response.status_code == 200 and Referral.objects.count() == 1


def test_a_transaction_reports_each_entry_truthfully(client, gp):
    first = Bundle.model_validate_json(post(client, gp, gravity_bundle()).content)
    assert [e.response.status for e in first.entry] == ["201 Created", "201 Created", "200 OK"] + [
        "201 Created"
    ]
    assert "Condition" in first.entry[2].response.outcome.issue[0].diagnostics
    patient = example(PATIENT)
    patient["identifier"] = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    first = post(client, gp, gravity_bundle(patient=patient))
    second = post(client, gp, gravity_bundle(patient=patient))
    numbered = Referral.objects.filter(person__nhs_number="9434765919")
    assert numbered.values("person").distinct().count() == 1  # found by NHS number
    # A referrer is given the person as each referral described them: new with the referral.
    assert patient_location(first) != patient_location(second)
    assert Bundle.model_validate_json(second.content).entry[0].response.status == "201 Created"


@pytest.mark.parametrize("method", ["DELETE", "PUT"])
def test_a_transaction_that_asks_for_more_than_creates_is_refused_whole(client, gp, method):
    body = gravity_bundle()
    body["entry"][2]["request"]["method"] = method
    assert problem(post(client, gp, body))[0] == "Bundle.entry[2].request.method"
    assert not Referral.objects.exists()


def test_an_entry_the_referral_does_not_use_refuses_the_transaction(client, gp):
    body = gravity_bundle()
    body["entry"][1]["resource"].pop("reasonReference")
    assert problem(post(client, gp, body))[0] == "Bundle.entry[2]"
    assert not Referral.objects.exists()


def test_a_body_nested_too_deeply_is_a_400_not_a_500(client, gp):
    """[[[[…]]]] beyond the JSON parser's depth, and a resource whose extensions nest past what
    the model's validator recurses through: both RecursionError, once a 500."""
    deep = client.post("/fhir/", "[" * 5000, content_type="application/fhir+json", **bearer(gp))
    assert "nests too deeply" in problem(deep, 400)[1]
    extension = {"url": "urn:x", "valueString": "x"}
    for _ in range(300):
        extension = {"url": "urn:x", "extension": [extension]}
    request = {**example(ACTIVE), "extension": [extension]}
    assert problem(post(client, gp, request, path="/fhir/ServiceRequest"), 400)[0] == (
        "ServiceRequest"
    )
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "reference",
    ["Patient/²", "Patient/" + "9" * 25, "Patient/referral-99999", "Patient/referral-x"],
)
def test_a_service_request_for_a_patient_id_that_names_no_record_is_refused(client, gp, reference):
    request = example(ACTIVE)
    request["subject"] = {"reference": reference}
    response = post(client, gp, request, path="/fhir/ServiceRequest")
    assert 400 <= response.status_code < 500, response.content


def test_a_referrer_is_told_nothing_of_the_record_the_pcn_already_held(client, gp, practice):
    # The PCN already holds this person (referred by another practice): neither "200 OK" on
    # the Patient entry nor the record's id, older than any this referrer was given, may say so.
    patient = example(PATIENT)
    patient["identifier"] = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    elsewhere = user_with_role(Role.REFERRER, PracticeFactory(parent=practice.parent))
    assert post(client, elsewhere, gravity_bundle(patient=patient)).status_code == 201
    record = Person.objects.get()
    made = post(client, gp, gravity_bundle(patient=patient))
    referral = Referral.objects.latest("pk")
    assert referral.person_id == record.pk  # matched, one record
    entry = Bundle.model_validate_json(made.content).entry[0].response
    assert (entry.status, entry.location) == ("201 Created", f"Patient/referral-{referral.pk}")
    reads = [
        f"/fhir/{entry.location}",
        f"/fhir/Task/{referral.pk}",
        f"/fhir/ServiceRequest/{referral.pk}",
        f"/fhir/Task?patient={entry.location}",
        f"/api/v1/referrals/{referral.pk}",
    ]
    answers = [made.content.decode()]
    for path in reads:
        answer = client.get(path, **bearer(gp))
        assert answer.status_code == 200, path
        answers.append(answer.content.decode())
    assert json.loads(answers[1])["id"] == f"referral-{referral.pk}"
    assert all(f"Patient/referral-{referral.pk}" in a for a in answers[2:5])
    assert json.loads(answers[-1])["person"]["id"] == f"referral-{referral.pk}"
    for answer in answers:
        assert not re.search(rf"Patient/{record.pk}\b", answer)
    # and the record's id reads nothing and finds nothing for them
    assert client.get(f"/fhir/Patient/{record.pk}", **bearer(gp)).status_code == 404
    found = client.get(f"/fhir/Task?patient=Patient/{record.pk}", **bearer(gp))
    assert Bundle.model_validate_json(found.content).total == 0
