"""API tokens (docs/decisions/0005-api-tokens.md): wrong secrets audited and throttled; a
deactivated or locked-out account's token stops; two-factor organisations use service accounts."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from linkwell.accounts.models import AuditEntry, Role, User
from linkwell.accounts.services import AccountError, create_token
from linkwell.accounts.staff import create_service_account
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def api(client, token, address="10.0.0.1"):
    return client.get(
        "/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address
    ).status_code


def fhir(client, token, address="10.0.0.1"):
    return client.get(
        "/fhir/Task?based-on=ServiceRequest/1",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR=address,
    ).status_code


def test_wrong_secrets_are_audited_and_an_address_sending_them_is_throttled(client, link_worker):
    token = create_token(user=link_worker)
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert api(client, wrong) == 401
    failures = AuditEntry.objects.filter(action="sign_in_failed", detail__via="token")
    assert failures.count() == settings.LOGIN_FAILURE_LIMIT
    assert failures.first().ip_address == "10.0.0.1"
    # Now even the right token is refused from that address (for the lock-out window), on the
    # API and FHIR alike, without a flood of further entries; other addresses are unaffected.
    assert api(client, token) == 401 and fhir(client, token) == 401
    assert failures.count() == settings.LOGIN_FAILURE_LIMIT
    assert api(client, token, address="10.0.0.2") == 200


def test_wrong_secrets_from_one_ipv6_64_are_counted_together(client, link_worker):
    token = create_token(user=link_worker)
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for i in range(settings.LOGIN_FAILURE_LIMIT):  # a new address from the /64 for each
        assert api(client, wrong, address=f"2001:db8:7:7::{i + 1:x}") == 401
    assert api(client, token, address="2001:db8:7:7:ffff::1") == 401
    assert api(client, token, address="2001:db8:7:8::1") == 200


def test_a_locked_out_accounts_token_stops(client, link_worker):
    token = create_token(user=link_worker)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/sign-in/", {"username": link_worker.username, "password": "x"})
    assert api(client, token) == 401
    assert AuditEntry.objects.filter(action="denied", detail__reason="locked out").exists()


def test_a_deactivated_accounts_token_stops(client, link_worker):
    token = create_token(user=link_worker)
    link_worker.is_active = False
    link_worker.save()
    assert api(client, token) == 401 and fhir(client, token) == 401


def test_a_person_who_must_use_two_factor_cannot_use_a_token(client, pcn, link_worker):
    token = create_token(user=link_worker)
    pcn.require_two_factor = True
    pcn.save()
    assert api(client, token) == 401
    with pytest.raises(AccountError, match="service account"):
        create_token(user=link_worker)
    with pytest.raises(CommandError, match="service account"):
        call_command("token", "create", link_worker.username)


def test_a_service_account_has_tokens_in_a_two_factor_organisation_but_never_signs_in(client, pcn):
    pcn.require_two_factor = True
    pcn.save()
    admin = user_with_role(Role.ADMIN, pcn.parent)
    system = create_service_account(
        name="EMIS bridge", organisation=pcn, role=Role.LINK_WORKER, by=admin
    )
    assert system.username == "system.emis-bridge" and not system.has_usable_password()
    token = create_token(user=system, by=admin)
    assert api(client, token) == 200
    refused = client.post("/accounts/sign-in/", {"username": system.username, "password": ""})
    assert refused.status_code == 400
    assert AuditEntry.objects.filter(action="token", user=admin, detail__event="created").exists()


def test_admins_create_tokens_on_the_staff_page_for_service_accounts_only(pcn, link_worker):
    admin = user_with_role(Role.ADMIN, pcn.parent)
    browser = Client()
    browser.force_login(admin)
    browser.post(
        "/accounts/staff/service-account/",
        {"name": "Referral bridge", "organisation": pcn.pk, "role": Role.LINK_WORKER},
    )
    system = User.objects.get(username="system.referral-bridge")
    page = browser.post(f"/accounts/staff/{system.pk}/create_token/", {"name": "prod"})
    token = page.context["token"]
    assert token in page.content.decode() and api(Client(), token) == 200
    person = browser.post(f"/accounts/staff/{link_worker.pk}/create_token/", follow=True)
    assert "Tokens are for service accounts" in person.content.decode()
    assert not link_worker.api_tokens.exists()
