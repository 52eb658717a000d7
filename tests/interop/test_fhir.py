"""FHIR read-out: QuestionnaireResponse and Observation that validate as fhir.resources models."""

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.outcomes.self_completion import complete_link, create_link
from linkwell.outcomes.services import record_administration
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
FHIR_JSON = "application/fhir+json; charset=utf-8"


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}


def take(case, worker, instrument="swemwbs", answers=(4, 3, 3, 4, 3, 3, 3)):
    return record_administration(
        case=case,
        instrument=instrument,
        answers=list(answers),
        timepoint="baseline",
        mode="phone",
        by=worker,
    )


def test_a_questionnaire_response_with_every_answer(client, case, worker):
    taken = take(case, worker)
    response = client.get(f"/fhir/QuestionnaireResponse/{taken.pk}", **bearer(worker))
    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    resource = QuestionnaireResponse.model_validate_json(response.content)
    assert (
        resource.status == "completed" and resource.subject.reference == f"Patient/{case.person_id}"
    )
    assert resource.questionnaire.endswith("/fhir/Questionnaire/swemwbs")
    assert [i.answer[0].valueCoding.code for i in resource.item] == [
        "4",
        "3",
        "3",
        "4",
        "3",
        "3",
        "3",
    ]
    assert resource.item[0].linkId == "optimistic"


def test_an_observation_for_the_total(client, case, worker):
    taken = take(case, worker)
    resource = Observation.model_validate_json(
        client.get(f"/fhir/Observation/{taken.pk}", **bearer(worker)).content
    )
    assert float(resource.valueQuantity.value) == 20.73 and resource.status == "final"
    assert resource.derivedFrom[0].reference == f"QuestionnaireResponse/{taken.pk}"


def test_ons4_has_no_total_so_its_observation_has_one_component_per_question(client, case, worker):
    taken = take(case, worker, instrument="ons4", answers=(7, None, 5, 2))
    resource = Observation.model_validate_json(
        client.get(f"/fhir/Observation/{taken.pk}", **bearer(worker)).content
    )
    assert resource.valueQuantity is None
    assert [c.valueQuantity.value for c in resource.component] == [7, 5, 2]
    assert [c.interpretation[0].text for c in resource.component] == ["high", "medium", "low"]


def test_a_self_completed_response_names_the_person_as_its_source(client, case, worker):
    _, token = create_link(case=case, instrument="ucla3", timepoint="baseline", by=worker)
    taken = complete_link(token=token, answers=[1, 2, 1])
    resource = QuestionnaireResponse.model_validate_json(
        client.get(f"/fhir/QuestionnaireResponse/{taken.pk}", **bearer(worker)).content
    )
    assert resource.source.reference == f"Patient/{case.person_id}" and resource.author is None


def test_questionnaire_definitions(client, worker):
    resource = Questionnaire.model_validate_json(
        client.get("/fhir/Questionnaire/ucla3", **bearer(worker)).content
    )
    assert [i.linkId for i in resource.item] == ["companionship", "left_out", "isolated"]
    assert len(resource.item[0].answerOption) == 3


@pytest.mark.parametrize("path", ["QuestionnaireResponse", "Observation"])
def test_someone_elses_or_a_missing_record_is_a_404_operation_outcome_and_audited(
    client, case, worker, other_practice, path
):
    taken = take(case, worker)
    stranger = user_with_role(Role.LINK_WORKER, other_practice.parent)
    for pk in (taken.pk, 999999, "abc"):
        response = client.get(f"/fhir/{path}/{pk}", **bearer(stranger))
        assert response.status_code == 404 and response["Content-Type"] == FHIR_JSON
        assert OperationOutcome.model_validate_json(response.content).issue[0].code == "not-found"
    assert AuditEntry.objects.filter(action="denied", user=stranger).count() == 3


def test_no_credentials_is_a_401_operation_outcome(client, case, worker):
    taken = take(case, worker)
    response = client.get(f"/fhir/QuestionnaireResponse/{taken.pk}")
    assert response.status_code == 401
    assert OperationOutcome.model_validate_json(response.content).issue[0].code == "login"
    bad_token = client.get(f"/fhir/Observation/{taken.pk}", HTTP_AUTHORIZATION="Bearer lw_x_y")
    assert bad_token.status_code == 401


def test_a_role_without_the_caseload_is_refused(client, case, worker, practice):
    taken = take(case, worker)
    referrer = user_with_role(Role.REFERRER, practice)
    response = client.get(f"/fhir/Observation/{taken.pk}", **bearer(referrer))
    assert response.status_code == 403
    OperationOutcome.model_validate_json(response.content)


def test_a_session_works_too(client, case, worker):
    taken = take(case, worker)
    client.force_login(worker)
    assert client.get(f"/fhir/Observation/{taken.pk}").status_code == 200
