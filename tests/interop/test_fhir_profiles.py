"""The profiles Linkwell claims: each returned resource says which in meta.profile, carries what
that profile requires, and the CapabilityStatement lists the same profiles; transaction entries
follow Prefer; canonical URLs do not depend on the host asked."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from linkwell.accounts.models import Role
from linkwell.cases.models import Referral
from linkwell.cases.services import make_referral
from tests.connections.factories import connect, provider_with_user
from tests.factories import make_case, person_details, user_with_role
from tests.interop.test_fhir_referrals import bearer, gravity_bundle

pytestmark = pytest.mark.django_db

UK_CORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
SDOHCC_SERVICE_REQUEST = SDOHCC + "SDOHCC-ServiceRequest"
SDOHCC_TASK = SDOHCC + "SDOHCC-TaskForReferralManagement"
VERIFICATION = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
)
SDOH_CATEGORIES = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
)


def read(client, user, path, model):
    response = client.get(f"/fhir/{path}", **bearer(user))
    assert response.status_code == 200, response.content[:300]
    return model.model_validate_json(response.content)


def test_the_capability_statement_lists_the_profiles_claimed(client):
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/metadata").content)
    profiles = {r.type: r.supportedProfile for r in statement.rest[0].resource}
    assert profiles["Patient"] == [UK_CORE_PATIENT]
    assert profiles["ServiceRequest"] == [SDOHCC_SERVICE_REQUEST]
    assert profiles["Task"] == [SDOHCC_TASK]
    assert profiles["Consent"] is None  # nothing claimed where nothing is conformed to


def test_a_patient_claims_uk_core_with_an_untraced_nhs_number(client, pcn, worker):
    case = make_case(pcn=pcn, by=worker, nhs_number="9434765919")
    patient = read(client, worker, f"Patient/{case.person_id}", Patient)
    assert patient.meta.profile == [UK_CORE_PATIENT]
    (nhs,) = patient.identifier
    assert (nhs.system, nhs.value) == ("https://fhir.nhs.uk/Id/nhs-number", "9434765919")
    (status,) = nhs.extension
    assert status.url == VERIFICATION
    coding = status.valueCodeableConcept.coding[0]
    assert (coding.system, coding.code) == (
        "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
        "02",
    )
    assert coding.display == "Number present but not traced"
    # without an NHS number there is nothing to verify, and UK Core asks for none
    unnumbered = read(client, worker, f"Patient/{make_case(pcn=pcn, by=worker).person_id}", Patient)
    assert unnumbered.meta.profile == [UK_CORE_PATIENT] and unnumbered.identifier is None


def test_a_referral_claims_gravity_with_what_the_profiles_require(client, practice, worker):
    gp = user_with_role(Role.REFERRER, practice)
    case = make_case(practice=practice, referrer=gp)
    request = read(client, gp, f"ServiceRequest/{case.referral_id}", ServiceRequest)
    assert request.meta.profile == [SDOHCC_SERVICE_REQUEST]
    assert request.status and request.intent == "order" and request.code.coding
    # the person as the GP's referral described them, not the PCN's record
    assert request.subject.reference == f"Patient/referral-{case.referral_id}"
    # category:SDOHCC 1..*: the referral's reason (loneliness) is Gravity's social connection
    assert [(c.coding[0].system, c.coding[0].code) for c in request.category] == [
        (SDOH_CATEGORIES, "social-connection")
    ]
    task = read(client, gp, f"Task/{case.referral_id}", Task)
    assert task.meta.profile == [SDOHCC_TASK]
    assert (task.intent, task.code.coding[0].code) == ("order", "fulfill")
    assert task.focus.reference == f"ServiceRequest/{case.referral_id}" and task.authoredOn
    assert task.requester.type == "Organization"
    assert task.requester.identifier.value == practice.ods_code
    # the onward referral's subtask: requested by the PCN whose link worker made it
    service, _ = provider_with_user()
    connection = connect(case, service, worker)
    subtask = read(client, worker, f"Task/connection-{connection.pk}", Task)
    assert subtask.meta.profile == [SDOHCC_TASK]
    assert subtask.requester.identifier.value == practice.parent.ods_code


def test_categories_follow_the_reasons_and_default_to_unspecified():
    from linkwell.interop.fhir_referrals import sdoh_categories

    codes = [c["coding"][0]["code"] for c in sdoh_categories(["food", "money", "food"])]
    assert codes == ["food-insecurity", "financial-insecurity"]
    codes = [c["coding"][0]["code"] for c in sdoh_categories(["bereavement"])]
    assert codes == ["sdoh-category-unspecified"]


def test_a_self_referral_task_claims_no_gravity_profile(client, practice, worker):
    """Gravity's Task needs a requester (an Organization); a person referring themselves has
    none, so their Task does not claim the profile, though its ServiceRequest still does."""
    referral, _ = make_referral(
        origin_code=practice.ods_code,
        person=person_details(),
        source="self",
        reasons=["money"],
        consent_given=True,
        by=None,
    )
    task = read(client, worker, f"Task/{referral.pk}", Task)
    assert task.requester is None and task.meta.profile is None
    request = read(client, worker, f"ServiceRequest/{referral.pk}", ServiceRequest)
    assert request.meta.profile == [SDOHCC_SERVICE_REQUEST]


@pytest.fixture
def gp(practice):
    return user_with_role(Role.REFERRER, practice)


def transact(client, gp, prefer):
    headers = {"HTTP_PREFER": f"return={prefer}"} if prefer else {}
    response = client.post(
        "/fhir/",
        json.dumps(gravity_bundle()),
        content_type="application/fhir+json",
        **bearer(gp),
        **headers,
    )
    assert response.status_code == 201, response.content[:300]
    return Bundle.model_validate_json(response.content)


@pytest.mark.parametrize("prefer", ["", "representation"])
def test_a_transaction_answers_the_task_in_full_by_default(client, gp, prefer):
    task = transact(client, gp, prefer).entry[-1]
    assert task.resource.status == "requested"
    assert task.response.etag == f'W/"{task.resource.meta.versionId}"'


def test_prefer_minimal_leaves_the_resources_out_of_the_entries(client, gp):
    reply = transact(client, gp, "minimal")  # still the Bundle: Prefer shapes its entries
    assert reply.type == "transaction-response"
    assert all(e.resource is None for e in reply.entry)
    referral = Referral.objects.get()
    last = reply.entry[-1].response
    assert last.location.startswith(f"Task/{referral.pk}/_history/")
    assert last.etag == 'W/"{}"'.format(last.location.rsplit("/", 1)[1])


def test_prefer_operation_outcome_puts_one_on_each_entry_written(client, gp):
    reply = transact(client, gp, "OperationOutcome")
    last = reply.entry[-1]
    assert last.resource is None
    assert last.response.outcome.issue[0].severity == "information"
    assert last.response.location in last.response.outcome.issue[0].diagnostics
    # the Condition entry Linkwell does not keep: its outcome says it was read into the
    # referral, with no location of its own
    condition = reply.entry[2].response
    assert condition.location is None
    assert "Read into ServiceRequest/" in condition.outcome.issue[0].diagnostics


def test_questionnaire_canonical_urls_do_not_follow_the_host(client, worker, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    settings.FHIR_CANONICAL_BASE = "https://fhir.linkwell.test/fhir"
    seen = set()
    for host in ("one.example", "two.example"):
        response = client.get("/fhir/Questionnaire/ucla3", HTTP_HOST=host, **bearer(worker))
        questionnaire = Questionnaire.model_validate_json(response.content)
        systems = {o.valueCoding.system for i in questionnaire.item for o in i.answerOption}
        seen.add((questionnaire.url, frozenset(systems)))
    ((url, systems),) = seen
    assert url == "https://fhir.linkwell.test/fhir/Questionnaire/ucla3"
    assert all(s.startswith(f"{url}#") for s in systems)
