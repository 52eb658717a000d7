"""The case section, referring, the provider portal and the emailed single-use link, over HTTP."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.connections.lifecycle import Status
from linkwell.connections.models import Connection, ProviderLink
from linkwell.directory.services import shortlist
from tests.connections.factories import connect, provider_service, provider_with_user
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_refer_from_the_shortlist_then_the_case_shows_the_history(client, case, worker):
    service = provider_service(name="Headingley Walkers", email="walk@example.org")
    shortlist(case=case, service=service, by=worker)
    client.force_login(worker)
    page = client.get(f"/cases/{case.pk}/connections/").content.decode()
    assert "Connections to services" in page and "Refer to a service" in page
    form = client.get(f"/connections/cases/{case.pk}/refer/?service={service.pk}")
    assert form.status_code == 200 and "Headingley Walkers" in form.content.decode()
    response = client.post(
        f"/connections/cases/{case.pk}/refer/",
        {"service": service.pk, "shared_details": ["name", "phone"], "consent_given": "on"},
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    page = client.get(f"/cases/{case.pk}/connections/").content.decode()
    assert "Headingley Walkers" in page and "Sent" in page
    # The service has no accounts: it gets a single-use link by email.
    (message,) = mail.outbox
    assert message.to == ["walk@example.org"] and "/respond/" in message.body
    assert ProviderLink.objects.filter(connection=connection).count() == 1


def test_a_service_not_on_the_shortlist_is_refused_and_audited(client, case, worker):
    client.force_login(worker)
    response = client.post(
        f"/connections/cases/{case.pk}/refer/",
        {"service": "no-such-service", "shared_details": ["name"], "consent_given": "on"},
    )
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    assert not Connection.objects.exists()
    assert AuditEntry.objects.filter(action="denied", person_id=case.person_id).exists()


def test_without_consent_nothing_is_sent(client, case, worker):
    service = provider_service()
    shortlist(case=case, service=service, by=worker)
    client.force_login(worker)
    response = client.post(
        f"/connections/cases/{case.pk}/refer/", {"service": service.pk, "shared_details": ["name"]}
    )
    assert response.status_code == 422 and "must agree" in response.content.decode()
    assert not Connection.objects.exists()


def test_the_portal_shows_only_own_services_and_only_shared_details(client, case, worker):
    mine, volunteer = provider_with_user()
    theirs, _ = provider_with_user()
    connect(case, mine, worker, shared=("name", "phone"))
    other_case = make_case(pcn=case.organisation, by=worker, family_name="Zebedee")
    connect(other_case, theirs, worker)
    client.force_login(volunteer)
    page = client.get("/provider/").content.decode()
    assert "Edith Crawley" in page and case.person.phone in page
    assert "Zebedee" not in page
    assert str(case.person.date_of_birth.year) not in page  # not shared
    assert AuditEntry.objects.filter(
        action="view", user=volunteer, person_id=case.person_id
    ).exists()


def test_one_tap_accept_then_attended(client, case, worker):
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    client.force_login(volunteer)
    for to in ("accepted", "attended"):
        response = client.post(f"/provider/referrals/{connection.pk}/status/", {"to": to})
        assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Status.ATTENDED
    assert list(connection.events.values_list("via", flat=True))[-1] == "provider portal"


def test_a_provider_cannot_reach_another_providers_referral(client, case, worker):
    service, _ = provider_with_user()
    _, stranger = provider_with_user()
    connection = connect(case, service, worker)
    client.force_login(stranger)
    response = client.post(f"/provider/referrals/{connection.pk}/status/", {"to": "accepted"})
    assert response.status_code == 404
    connection.refresh_from_db()
    assert connection.status == Status.SENT


@pytest.fixture
def emailed(case, worker, settings):
    settings.SITE_URL = "http://linkwell.example"
    connection = connect(case, provider_service(email="walk@example.org"), worker)
    return connection, re.search(r"(/respond/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_the_emailed_link_makes_one_update_then_a_new_link_comes(client, emailed):
    connection, url = emailed
    page = client.get(url)
    assert page.status_code == 200 and "Accept" in page.content.decode()
    assert client.post(url, {"to": "accepted"}).status_code == 200
    connection.refresh_from_db()
    assert connection.status == Status.ACCEPTED
    again = client.post(url, {"to": "attended"})
    assert again.status_code == 410 and "already been used" in again.content.decode()
    connection.refresh_from_db()
    assert connection.status == Status.ACCEPTED
    assert AuditEntry.objects.filter(action="denied", object_type="connections.providerlink")
    next_url = re.search(r"(/respond/[^/\s]+/)", mail.outbox[-1].body).group(1)
    assert next_url != url
    assert client.post(next_url, {"to": "attended"}).status_code == 200


def test_expired_tampered_and_forbidden_links_change_nothing(client, emailed):
    connection, url = emailed
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.post(url, {"to": "completed"}).status_code == 409  # not from "sent"
    ProviderLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(url, {"to": "accepted"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Status.SENT and connection.events.count() == 1
    assert AuditEntry.objects.filter(action="denied").count() >= 3


def test_the_provider_sees_one_referral_with_its_history(client, case, worker):
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    client.force_login(volunteer)
    assert f"/provider/referrals/{connection.pk}/" in client.get("/provider/").content.decode()
    page = client.get(f"/provider/referrals/{connection.pk}/").content.decode()
    assert "Edith Crawley" in page and "History" in page and "Accept" in page
