"""Recording the standard's items a referral may lack: on the case page and through the API."""

import json

import pytest

from linkwell.accounts.services import create_token
from linkwell.cases.models import Risk
from linkwell.people.models import Person
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_follow_up_advice_and_address_recorded_by_page_and_api(client, practice, link_worker):
    case = make_case(practice=practice, by=link_worker)
    client.force_login(link_worker)
    saved = client.post(
        f"/cases/{case.pk}/follow-up-advice/", {"follow_up_advice": "Review in 3 months"}
    )
    assert saved.status_code == 302
    saved = client.post(
        f"/cases/{case.pk}/address/", {"address": "4 Park Row\nLeeds", "postcode": "ls1 5hd"}
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.follow_up_advice == "Review in 3 months"
    assert case.person.address == "4 Park Row\nLeeds" and case.person.postcode == "LS1 5HD"
    assert b"4 Park Row" in client.get(f"/cases/{case.pk}/").content
    assert b"Review in 3 months" in client.get(f"/cases/{case.pk}/message-back/").content

    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=link_worker)}"}
    response = client.put(
        f"/api/v1/cases/{case.pk}/follow-up-advice",
        json.dumps({"follow_up_advice": "Call the practice if low mood returns"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    assert response.json()["follow_up_advice"] == "Call the practice if low mood returns"
    response = client.put(
        f"/api/v1/cases/{case.pk}/address",
        json.dumps({"address": "5 Park Row", "postcode": "LS1 5HD"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200 and response.json()["address"] == "5 Park Row"


def test_a_bad_postcode_is_refused_by_the_field_and_nothing_changes(client, practice, link_worker):
    case = make_case(practice=practice, by=link_worker)
    client.force_login(link_worker)
    response = client.post(f"/cases/{case.pk}/address/", {"address": "1 Road", "postcode": "nope"})
    assert response.status_code == 422 and b"real UK postcode" in response.content
    assert Person.objects.get(pk=case.person_id).address == ""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=link_worker)}"}
    response = client.put(
        f"/api/v1/cases/{case.pk}/address",
        json.dumps({"address": "1 Road", "postcode": "nope"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "postcode"]


def test_gp_practice_recorded_at_referral_and_on_the_case(client, practice, link_worker):
    # A practice's own referral names it as the person's GP practice.
    case = make_case(practice=practice, by=link_worker)
    assert case.person.gp_practice_code == practice.ods_code.upper()
    client.force_login(link_worker)
    saved = client.post(f"/cases/{case.pk}/gp-practice/", {"gp_practice_code": "b82005"})
    assert saved.status_code == 302
    assert Person.objects.get(pk=case.person_id).gp_practice_code == "B82005"
    assert b"B82005" in client.get(f"/cases/{case.pk}/").content
    refused = client.post(f"/cases/{case.pk}/gp-practice/", {"gp_practice_code": "12345"})
    assert refused.status_code == 422 and b"a letter and 5 digits" in refused.content
    assert Person.objects.get(pk=case.person_id).gp_practice_code == "B82005"

    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=link_worker)}"}
    url = f"/api/v1/cases/{case.pk}/gp-practice"
    response = client.put(
        url, json.dumps({"gp_practice_code": "V81997"}), content_type="application/json", **auth
    )
    assert response.status_code == 200 and response.json()["gp_practice_code"] == "V81997"
    response = client.put(
        url, json.dumps({"gp_practice_code": "ABCDEF"}), content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert Person.objects.get(pk=case.person_id).gp_practice_code == "V81997"


def test_risks_or_no_known_risks_recorded_by_page_and_api(client, practice, link_worker):
    case = make_case(practice=practice, by=link_worker)
    client.force_login(link_worker)
    refused = client.post(f"/cases/{case.pk}/risk/", {})
    assert refused.status_code == 422 and b"no known risks" in refused.content
    saved = client.post(
        f"/cases/{case.pk}/risk/",
        {"description": "Self-neglect", "started_on": "2026-01-05", "comment": "Lives alone"},
    )
    assert saved.status_code == 302
    risk = Risk.objects.get(case=case)
    assert (risk.description, str(risk.started_on), risk.comment) == (
        "Self-neglect",
        "2026-01-05",
        "Lives alone",
    )
    page = client.get(f"/cases/{case.pk}/")
    assert b"Self-neglect" in page.content and b"<caption" in page.content
    # A current risk cannot be overruled by "no known risks".
    refused = client.post(f"/cases/{case.pk}/risk/", {"no_known_risks": "on"})
    assert refused.status_code == 422 and b"give it an end date" in refused.content

    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=link_worker)}"}
    other = make_case(practice=practice, by=link_worker, family_name="Other")
    url = f"/api/v1/cases/{other.pk}/risks"
    response = client.post(
        url, json.dumps({"no_known_risks": True}), content_type="application/json", **auth
    )
    assert response.status_code == 201 and response.json()["no_known_risks"] is True
    response = client.post(
        url,
        json.dumps({"description": "Risk of falls", "ended_on": "2026-01-01"}),
        content_type="application/json",
        **auth,
    )
    body = response.json()
    assert response.status_code == 201 and body["no_known_risks"] is False
    assert [r["description"] for r in body["risks"]] == ["Risk of falls"]
    bad = client.post(
        url,
        json.dumps({"description": "x", "started_on": "2026-02-01", "ended_on": "2026-01-01"}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and Risk.objects.filter(case=other).count() == 1
