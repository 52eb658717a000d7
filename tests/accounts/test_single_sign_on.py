"""Single sign-on against a real OpenID Connect provider run on this machine
(oidc-provider-mock): the authorisation code flow end to end, and the refusals."""

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from django.core.exceptions import SuspiciousOperation
from django_otp.plugins.otp_totp.models import TOTPDevice
from oidc_provider_mock import run_server_in_thread

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.single_sign_on import SingleSignOnBackend
from tests.accounts.test_two_factor import code_for
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def expiring_provider():
    """A provider whose ID tokens are already an hour past their expiry when issued."""
    with run_server_in_thread(access_token_max_age=timedelta(hours=-1)) as server:
        yield f"http://localhost:{server.server_port}"


def configure(settings, provider):
    settings.OIDC_RP_CLIENT_ID = "linkwell"
    settings.OIDC_RP_CLIENT_SECRET = "not-checked-by-the-test-provider"
    settings.OIDC_OP_ISSUER = provider
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/jwks"


@pytest.fixture
def sso(settings, provider):
    configure(settings, provider)
    return provider


def through_provider(client, sub):
    """Start at Linkwell, sign in at the provider as `sub`, come back to Linkwell."""
    start = client.get("/accounts/sign-in/sso/")
    assert start.status_code == 302
    at_provider = httpx.post(start.url, data={"sub": sub})
    assert at_provider.status_code == 302, at_provider.text[:300]
    back = urlsplit(at_provider.headers["location"])
    return client.get(f"{back.path}?{back.query}")


def test_an_invited_account_signs_in_with_its_nhs_identity(client, sso, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="Lena.Walker@nhs.net")
    assert "Sign in with NHS Care Identity Service 2" in client.get("/accounts/sign-in/").text
    response = through_provider(client, "lena.walker@nhs.net")
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(worker.pk)
    entry = AuditEntry.objects.get(action="sign_in", user=worker)
    assert entry.detail["via"] == "single sign-on" and entry.detail["issuer"] == sso


def test_an_unknown_identity_is_refused_and_no_account_is_made(client, sso, pcn):
    from linkwell.accounts.models import User

    before = User.objects.count()
    response = through_provider(client, "stranger@nhs.net")
    assert response.url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == before
    assert "Ask your organisation" in client.get(response.url).text
    assert AuditEntry.objects.filter(
        action="sign_in_failed", detail__reason="no invited account"
    ).exists()


def test_a_deactivated_or_service_account_is_refused(client, sso, pcn):
    user_with_role(Role.LINK_WORKER, pcn, email="gone@nhs.net", is_active=False)
    assert through_provider(client, "gone@nhs.net").url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session


def test_an_expired_id_token_is_refused(client, settings, expiring_provider, pcn):
    configure(settings, expiring_provider)
    user_with_role(Role.LINK_WORKER, pcn, email="late@nhs.net")
    assert through_provider(client, "late@nhs.net").url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session
    refused = AuditEntry.objects.get(action="sign_in_failed", detail__via="single sign-on")
    assert "expired" in refused.detail["reason"]


def id_token_for(provider, client_id, sub):
    """An ID token the provider issues to another application (`client_id`)."""
    params = {
        "client_id": client_id,
        "redirect_uri": "http://other.example/callback",
        "response_type": "code",
        "scope": "openid email",
        "state": "s",
        "nonce": "n",
    }
    authorised = httpx.post(f"{provider}/oauth2/authorize", params=params, data={"sub": sub})
    code = httpx.URL(authorised.headers["location"]).params["code"]
    token = httpx.post(
        f"{provider}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": params["redirect_uri"],
            "client_id": client_id,
            "client_secret": "x",
        },
    )
    return token.json()["id_token"]


def test_an_id_token_for_another_application_is_refused(sso):
    token = id_token_for(sso, "another-application", "lena.walker@nhs.net")
    backend = SingleSignOnBackend()
    with pytest.raises(SuspiciousOperation, match="(?i)audience"):
        backend.verify_token(token, nonce="n")
    ours = id_token_for(sso, "linkwell", "lena.walker@nhs.net")
    assert backend.verify_token(ours, nonce="n")["sub"] == "lena.walker@nhs.net"


def test_an_id_token_from_another_issuer_is_refused(settings, sso):
    token = id_token_for(sso, "linkwell", "lena.walker@nhs.net")
    settings.OIDC_OP_ISSUER = "https://login.microsoftonline.com/some-tenant/v2.0"
    with pytest.raises(SuspiciousOperation, match="(?i)issuer"):
        SingleSignOnBackend().verify_token(token, nonce="n")


def test_an_organisation_requiring_two_factor_still_asks_for_the_code(client, sso, pcn):
    pcn.require_two_factor = True
    pcn.save()
    worker = user_with_role(Role.LINK_WORKER, pcn, email="coded@nhs.net")
    device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    response = through_provider(client, "coded@nhs.net")
    assert response.url == "/accounts/sign-in/code/"
    assert "_auth_user_id" not in client.session
    client.post(response.url, {"code": code_for(device)})
    assert client.session["_auth_user_id"] == str(worker.pk)
    assert client.get("/caseload/").status_code == 200


def test_without_a_client_id_single_sign_on_is_off(client):
    assert client.get("/accounts/sign-in/sso/").status_code == 404
    assert "Sign in with" not in client.get("/accounts/sign-in/").text


def claims(provider, sub, **values):
    """What the provider says about `sub` from now on (its email, as an admin there sets it)."""
    assert httpx.put(f"{provider}/users/{sub}", json=values).status_code == 204


def test_the_first_sign_in_pins_the_account_to_the_providers_identity(client, sso, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="pinned@nhs.net")
    claims(sso, "cis2-5551", email="pinned@nhs.net")
    through_provider(client, "cis2-5551")
    worker.refresh_from_db()
    assert (worker.sso_issuer, worker.sso_subject) == (sso, "cis2-5551")
    linked = AuditEntry.objects.get(detail__event="single sign-on identity linked")
    assert linked.object_id == str(worker.pk) and linked.detail["subject"] == "cis2-5551"
    # Later sign-ins match the identity, not the email: the provider may change the address.
    claims(sso, "cis2-5551", email="renamed@nhs.net")
    client.logout()
    through_provider(client, "cis2-5551")
    assert client.session["_auth_user_id"] == str(worker.pk)
    assert AuditEntry.objects.filter(detail__event="single sign-on identity linked").count() == 1


def test_another_identity_given_the_same_email_is_refused_and_audited(client, sso, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="moved.on@nhs.net")
    claims(sso, "cis2-1001", email="moved.on@nhs.net")
    through_provider(client, "cis2-1001")
    client.logout()
    # The provider gives the address to a newcomer, who has a subject of their own.
    claims(sso, "cis2-2002", email="moved.on@nhs.net")
    response = through_provider(client, "cis2-2002")
    assert response.url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session
    refused = AuditEntry.objects.get(action="sign_in_failed", detail__subject="cis2-2002")
    assert refused.detail["reason"] == "another identity has this email"
    assert refused.object_id == str(worker.pk)
    worker.refresh_from_db()
    assert worker.sso_subject == "cis2-1001"  # the pin is not moved


def test_a_deactivated_pinned_account_is_refused_whatever_its_email(client, sso, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="leaver@nhs.net")
    claims(sso, "cis2-3003", email="leaver@nhs.net")
    through_provider(client, "cis2-3003")
    client.logout()
    worker.refresh_from_db()
    worker.is_active = False
    worker.save()
    user_with_role(Role.LINK_WORKER, pcn, email="leaver.new@nhs.net")
    claims(sso, "cis2-3003", email="leaver.new@nhs.net")  # an active account's address
    assert through_provider(client, "cis2-3003").url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session


def test_a_pin_to_a_provider_no_longer_configured_is_replaced(client, sso, pcn):
    old = "https://login.microsoftonline.com/old-tenant/v2.0"
    worker = user_with_role(
        Role.LINK_WORKER, pcn, email="moved@nhs.net", sso_issuer=old, sso_subject="entra-1"
    )
    claims(sso, "cis2-4004", email="moved@nhs.net")
    through_provider(client, "cis2-4004")
    assert client.session["_auth_user_id"] == str(worker.pk)
    worker.refresh_from_db()
    assert (worker.sso_issuer, worker.sso_subject) == (sso, "cis2-4004")
    linked = AuditEntry.objects.get(detail__event="single sign-on identity linked")
    assert linked.detail["replaced_issuer"] == old


@pytest.mark.parametrize("said", [False, "false"])
def test_an_email_the_provider_has_not_verified_is_refused_and_audited(client, sso, pcn, said):
    user_with_role(Role.LINK_WORKER, pcn, email="unchecked@nhs.net")
    claims(sso, "cis2-7007", email="unchecked@nhs.net", email_verified=said)
    response = through_provider(client, "cis2-7007")
    assert response.url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session
    assert "email address is not verified" in client.get(response.url).text
    refused = AuditEntry.objects.get(action="sign_in_failed", detail__subject="cis2-7007")
    assert refused.detail["reason"] == "email not verified"


def test_an_email_verified_or_silent_on_it_signs_in(client, sso, pcn):
    # Microsoft Entra ID sends no email_verified (docs/decisions/0007-…).
    worker = user_with_role(Role.LINK_WORKER, pcn, email="checked@nhs.net")
    claims(sso, "cis2-8008", email="checked@nhs.net", email_verified=True)
    through_provider(client, "cis2-8008")
    assert client.session["_auth_user_id"] == str(worker.pk)
    client.logout()
    claims(sso, "cis2-8008", email="checked@nhs.net")
    through_provider(client, "cis2-8008")
    assert client.session["_auth_user_id"] == str(worker.pk)


def test_an_identity_without_an_email_is_refused_and_audited(client, sso, pcn):
    user_with_role(Role.LINK_WORKER, pcn, email="")
    claims(sso, "cis2-9009")
    response = through_provider(client, "cis2-9009")
    assert "_auth_user_id" not in client.session
    assert "did not send your email address" in client.get(response.url).text
    refused = AuditEntry.objects.get(action="sign_in_failed", detail__subject="cis2-9009")
    assert refused.detail["reason"] == "no email"


@pytest.mark.parametrize(
    "query, reason",
    [
        ("error=access_denied&state=s", "provider error"),
        ("code=c&state=forged", "unknown state"),
        ("code=c", "no code or state"),
    ],
)
def test_a_refused_callback_is_audited_and_says_so(client, sso, query, reason):
    client.get("/accounts/sign-in/sso/")  # a sign-in started, under another state
    response = client.get(f"/accounts/sign-in/sso/callback/?{query}")
    assert response.status_code == 302 and response.url == "/accounts/sign-in/"
    assert "Single sign-on did not work" in client.get(response.url).text
    refused = AuditEntry.objects.get(action="sign_in_failed")
    assert refused.detail["via"] == "single sign-on" and refused.detail["reason"] == reason
