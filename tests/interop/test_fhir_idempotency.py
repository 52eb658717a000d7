"""Re-posting a FHIR referral (issue 18): the same ServiceRequest.identifier or Idempotency-Key
with the same referral returns the first (200, the same resource); with a different referral
it is a 409 Conflict naming what was reused, and nothing is saved."""

import importlib
import json

import pytest
from django.apps import apps
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest

from linkwell import write_guard
from linkwell.accounts.models import Role
from linkwell.cases.models import Referral
from linkwell.people.models import Person
from tests.factories import arrange, make_case, user_with_role
from tests.interop.test_fhir_referrals import (
    bearer,
    patient_location,
    post,
    social_prescribing_bundle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gp(practice):
    return user_with_role(Role.REFERRER, practice)


def conflict(response) -> str:
    assert response.status_code == 409, response.content[:400]
    assert response["Content-Type"].startswith("application/fhir+json")
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert issue.code == "conflict" and issue.severity == "error"
    return issue.expression[0]


def made_task(response) -> str:
    return Bundle.model_validate_json(response.content).entry[-1].resource.id


def test_the_same_identifier_with_the_same_referral_returns_the_first(client, gp):
    first = post(client, gp, social_prescribing_bundle())
    again = post(client, gp, social_prescribing_bundle())
    assert (first.status_code, again.status_code) == (201, 200)
    assert made_task(first) == made_task(again) and Referral.objects.count() == 1


def test_the_same_identifier_with_a_different_referral_is_a_conflict(client, gp):
    assert post(client, gp, social_prescribing_bundle()).status_code == 201
    changed = social_prescribing_bundle()
    changed["entry"][1]["resource"]["note"] = [{"text": "Another person's story"}]
    assert conflict(post(client, gp, changed)) == "Bundle.entry[1].resource.identifier"
    other_person = social_prescribing_bundle()
    other_person["entry"][0]["resource"]["birthDate"] = "1961-01-01"
    assert conflict(post(client, gp, other_person)) == "Bundle.entry[1].resource.identifier"
    assert Referral.objects.count() == 1 and Person.objects.count() == 1
    assert Referral.objects.get().submitted_request["note"][0]["text"] == (
        "Sofa-surfing since March"
    )


def test_a_service_request_reusing_an_identifier_is_a_conflict_at_its_identifier(client, gp):
    made = post(client, gp, social_prescribing_bundle())
    assert made.status_code == 201
    request = social_prescribing_bundle()["entry"][1]["resource"]
    request["subject"] = {"reference": patient_location(made)}
    request.pop("reasonCode")
    first = post(client, gp, request, path="/fhir/ServiceRequest")
    # The same identifier for a referral sent differently (alone, without its reasons)
    assert conflict(first) == "ServiceRequest.identifier"
    request["identifier"][0]["value"] = "R-43"
    made = post(client, gp, request, path="/fhir/ServiceRequest")
    again = post(client, gp, request, path="/fhir/ServiceRequest")
    assert (made.status_code, again.status_code) == (201, 200)
    first_read = ServiceRequest.model_validate_json(made.content)
    assert ServiceRequest.model_validate_json(again.content).id == first_read.id
    assert Referral.objects.count() == 2


def test_the_same_referral_as_xml_is_a_retry_not_a_conflict(client, gp):
    body = social_prescribing_bundle()
    assert post(client, gp, body).status_code == 201
    xml = Bundle.model_validate(body).model_dump_xml(exclude_none=True)
    again = client.post("/fhir/", xml, content_type="application/fhir+xml", **bearer(gp))
    assert again.status_code == 200, again.content[:400]
    assert Referral.objects.count() == 1


def post_keyed(client, gp, body, key, path="/fhir/"):
    return client.post(
        path,
        json.dumps(body),
        content_type="application/fhir+json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(gp),
    )


def without_identifier():
    body = social_prescribing_bundle()
    body["entry"][1]["resource"].pop("identifier")
    return body


def test_an_idempotency_key_makes_a_retry_return_the_first_referral(client, gp):
    first = post_keyed(client, gp, without_identifier(), "gp-retry-1")
    again = post_keyed(client, gp, without_identifier(), "gp-retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert made_task(first) == made_task(again) and Referral.objects.count() == 1
    assert Referral.objects.get().idempotency_key == "gp-retry-1"
    # Without the key (and with no identifier) the same referral is a second one, as before.
    assert post(client, gp, without_identifier()).status_code == 201


def test_an_idempotency_key_reused_for_a_different_referral_is_a_conflict(client, gp):
    assert post_keyed(client, gp, without_identifier(), "gp-retry-2").status_code == 201
    different = without_identifier()
    different["entry"][1]["resource"]["priority"] = "routine"
    assert conflict(post_keyed(client, gp, different, "gp-retry-2")) == "Idempotency-Key"
    assert Referral.objects.count() == 1


def test_a_key_first_used_on_the_json_api_is_the_same_key_on_fhir(client, gp, pcn):
    """One key space per caller, as the keys are the JSON API's own (make_referral)."""
    api = client.post(
        "/api/v1/referrals",
        json.dumps(
            {
                "person": {
                    "given_name": "Ann",
                    "family_name": "Other",
                    "date_of_birth": "1950-01-02",
                    "phone": "0113 496 0000",
                },
                "reasons": ["loneliness"],
                "consent_given": True,
            }
        ),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared-key",
        **bearer(gp),
    )
    assert api.status_code == 201, api.content
    assert conflict(post_keyed(client, gp, without_identifier(), "shared-key")) == (
        "Idempotency-Key"
    )


def test_a_key_too_long_is_refused_at_the_header(client, gp):
    response = post_keyed(client, gp, without_identifier(), "k" * 101)
    assert response.status_code == 422
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert issue.expression == ["Idempotency-Key"] and "100 characters" in issue.diagnostics
    assert not Referral.objects.exists()


def test_the_capability_statement_says_how_to_retry(client):
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/metadata").content)
    rest = statement.rest[0]
    transaction = next(i for i in rest.interaction if i.code == "transaction")
    assert "Idempotency-Key" in transaction.documentation
    assert "409" in transaction.documentation
    service_request = next(r for r in rest.resource if r.type == "ServiceRequest")
    create = next(i for i in service_request.interaction if i.code == "create")
    assert "Idempotency-Key" in create.documentation


def test_the_migration_moves_fhir_identifiers_out_of_the_idempotency_key(gp, practice):
    """0009: a FHIR referral kept its identifier as its idempotency key; an API one its key."""
    fhir = arrange(
        make_case(referrer=gp, practice=practice).referral,
        idempotency_key="urn:gp-system|R-7",
        submitted_request={"identifier": [{"system": "urn:gp-system", "value": "R-7"}]},
    )
    api = arrange(make_case(referrer=gp, practice=practice).referral, idempotency_key="k1")
    migration = importlib.import_module("linkwell.cases.migrations.0009_referral_identifier")
    # Run on today's models, which the write guard covers (a migration's historical ones are not).
    with write_guard.allowed("running a data migration's function on today's models"):
        migration.identifier_out_of_idempotency_key(apps, None)
    fhir.refresh_from_db()
    api.refresh_from_db()
    assert (fhir.identifier, fhir.idempotency_key) == ("urn:gp-system|R-7", "")
    assert (api.identifier, api.idempotency_key) == ("", "k1")
