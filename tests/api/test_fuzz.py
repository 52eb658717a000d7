"""Property-based fuzzing of the JSON API from its own OpenAPI description (schemathesis).

Every operation is called with generated valid and invalid input, as a link worker with a
real token: no response may be a 5xx, and every response must match the documented shape.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.wsgi import application
from tests.factories import make_case, user_with_role

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
