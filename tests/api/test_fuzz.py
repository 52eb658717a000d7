"""Property-based fuzzing of the JSON API from its own OpenAPI description (schemathesis),
and of the FHIR endpoints (hypothesis, below).

Every operation is called with generated valid and invalid input, as a link worker with a
real token: no response may be a 5xx, and every response must match the documented shape.
"""

import json
from urllib.parse import quote

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.wsgi import application
from tests.connections.factories import connect, provider_with_user
from tests.factories import make_case, user_with_role
from tests.interop.test_fhir_referrals import gravity_bundle

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# Bounded so CI stays fast: 25 generated requests per operation.
FUZZ_BUDGET = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, whose request signals would close the
    database connection holding the test's transaction; Django's own test client disconnects
    that handler in the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(db, pcn, practice):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    # Referrals made through the API need a referring practice: give the worker one too.
    user_with_role(Role.REFERRER, practice, username=f"{worker.username}-gp")
    for _ in range(3):
        make_case(pcn=pcn, by=worker)
    return create_token(user=worker)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_BUDGET
def test_api_never_errors_and_answers_as_documented(case, token):
    # A schema cannot say "a valid NHS number" or "a real postcode", so a schema-valid body
    # may still be refused with 422 by the domain rules; every other check applies.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
    )


oruk = schemathesis.openapi.from_wsgi("/oruk/openapi.json", application)


@pytest.fixture
def directory(db):
    from tests.directory.factories import load, record

    load(record(name="Walking group"), record(name="Debt advice"), record())


@pytest.mark.django_db
@oruk.parametrize()
@FUZZ_BUDGET
def test_oruk_api_never_errors_and_answers_as_documented(case, directory):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


# The FHIR endpoints have no OpenAPI description: they are fuzzed property by property instead,
# with the same budget per test. Whatever is sent, the answer is never a 5xx; a refusal is an
# OperationOutcome, and one about the content (422) names the element it concerns.


TASK_STATUSES = [
    "draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
    "in-progress", "on-hold", "failed", "completed", "entered-in-error",
]  # fmt: skip
LINKWELL_STATUSES = ["sent", "accepted", "declined", "attended", "did_not_attend", "completed",
                     "withdrawn"]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def fhir_answer(response) -> None:
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith("application/fhir+json")
    if response.status_code >= 400:
        outcome = OperationOutcome.model_validate_json(response.content)
        issue = outcome.issue[0]
        assert issue.severity == "error" and issue.diagnostics
        if response.status_code == 422:
            assert issue.expression and issue.expression[0], issue.diagnostics


@pytest.fixture
def fhir(client, pcn, practice):
    """A GP who refers, and a provider with one open onward referral to update."""
    worker = user_with_role(Role.LINK_WORKER, pcn)
    gp = user_with_role(Role.REFERRER, practice, username=f"{worker.username}-gp")
    service, volunteer = provider_with_user()
    connection = connect(make_case(pcn=pcn, by=worker), service, worker)

    def send(user, path, body, method="post", content_type="application/fhir+json"):
        auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
        return getattr(client, method)(path, body, content_type=content_type, **auth)

    send.gp, send.volunteer, send.connection = gp, volunteer, connection
    return send


@pytest.mark.django_db
@FUZZ_BUDGET
@given(
    body=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
    path=st.sampled_from(["/fhir/", "/fhir/ServiceRequest"]),
    content_type=st.sampled_from(["application/fhir+json", "application/fhir+xml"]),
)
def test_fhir_malformed_bodies_are_refused_as_operation_outcomes(fhir, body, path, content_type):
    fhir_answer(fhir(fhir.gp, path, body, content_type=content_type))


@pytest.mark.django_db
@FUZZ_BUDGET
@given(
    kind=st.sampled_from(["Patient", "Task", "Bundle", "ServiceRequest", "Basic"]) | st.text(),
    extra=st.dictionaries(st.text(max_size=12), json_values, max_size=5),
)
def test_fhir_wrong_or_broken_resources_are_refused_with_a_path(fhir, kind, extra):
    for path in ("/fhir/", "/fhir/ServiceRequest"):
        fhir_answer(fhir(fhir.gp, path, json.dumps({**extra, "resourceType": kind})))


@pytest.mark.django_db
@FUZZ_BUDGET
@given(
    nhs_number=st.text(alphabet="0123456789 -x", max_size=14) | st.text(max_size=14),
    subject=st.text(max_size=30),
    performer=st.text(max_size=30),
)
def test_fhir_referrals_with_bad_nhs_numbers_and_references(fhir, nhs_number, subject, performer):
    bundle = gravity_bundle()
    patient, request = bundle["entry"][0]["resource"], bundle["entry"][1]["resource"]
    patient["identifier"] = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}]
    request["performer"] = [{"reference": f"HealthcareService/{performer}"}]
    fhir_answer(fhir(fhir.gp, "/fhir/", json.dumps(bundle)))
    request["subject"] = {"reference": subject}
    fhir_answer(fhir(fhir.gp, "/fhir/ServiceRequest", json.dumps(request)))


@pytest.mark.django_db
@FUZZ_BUDGET
@given(
    status=st.sampled_from(TASK_STATUSES) | st.text(max_size=15),
    business=st.sampled_from(LINKWELL_STATUSES) | st.text(max_size=15),
    reason=st.none() | st.text(max_size=30),
    # any id that stays one path segment of /fhir/Task/{id} (others reach no FHIR route)
    task_id=st.sampled_from(["", "connection-0"])
    | st.text(st.characters(exclude_characters="/?#%", exclude_categories=["Cs"]), max_size=20),
    method=st.sampled_from(["put", "post"]),
)
def test_fhir_task_updates_with_random_statuses(fhir, status, business, reason, task_id, method):
    from linkwell.interop.provider_systems import referral_bundle

    connection = fhir.connection
    task = json.loads(referral_bundle(connection).entry[-1].resource.model_dump_json())
    task = {k: v for k, v in task.items() if v is not None}
    task.update(status=status)
    task["businessStatus"] = {"coding": [{"system": "urn:linkwell:status", "code": business}]}
    if reason is not None:
        task["statusReason"] = {"text": reason}
    before = connection.events.count()
    path = f"/fhir/Task/{quote(task_id or f'connection-{connection.pk}', safe='')}"
    response = fhir(fhir.volunteer, path, json.dumps(task), method=method)
    fhir_answer(response)
    if response.status_code != 200:
        assert connection.events.count() == before  # a refusal changes nothing


@pytest.mark.django_db
@FUZZ_BUDGET
@given(
    given_name=st.text(st.characters(categories=["L"]), min_size=1, max_size=12),
    family_name=st.text(st.characters(categories=["L"]), min_size=1, max_size=12),
    birth=st.dates(min_value=__import__("datetime").date(1901, 1, 1)),
)
def test_fhir_referrals_with_another_patients_nhs_number_echo_nothing(
    fhir, given_name, family_name, birth
):
    """Whatever name and date of birth come with a known NHS number, the answer holds none of
    the record's details and the record is unchanged (NHS-number matching, issue 15.1)."""
    from linkwell.people.models import Person
    from tests.factories import valid_nhs_number

    number = valid_nhs_number(91)
    held = Person.objects.filter(nhs_number=number).first()
    if held is None:  # referred by another practice of the GP's PCN
        pcn = fhir.connection.case.organisation
        held = make_case(pcn=pcn, nhs_number=number, family_name="Recordsworth").person
    before = {f: getattr(held, f) for f in ("given_name", "family_name", "phone", "postcode")}
    bundle = gravity_bundle()
    patient = bundle["entry"][0]["resource"]
    patient["identifier"] = [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": held.nhs_number}
    ]
    patient["name"] = [{"family": family_name, "given": [given_name]}]
    patient["birthDate"] = birth.isoformat()
    response = fhir(fhir.gp, "/fhir/", json.dumps(bundle))
    fhir_answer(response)
    held.refresh_from_db()
    assert {f: getattr(held, f) for f in before} == before
    if response.status_code == 201:  # and reading back the Patient it names shows none either
        location = json.loads(response.content)["entry"][0]["response"]["location"]
        read = fhir(fhir.gp, f"/fhir/{location}", None, method="get")
        assert read.status_code == 200
        response = read
    assert "Recordsworth" not in response.content.decode() or "Recordsworth" in family_name
