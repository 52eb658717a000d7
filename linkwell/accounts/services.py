"""Sign-in with lock-out, and API tokens."""

import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from linkwell.client_address import client_address

from . import audit
from .models import ApiToken, AuditAction, SignInAttempt, User
from .secrets_store import digest, new_secret


class AccountError(Exception):
    """A sign-in or token problem, with a message fit to show the user."""


class LockedOut(AccountError):
    pass


def is_locked_out(username: str) -> bool:
    """Locked when the failures since the last success, within the window, reach the limit."""
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    recent = SignInAttempt.objects.filter(username__iexact=username, at__gte=since)
    last_success = recent.filter(succeeded=True).order_by("-at").values_list("at", flat=True)
    if last_success:
        recent = recent.filter(at__gt=last_success[0])
    return recent.filter(succeeded=False).count() >= settings.LOGIN_FAILURE_LIMIT


def sign_in(*, request, username: str, password: str) -> User:
    """Check the password, counting failures; raise AccountError with a user-facing message."""
    ip = client_address(request)
    if is_locked_out(username):
        audit.record(user=None, action=AuditAction.LOCKED_OUT, username_tried=username)
        raise LockedOut(
            "Too many failed attempts. This account is locked for "
            f"{int(settings.LOGIN_LOCKOUT_WINDOW.total_seconds() // 60)} minutes."
        )
    user = authenticate(request, username=username, password=password)
    SignInAttempt.objects.create(username=username, succeeded=user is not None, ip_address=ip)
    if user is None:
        audit.record(user=None, action=AuditAction.SIGN_IN_FAILED, username_tried=username)
        raise AccountError("Enter a correct username and password.")
    audit.record(user=user, action=AuditAction.SIGN_IN)
    return user


TOKEN_PREFIX = "lw_"  # noqa: S105 — a label, not a secret


@transaction.atomic
def create_token(*, user: User, name: str = "") -> str:
    """Make a token and return it; only its hash is stored, so this is the one chance to see it."""
    prefix = secrets.token_hex(5)
    secret = new_secret()
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=digest(secret))
    audit.record(user=user, action=AuditAction.TOKEN, obj=token, event="created")
    return f"{TOKEN_PREFIX}{prefix}_{secret}"


def user_for_token(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, digest(secret)):
        return None
    if not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def revoke_token(*, prefix: str) -> ApiToken:
    token = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None:
        raise AccountError(f"No active token starts with {prefix!r}.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(user=token.user, action=AuditAction.TOKEN, obj=token, event="revoked")
    return token
