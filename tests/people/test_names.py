"""Names are one Unicode form (NFC) and carry no control or format characters, on every door
(issue 15, item 16)."""

import json

import pytest

from linkwell.cases.models import Referral
from linkwell.people.models import Person
from tests.cases.test_api import post, referral_body
from tests.factories import make_case
from tests.interop.test_fhir_referrals import bearer, gravity_bundle
from tests.portal.test_self_referral import answers

pytestmark = pytest.mark.django_db
HIDDEN = ["Smi\u200bth", "\u202ehtimS", "Smith\u200d", "Smi\u2066th", "Smi\u0007th", "\ufeffSmith"]


def test_a_name_is_stored_in_one_unicode_form(pcn):
    case = make_case(pcn=pcn, given_name="Zoe\u0301", family_name="Ame\u0301lie")
    person = Person.objects.get(pk=case.person_id)
    assert person.given_name == "Zo\u00e9" and person.family_name == "Am\u00e9lie"


@pytest.mark.parametrize("name", HIDDEN)
def test_the_api_refuses_hidden_characters_in_a_name(client, referrer, name):
    response = post(client, "/api/v1/referrals", referral_body(family_name=name), referrer)
    assert response.status_code == 422, response.content
    assert "invisible or control characters" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("name", HIDDEN[:3])
def test_self_referral_refuses_hidden_characters_in_a_name(client, practice, name):
    response = client.post("/refer-yourself/", answers(family_name=name))
    assert "invisible or control characters" in response.content.decode()
    assert not Referral.objects.exists()


def test_fhir_refuses_hidden_characters_in_a_name(client, referrer):
    body = json.dumps(gravity_bundle())
    bundle = json.loads(body)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            for name in resource["name"]:
                name["family"] = "\u202eredrum"
    response = client.post(
        "/fhir/", json.dumps(bundle), content_type="application/fhir+json", **bearer(referrer)
    )
    assert response.status_code in (400, 422), response.content[:300]
    assert not Referral.objects.exists()
