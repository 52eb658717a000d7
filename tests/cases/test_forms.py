"""Forms show every error in one round, and phone numbers must be UK numbers."""

import pytest

from linkwell.cases.models import Referral
from linkwell.people.identifiers import validate_uk_phone
from tests.cases.test_views import form

pytestmark = pytest.mark.django_db


def test_every_error_shows_in_the_first_round(client, referrer):
    client.force_login(referrer)
    response = client.post(
        "/referrals/new/",
        form(dob_year="2990", nhs_number="943 476 5918", phone="abc", postcode="LS1"),
    )
    body = response.content.decode()
    assert "Date of birth must be in the past." in body
    assert "This is not a valid NHS number: check the digits." in body
    assert "Enter a UK phone number" in body
    assert "Enter a real UK postcode" in body
    assert not Referral.objects.exists()


def test_a_way_to_reach_them_is_asked_for_beside_other_errors(client, referrer):
    client.force_login(referrer)
    body = client.post(
        "/referrals/new/", form(preferred_contact="email", email="", dob_year="2990")
    ).content.decode()
    assert "Give an email address to contact them by email." in body
    assert "Date of birth must be in the past." in body


@pytest.mark.parametrize(
    "number", ["0113 496 0000", "07700 900123", "+44 20 7946 0958", "01632 960001", "07911123456"]
)
def test_uk_numbers_are_accepted(number):
    validate_uk_phone(number)


@pytest.mark.parametrize("number", ["abc", "999", "0113 496", "+1 202 555 0100", "07700 9001234"])
def test_other_numbers_are_refused(number):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Enter a UK phone number"):
        validate_uk_phone(number)


def test_the_api_refuses_a_phone_number_that_is_not_one(client, referrer):
    from linkwell.accounts.services import create_token

    body = {
        "person": {
            "given_name": "Al",
            "family_name": "Other",
            "date_of_birth": "1950-01-01",
            "postcode": "LS1 4AP",
            "phone": "not a number",
        },
        "reasons": ["loneliness"],
        "consent_given": True,
    }
    response = client.post(
        "/api/v1/referrals",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=referrer)}",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "phone"


def test_the_contact_line_labels_each_way_to_reach_them(client, link_worker, pcn):
    from tests.factories import make_case

    case = make_case(pcn=pcn, by=link_worker, preferred_contact="email", email="ann@example.org")
    client.force_login(link_worker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Prefers: email" in page
    assert "Phone: 07700 900123" in page and "Email: ann@example.org" in page
    assert "Email: 07700" not in page
