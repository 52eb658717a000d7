"""Onward referrals over the JSON API: the link worker's routes and the provider's."""

import pytest

from linkwell.accounts.models import AuditEntry
from linkwell.accounts.services import create_token
from linkwell.connections.models import Connection
from linkwell.people.models import Consent, ConsentScope
from tests.connections.factories import connect, provider_service, provider_with_user

pytestmark = pytest.mark.django_db


def call(client, user, method, path, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
    if method == "GET":
        return client.get(f"/api/v1{path}", **headers)
    return client.post(f"/api/v1{path}", body or {}, content_type="application/json", **headers)


def test_a_link_worker_refers_with_consent_and_the_provider_sees_only_what_was_shared(
    client, case, worker
):
    service, volunteer = provider_with_user()
    made = call(
        client,
        worker,
        "POST",
        f"/cases/{case.pk}/connections",
        {"service_id": service.pk, "shared_details": ["name"], "consent_given": True},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "sent" and body["events"][0]["to_status"] == "sent"
    assert Consent.objects.filter(
        person=case.person, scope=ConsentScope.SHARE_WITH_PROVIDERS, given=True
    ).exists()

    listed = call(client, volunteer, "GET", "/provider/referrals").json()
    assert listed["count"] == 1
    (item,) = listed["items"]
    assert item["label"] == "Edith Crawley" and item["shared"] == [
        {"label": "Name", "value": "Edith Crawley"}
    ]
    assert "07700" not in str(listed)  # the phone number was not shared
    assert item["next_steps"] == ["accepted", "declined"]

    accepted = call(
        client, volunteer, "POST", f"/provider/referrals/{item['id']}/status", {"to": "accepted"}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    history = call(client, worker, "GET", f"/cases/{case.pk}/connections").json()["items"]
    assert [e["to_status"] for e in history[0]["events"]] == ["sent", "accepted"]
    assert history[0]["events"][1]["via"] == "api"


def test_consent_and_a_known_service_are_required(client, case, worker):
    service = provider_service()
    no_consent = call(
        client,
        worker,
        "POST",
        f"/cases/{case.pk}/connections",
        {"service_id": service.pk, "shared_details": ["name"], "consent_given": False},
    )
    assert no_consent.status_code == 422
    unknown = call(
        client,
        worker,
        "POST",
        f"/cases/{case.pk}/connections",
        {"service_id": "no-such", "shared_details": ["name"], "consent_given": True},
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "service_id"]
    assert not Connection.objects.exists()
    assert AuditEntry.objects.filter(action="denied", user=worker).exists()


def test_a_step_the_table_forbids_changes_nothing_and_is_audited(client, case, worker):
    connection = connect(case, provider_service(), worker)
    response = call(
        client, worker, "POST", f"/connections/{connection.pk}/status", {"to": "completed"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "to"]
    connection.refresh_from_db()
    assert connection.status == "sent" and connection.events.count() == 1
    assert AuditEntry.objects.filter(action="denied", user=worker).exists()
    withdrawn = call(
        client,
        worker,
        "POST",
        f"/connections/{connection.pk}/status",
        {"to": "withdrawn", "reason": "Moved away"},
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_providers_cannot_withdraw_nor_see_other_providers_referrals(client, case, worker):
    service, volunteer = provider_with_user()
    mine = connect(case, service, worker)
    theirs = connect(case, provider_service(), worker)
    refused = call(
        client,
        volunteer,
        "POST",
        f"/provider/referrals/{mine.pk}/status",
        {"to": "withdrawn", "reason": "x"},
    )
    assert refused.status_code == 422
    assert call(client, volunteer, "GET", f"/provider/referrals/{theirs.pk}").status_code == 404
    assert call(client, volunteer, "GET", f"/connections/{mine.pk}").status_code == 403
    listed = call(client, volunteer, "GET", "/provider/referrals").json()
    assert [i["id"] for i in listed["items"]] == [mine.pk]


def test_a_reminder_asked_for_over_the_api_is_recorded_with_the_referral(client, case, worker):
    service, _ = provider_with_user()
    body = {"service_id": service.pk, "shared_details": ["name", "phone"], "consent_given": True}
    made = call(client, worker, "POST", f"/cases/{case.pk}/connections", body)
    assert made.status_code == 201
    reminders = Consent.objects.filter(person=case.person, scope=ConsentScope.CONTACT)
    assert not reminders.exists()  # not asked, not assumed
    other = provider_service()
    again = {**body, "service_id": other.pk, "wants_reminder": True}
    assert call(client, worker, "POST", f"/cases/{case.pk}/connections", again).status_code == 201
    (consent,) = reminders
    assert consent.given and consent.method == "asked for session reminders"


def test_a_refused_referral_records_no_reminder_consent(client, case, worker):
    from linkwell.connections import services
    from linkwell.directory.models import Service

    service, _ = provider_with_user()
    Service.objects.filter(pk=service.pk).update(status="inactive")
    service.refresh_from_db()
    with pytest.raises(services.ConnectionRuleError):
        services.refer(
            case=case,
            service=service,
            shared_details=["name"],
            consent_given=True,
            wants_reminder=True,
            by=worker,
        )
    assert not Consent.objects.filter(person=case.person, scope=ConsentScope.CONTACT).exists()
