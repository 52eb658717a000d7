import pytest
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.accounts.services import create_token
from linkwell.cases.models import Case, Referral
from linkwell.people.models import Person
from tests.factories import make_case, valid_nhs_number

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}


def referral_body(**person):
    body = {
        "person": {
            "given_name": "Ann",
            "family_name": "Other",
            "date_of_birth": "1948-02-29",
            "nhs_number": valid_nhs_number(7),
            "postcode": "ls1 4ap",
            "phone": "0113 496 0000",
        },
        "reasons": ["loneliness", "physical_activity"],
        "consent_given": True,
        "details": "Recently widowed.",
    }
    body["person"].update(person)
    return body


def post(client, url, body, user, **headers):
    return client.post(url, body, content_type="application/json", **bearer(user), **headers)


def test_a_referrer_makes_a_referral_and_sees_its_status(client, referrer, practice):
    response = post(client, "/api/v1/referrals", referral_body(), referrer)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "received" and data["person"]["family_name"] == "Other"
    referral = Referral.objects.get(pk=data["id"])
    assert referral.referring_organisation == practice and referral.person.postcode == "LS1 4AP"
    listed = client.get("/api/v1/referrals", **bearer(referrer)).json()
    assert [r["id"] for r in listed["items"]] == [data["id"]]


def test_a_retried_request_with_the_same_key_makes_one_referral(client, referrer):
    first = post(client, "/api/v1/referrals", referral_body(), referrer, HTTP_IDEMPOTENCY_KEY="abc")
    again = post(client, "/api/v1/referrals", referral_body(), referrer, HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1
    different = post(
        client,
        "/api/v1/referrals",
        referral_body(given_name="Bea"),
        referrer,
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert different.status_code == 409
    assert different.json()["detail"][0]["loc"] == ["body", "Idempotency-Key"]


@pytest.mark.parametrize(
    "change,loc",
    [
        ({"person": {"nhs_number": "9434765918"}}, ["body", "person", "nhs_number"]),
        ({"person": {"date_of_birth": "2999-01-01"}}, ["body", "person", "date_of_birth"]),
        ({"person": {"postcode": "XYZ"}}, ["body", "person", "postcode"]),
        ({"reasons": ["astrology"]}, ["body", "payload", "reasons", 0]),
        ({"details": "x" * 5001}, ["body", "payload", "details"]),
        ({"consent_given": False}, ["body", "payload", "consent_given"]),
    ],
)
def test_bad_referrals_get_422_with_the_field_path_and_save_nothing(client, referrer, change, loc):
    body = referral_body()
    for key, value in change.items():
        if key == "person":
            body["person"].update(value)
        else:
            body[key] = value
    response = post(client, "/api/v1/referrals", body, referrer)
    assert response.status_code == 422, response.content
    locs = [item["loc"] for item in response.json()["detail"]]
    assert loc in locs, locs
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_the_link_worker_works_a_case_through_the_api(client, link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker)
    url = f"/api/v1/cases/{case.pk}"
    contact = post(
        client,
        f"{url}/contacts",
        {"at": timezone.now().isoformat(), "mode": "phone", "minutes": 25},
        link_worker,
    )
    assert contact.status_code == 201, contact.content
    assert (
        post(
            client,
            f"{url}/what-matters",
            {"what_matters": "My garden", "needs": ["loneliness"]},
            link_worker,
        ).status_code
        == 201
    )
    plan = client.put(
        f"{url}/care-plan",
        {"summary": "Community garden"},
        content_type="application/json",
        **bearer(link_worker),
    )
    assert plan.status_code == 200
    assert (
        post(client, f"{url}/goals", {"description": "Plant potatoes"}, link_worker).status_code
        == 201
    )
    assert (
        post(
            client, f"{url}/tasks", {"title": "Ring", "due_on": "2030-01-01"}, link_worker
        ).status_code
        == 201
    )
    done = post(
        client, f"{url}/transitions", {"to": "discharged", "note": "Settled in"}, link_worker
    )
    assert done.status_code == 200 and done.json()["status"] == "discharged"
    detail = client.get(url, **bearer(link_worker)).json()
    assert [e["to_status"] for e in detail["events"]] == [
        "received",
        "contacted",
        "assessed",
        "supported",
        "discharged",
    ]
    assert detail["care_plan"]["goals"][0]["description"] == "Plant potatoes"
    again = post(client, f"{url}/transitions", {"to": "contacted"}, link_worker)
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "to"]
    assert Case.objects.get(pk=case.pk).status == "discharged"


def test_another_organisations_case_is_404_and_audited(client, link_worker, other_practice):
    theirs = make_case(practice=other_practice, by=None)
    response = client.get(f"/api/v1/cases/{theirs.pk}", **bearer(link_worker))
    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="denied")
    assert (denied.user, denied.object_type, denied.object_id) == (
        link_worker,
        "cases.case",
        str(theirs.pk),
    )


def test_no_token_is_401_and_a_revoked_token_stops_working(client, referrer):
    from linkwell.accounts.services import revoke_token

    assert client.get("/api/v1/referrals").status_code == 401
    token = create_token(user=referrer)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/referrals", **headers).status_code == 200
    revoke_token(prefix=token.split("_")[1])
    assert client.get("/api/v1/referrals", **headers).status_code == 401


def test_openapi_is_published(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/referrals" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_a_suggested_service_is_shortlisted_and_a_retired_one_saves_nothing(client, referrer):
    from linkwell.directory.models import Service
    from tests.connections.factories import provider_service

    service = provider_service()
    Service.objects.filter(pk=service.pk).update(retired_at=timezone.now())
    body = referral_body()
    body["service_id"] = service.pk
    refused = post(client, "/api/v1/referrals", body, referrer)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "service"]
    assert not Referral.objects.exists() and not Person.objects.exists()
    Service.objects.filter(pk=service.pk).update(retired_at=None)
    made = post(client, "/api/v1/referrals", body, referrer)
    assert made.status_code == 201
    case = Case.objects.get(pk=made.json()["case_id"])
    assert [e.service_id for e in case.shortlist.all()] == [service.pk]
