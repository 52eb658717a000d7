"""Single sign-on for NHS staff with OpenID Connect: NHS Care Identity Service 2 (CIS2) or
Microsoft Entra ID, through mozilla-django-oidc (authorisation code flow, state and nonce).

Two things are stricter than the library's defaults: the ID token's audience must be our
client id and its issuer the configured provider (OpenID Connect Core 1.0, section 3.1.3.7,
items 2 and 3; the library skips both), and nobody is ever created or given a role from a
token — the identity must match an account an admin invited (`services.sign_in_with_identity`).
A member of an organisation that requires two-factor sign-in then gives their code as usual.

An ID token or user information saying `email_verified: false` is refused. One without the
claim is accepted: Microsoft Entra ID never sends it, and there the address is one the
organisation's own directory gave (docs/decisions/0007-single-sign-on-email-verified.md).
Every refusal, in the callback or in the tokens, is audited as a failed sign-in with its reason.
"""

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import audit, services, two_factor
from .models import AuditAction

CHECKED = "linkwell_sign_in"  # the request attribute carrying the sign-in's next step
FAILED = "Single sign-on did not work. Try again, or use a password."


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


class SingleSignOnBackend(OIDCAuthenticationBackend):
    def _verify_jws(self, payload, key):
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is not signed with the expected algorithm.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
                leeway=settings.OIDC_CLOCK_LEEWAY_SECONDS,
            )
        except jwt.InvalidTokenError as e:
            raise SuspiciousOperation(f"ID token refused: {e}") from e

    def retrieve_matching_jwk(self, token):
        """The provider's signing key named by the token's `kid`; a token without one (allowed
        by RFC 7515) only when the provider publishes a single key."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
        kid = jwt.get_unverified_header(token).get("kid")
        matching = [k for k in keys if k.get("kid") == kid] if kid else keys
        if len(matching) != 1:
            raise SuspiciousOperation("No single signing key of the provider matches the token.")
        return jwt.PyJWK(matching[0])

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as e:
            audit.record(
                user=None,
                action=AuditAction.SIGN_IN_FAILED,
                via="single sign-on",
                reason=str(e)[:200],
            )
            messages.error(request, FAILED)
            return None

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):  # OpenID Connect Core 1.0, section 5.3.2
            raise SuspiciousOperation("The user information is about someone else.")
        try:
            checked = services.sign_in_with_identity(
                email=str(claims.get(settings.OIDC_EMAIL_CLAIM) or ""),
                issuer=payload["iss"],
                subject=payload["sub"],
                email_verified=not _email_unverified(claims, payload),
            )
        except services.AccountError as e:
            messages.error(self.request, " ".join(e.messages))
            return None
        setattr(self.request, CHECKED, checked)
        return checked.user


def _email_unverified(*claim_sets) -> bool:
    """Whether the ID token or the user information says `email_verified: false` (a boolean in
    OpenID Connect Core 1.0, section 5.1; some providers send the string). Absent, it says
    nothing, and the address is taken as the provider gave it."""
    return any(str(claims.get("email_verified")).lower() == "false" for claims in claim_sets)


def _callback_refusal(request) -> dict | None:
    """Why the provider's redirect back can sign nobody in, found before any token is asked for."""
    if request.GET.get("error"):  # the provider's (RFC 6749, section 4.1.2.1), e.g. cancelled
        return {"reason": "provider error", "error": request.GET["error"][:100]}
    if "code" not in request.GET or "state" not in request.GET:
        return {"reason": "no code or state"}
    if request.GET["state"] not in request.session.get("oidc_states", {}):
        # Not a sign-in this browser started (forged, replayed, or its session has expired).
        return {"reason": "unknown state"}
    return None


def start(request):
    if not enabled():
        raise Http404("Single sign-on is not set up here.")
    return OIDCAuthenticationRequestView.as_view()(request)


class Callback(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("accounts:login")

    def get(self, request):
        refusal = _callback_refusal(request)
        if refusal is None:
            return super().get(request)
        audit.record(user=None, action=AuditAction.SIGN_IN_FAILED, via="single sign-on", **refusal)
        messages.error(request, FAILED)
        if refusal["reason"] == "provider error":
            return super().get(request)  # which forgets the state and signs out, then fails
        # (the library answered an unknown state with a bare 400, and audited nothing)
        return self.login_failure()

    def login_success(self):
        checked = getattr(self.request, CHECKED)
        if checked.next_step == "signed_in":
            return super().login_success()
        if checked.next_step == "enrol":
            return render(self.request, "accounts/check_email.html", {"enrol": True})
        two_factor.remember_pending(self.request.session, checked.user)
        return redirect("accounts:two_factor")


def callback(request):
    if not enabled():
        raise Http404("Single sign-on is not set up here.")
    return Callback.as_view()(request)
