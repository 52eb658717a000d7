"""Concurrent retries of one referral (issue 15.4): real threads, real connections.

A GP system that times out retries with the same Idempotency-Key, sometimes many times at
once. Exactly one referral and one person must come of it: the person is created in the
same atomic unit as the referral, so a request that loses the race for the key takes its
new person record with it.
"""

import json

import pytest
from django.test import Client

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.cases.models import Case, Referral
from linkwell.people.models import Person
from tests.concurrency import at_once, needs_concurrent_writers
from tests.factories import PracticeFactory, user_with_role, valid_nhs_number
from tests.interop.test_fhir_referrals import social_prescribing_bundle

ATTEMPTS = 12


def post_all_at_once(
    body: dict,
    token: str,
    path="/api/v1/referrals",
    content_type="application/json",
    key="retry-storm-1",
) -> list[int]:
    """POST the same referral from ATTEMPTS threads released together; their statuses."""
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    def attempt():
        return (
            Client()
            .post(
                path,
                json.dumps(body),
                content_type=content_type,
                HTTP_AUTHORIZATION=f"Bearer {token}",
                **headers,
            )
            .status_code
        )

    return at_once(attempt, ATTEMPTS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("nhs_number", ["", valid_nhs_number(5)])
def test_simultaneous_retries_make_one_referral_and_one_person(nhs_number):
    needs_concurrent_writers()
    gp = user_with_role(Role.REFERRER, PracticeFactory())
    body = {
        "person": {
            "given_name": "Retry",
            "family_name": "Storm",
            "date_of_birth": "1950-05-17",
            "nhs_number": nhs_number,
            "phone": "0113 496 0000",
        },
        "reasons": ["loneliness"],
        "consent_given": True,
    }
    statuses = post_all_at_once(body, create_token(user=gp))
    assert sorted(statuses) == [200] * (ATTEMPTS - 1) + [201]
    assert Referral.objects.count() == 1 and Case.objects.count() == 1
    assert Person.objects.count() == 1  # no orphans
    created = AuditEntry.objects.filter(action="create", object_type="people.person")
    assert created.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_fhir_retries_with_one_identifier_make_one_referral():
    """The FHIR ServiceRequest.identifier is a key of its own (issue 18): the same race."""
    needs_concurrent_writers()
    gp = user_with_role(Role.REFERRER, PracticeFactory())
    statuses = post_all_at_once(
        social_prescribing_bundle(),
        create_token(user=gp),
        path="/fhir/",
        content_type="application/fhir+json",
        key="",
    )
    assert sorted(statuses) == [200] * (ATTEMPTS - 1) + [201]
    assert Referral.objects.get().identifier == "urn:gp-system|R-42"
    assert Person.objects.count() == 1
