"""Signing in (password, then a code where one is needed), single-use account links, and API
tokens: the only doors to these for every edge (sign-in pages, the API, FHIR, the CLI).

One lock-out counts every wrong password, wrong code and locked-out try per account: a
sign-in succeeds only when all its steps have, so entering the password again does not reset
the count of wrong codes (issue 15, item 10). "Signed in" is audited when the last step
succeeds; every wrong password and wrong code is audited too.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwell.client_address import limit_key

from . import audit, emails, two_factor
from .models import AccountLink, ApiToken, AuditAction, LinkPurpose, SignInAttempt, User
from .secrets_store import LinkRefused, by_secret, digest, live, new_secret
from .usernames import ascii_iexact


class AccountError(ValidationError):
    """A sign-in, account or token problem, with messages fit to show the user (by field)."""


class LockedOut(AccountError):
    pass


def _client_address() -> str | None:
    context = audit.current_request.get()
    return context.ip_address if context else None


def is_locked_out(username: str) -> bool:
    """Locked when the failures since the last completed sign-in, within the window, reach
    the limit."""
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    recent = SignInAttempt.objects.filter(ascii_iexact("username", username), at__gte=since)
    last_success = recent.filter(succeeded=True).order_by("-at").values_list("at", flat=True)
    if last_success:
        recent = recent.filter(at__gt=last_success[0])
    return recent.filter(succeeded=False).count() >= settings.LOGIN_FAILURE_LIMIT


def _refuse_if_locked_out(username: str, user: User | None = None) -> None:
    if is_locked_out(username):
        audit.record(user=user, action=AuditAction.LOCKED_OUT, username_tried=username)
        raise LockedOut(
            "Too many failed attempts. This account is locked for "
            f"{int(settings.LOGIN_LOCKOUT_WINDOW.total_seconds() // 60)} minutes."
        )


def _attempt(username: str, *, succeeded: bool) -> None:
    address = _client_address()
    SignInAttempt.objects.create(
        username=username,
        succeeded=succeeded,
        ip_address=address,
        client=limit_key(address),
    )


@dataclass(frozen=True)
class PasswordChecked:
    user: User
    # "signed_in": nothing more to give; "code": ask for the authenticator's code; "enrol": the
    # organisation requires a code but the user has no authenticator: a set-up link was emailed.
    next_step: str


# Not atomic as a whole: a refusal raises, and the failed attempt and its audit entry must be
# kept, not rolled back with it. Each write is one statement.
def sign_in(*, username: str, password: str) -> PasswordChecked:
    """The password step. Raises AccountError (LockedOut) with a user-facing message."""
    _refuse_if_locked_out(username)
    user = authenticate(None, username=username, password=password)
    if user is None:
        _attempt(username, succeeded=False)
        audit.record(user=None, action=AuditAction.SIGN_IN_FAILED, username_tried=username)
        raise AccountError("Enter a correct username and password.")
    return _first_step_passed(user)


def _first_step_passed(user: User, **via) -> PasswordChecked:
    if not two_factor.required_for(user):
        _attempt(user.username, succeeded=True)
        audit.record(user=user, action=AuditAction.SIGN_IN, **via)
        return PasswordChecked(user, "signed_in")
    if two_factor.has_authenticator(user):
        return PasswordChecked(user, "code")
    _offer_two_factor_setup(user)
    return PasswordChecked(user, "enrol")


def sign_in_with_identity(
    *, email: str, issuer: str, subject: str, email_verified: bool = True
) -> PasswordChecked:
    """Single sign-on (OpenID Connect): the identity provider has checked who this is; the
    account must be one an admin invited. No account or role is ever made from the provider's
    word alone. The first sign-in finds the account by its email address and pins it to the
    provider's identity (issuer and subject); from then on only that identity signs in to it,
    whatever email the provider sends, and another identity with the same email is refused
    (an email address can be given to someone else). An address the provider says it has not
    verified is refused (`single_sign_on` says when it says so). Then as after a password."""
    via = {"via": "single sign-on", "issuer": issuer, "subject": subject}
    if not email_verified:
        _refuse_identity(reason="email not verified", message=UNVERIFIED_EMAIL, **via)
    pinned = subject and User.objects.filter(sso_issuer=issuer, sso_subject=subject).first()
    if pinned:
        users = [pinned] if pinned.is_active and not pinned.is_service_account else []
    elif not email:
        _refuse_identity(reason="no email", message=NO_EMAIL, **via)
    else:
        users = list(
            User.objects.filter(
                ascii_iexact("email", email), is_active=True, is_service_account=False
            )[:2]
        )
    if len(users) != 1:
        _refuse_identity(reason="no invited account" if not users else "several accounts", **via)
    user = users[0]
    if not pinned and user.sso_issuer == issuer and user.sso_subject:
        _refuse_identity(reason="another identity has this email", obj=user, **via)
    _refuse_if_locked_out(user.username, user)
    if not pinned:
        _pin_identity(user, issuer=issuer, subject=subject)
    return _first_step_passed(user, **via)


NOT_INVITED = (
    "No Linkwell account uses this identity. Ask your organisation's Linkwell admin to "
    "invite you with the email address your NHS identity has."
)
UNVERIFIED_EMAIL = (
    "Your identity provider says your email address is not verified, so it cannot sign you "
    "in to Linkwell. Verify the address there, or sign in with your password."
)
NO_EMAIL = (
    "Your identity provider did not send your email address, so Linkwell cannot find your "
    "account. Ask your organisation's Linkwell admin."
)


def _refuse_identity(obj=None, message: str = NOT_INVITED, **detail) -> None:
    audit.record(user=None, action=AuditAction.SIGN_IN_FAILED, obj=obj, **detail)
    raise AccountError(message)


def _pin_identity(user: User, *, issuer: str, subject: str) -> None:
    """The first sign-in through this provider. A pin to another provider (the service moved
    from one to another: only the configured one's tokens get here) is replaced."""
    before = user.sso_issuer
    user.sso_issuer, user.sso_subject = issuer, subject
    user.save(update_fields=["sso_issuer", "sso_subject"])
    audit.record(
        user=None,
        action=AuditAction.ACCOUNT,
        obj=user,
        event="single sign-on identity linked",
        issuer=issuer,
        subject=subject,
        **({"replaced_issuer": before} if before else {}),
    )


def second_factor(*, user: User, code: str) -> TOTPDevice:
    """The code step, under the same lock-out as the password."""
    _refuse_if_locked_out(user.username, user)
    device = two_factor.verify(user, code)
    _attempt(user.username, succeeded=device is not None)
    if device is None:
        audit.record(user=user, action=AuditAction.SIGN_IN_FAILED, step="code")
        raise AccountError(
            {"code": "That code is not right. Enter the 6 digits the app shows now."}
        )
    audit.record(user=user, action=AuditAction.SIGN_IN, two_factor=True)
    return device


# Single-use links -------------------------------------------------------------------------

LINK_LIFETIME = {
    LinkPurpose.INVITATION: lambda: timedelta(days=settings.INVITATION_LINK_DAYS),
    LinkPurpose.PASSWORD_RESET: lambda: timedelta(hours=settings.ACCOUNT_LINK_HOURS),
    LinkPurpose.TWO_FACTOR_SETUP: lambda: timedelta(hours=settings.ACCOUNT_LINK_HOURS),
}


# An invitation and a password reset both set the password: a new one of either retires the
# other, and using one spends both, so no older emailed link can set it again.
SETS_PASSWORD = (LinkPurpose.INVITATION, LinkPurpose.PASSWORD_RESET)


def spend_links(user: User, purposes=LinkPurpose.values) -> int:
    """Mark `user`'s unused links of these purposes used, so they stop working; how many."""
    return AccountLink.objects.filter(user=user, purpose__in=purposes, used_at__isnull=True).update(
        used_at=timezone.now()
    )


def issue_link(*, user: User, purpose: LinkPurpose, by: User | None) -> AccountLink:
    """Email `user` a new single-use link (older live ones for the same step stop working).
    Called inside the operations that issue one, which are atomic."""
    if not user.email:
        raise AccountError({"email": f"{user.username} has no email address to send a link to."})
    spend_links(user, SETS_PASSWORD if purpose in SETS_PASSWORD else [purpose])
    now = timezone.now()
    secret = new_secret()
    link = AccountLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=digest(secret),
        expires_at=now + LINK_LIFETIME[purpose](),
        created_by=by,
    )
    audit.record(user=by, action=AuditAction.ACCOUNT, obj=user, event=f"{purpose.label} link sent")
    emails.send_link(user=user, link=link, secret=secret)
    return link


def _offer_two_factor_setup(user: User) -> None:
    """Email a set-up link to the account holder, unless one sent recently still works."""
    recent = timezone.now() - timedelta(minutes=15)
    if not AccountLink.objects.filter(
        user=user,
        purpose__in=[LinkPurpose.TWO_FACTOR_SETUP, LinkPurpose.INVITATION],
        used_at__isnull=True,
        created_at__gte=recent,
    ).exists():
        with transaction.atomic():
            issue_link(user=user, purpose=LinkPurpose.TWO_FACTOR_SETUP, by=None)


# Reset links one account is sent per lock-out window: anyone may ask for one, and each new
# link retires the last, so without a limit a stranger could flood the inbox and keep
# spoiling the holder's own link.
RESET_LINK_LIMIT = 3


@transaction.atomic
def request_password_reset(*, email: str) -> None:
    """Email a reset link to the active person with this address, unless RESET_LINK_LIMIT
    were sent in the lock-out window. Says nothing about whether there is one (or whether it
    was sent), so the page cannot be used to find out who has an account."""
    # Locked, so that requests sent at once for one account count each other's links.
    users = User.objects.select_for_update().filter(
        ascii_iexact("email", email.strip()), is_active=True, is_service_account=False
    )
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    for user in users:
        sent = AccountLink.objects.filter(
            user=user, purpose=LinkPurpose.PASSWORD_RESET, created_at__gte=since
        )
        if sent.count() >= RESET_LINK_LIMIT:
            audit.record(
                user=None, action=AuditAction.ACCOUNT, obj=user, event="password reset: limit"
            )
            continue
        issue_link(user=user, purpose=LinkPurpose.PASSWORD_RESET, by=None)
    if not users:
        audit.record(user=None, action=AuditAction.ACCOUNT, event="password reset: no account")


@dataclass(frozen=True)
class LinkSteps:
    link: AccountLink
    password: bool  # the page asks for a new password
    code: bool  # the page sets up an authenticator


def open_link(*, secret: str) -> LinkSteps:
    """What a live link asks for; LinkRefused if it is unknown, used or expired."""
    link = live(by_secret(AccountLink.objects.select_related("user"), secret))
    if not link.user.is_active:
        raise LinkRefused("unknown")  # a deactivated account's links die with it
    purpose = link.purpose
    return LinkSteps(
        link,
        password=purpose in SETS_PASSWORD,
        code=purpose == LinkPurpose.TWO_FACTOR_SETUP
        or (purpose == LinkPurpose.INVITATION and two_factor.required_for(link.user)),
    )


@dataclass(frozen=True)
class LinkUsed:
    user: User
    signed_in: bool  # an accepted invitation signs its holder in
    device: TOTPDevice | None  # the authenticator set up through the link, if any


@transaction.atomic
def use_link(*, secret: str, password: str = "", code: str = "") -> LinkUsed:
    """Set the password and/or confirm the authenticator the link asks for, then spend it and
    every other live link for the same steps: one that sets the password could set it again,
    and a two-factor set-up link could replace the authenticator just set up (links are the
    only way to set one up). Nothing is changed unless every step succeeds."""
    steps = open_link(secret=secret)
    link = live(AccountLink.objects.select_for_update().get(pk=steps.link.pk))
    user = steps.link.user
    if steps.password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as e:
            raise AccountError({"password": e.messages}) from e
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(user=user, action=AuditAction.ACCOUNT, obj=user, event="password set")
    device = None
    if steps.code:
        device = two_factor.confirm_setup(user, code)
        if device is None:
            raise AccountError(
                {"code": "That code is not right. Enter the 6 digits the app shows now."}
            )
    spend_links(
        user,
        {link.purpose}
        | set(SETS_PASSWORD if steps.password else ())
        | ({LinkPurpose.TWO_FACTOR_SETUP} if steps.code else set()),
    )
    signed_in = link.purpose == LinkPurpose.INVITATION
    if signed_in:
        # The invitation is the new account's credential: accepting it signs its holder in.
        _attempt(user.username, succeeded=True)
        audit.record(user=user, action=AuditAction.SIGN_IN, via="invitation")
    return LinkUsed(user, signed_in, device)


# API tokens -------------------------------------------------------------------------------

TOKEN_PREFIX = "lw_"  # noqa: S105 — a label, not a secret
# Wrong tokens are counted as SignInAttempt rows under this name (no username has a space).
TOKEN_FAILURES = "api token"  # noqa: S105 — a label, not a secret


@transaction.atomic
def create_token(*, user: User, name: str = "", by: User | None = None) -> str:
    """Make a token and return it; only its hash is stored, so this is the one chance to see it.
    A person who must give a code at sign-in gets none: their systems use a service account."""
    if not user.is_service_account and two_factor.required_for(user):
        raise AccountError(
            f"{user.username}'s organisation requires two-factor sign-in, which a token cannot "
            "give: create a service account for the system instead."
        )
    if not user.is_active:
        raise AccountError(f"{user.username}'s account is deactivated.")
    prefix = secrets.token_hex(5)
    secret = new_secret()
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=digest(secret))
    audit.record(user=by or user, action=AuditAction.TOKEN, obj=token, event="created")
    return f"{TOKEN_PREFIX}{prefix}_{secret}"


def _token_throttled(address: str | None) -> bool:
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    return (
        SignInAttempt.objects.filter(
            username=TOKEN_FAILURES, client=limit_key(address), succeeded=False, at__gte=since
        ).count()
        >= settings.LOGIN_FAILURE_LIMIT
    )


def user_for_token(raw: str) -> User | None:
    """The account a bearer token acts for, or None (refused, and audited). Refused: a wrong or
    revoked token (and every token from an address that sent LOGIN_FAILURE_LIMIT wrong ones in
    the lock-out window), a deactivated or locked-out account, and a person whose organisation
    requires two-factor sign-in."""
    address = _client_address()
    if _token_throttled(address):
        return None
    prefix, _, secret = raw.removeprefix(TOKEN_PREFIX).partition("_")
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
        if raw.startswith(TOKEN_PREFIX)
        else None
    )
    if token is None or not secrets.compare_digest(token.key_hash, digest(secret)):
        _attempt(TOKEN_FAILURES, succeeded=False)
        audit.record(user=None, action=AuditAction.SIGN_IN_FAILED, via="token", prefix=prefix[:12])
        return None
    user = token.user
    refusal = (
        "deactivated"
        if not user.is_active
        else "locked out"
        if is_locked_out(user.username)
        else "two-factor required"
        if not user.is_service_account and two_factor.required_for(user)
        else ""
    )
    if refusal:
        audit.record(user=user, action=AuditAction.DENIED, obj=token, reason=refusal)
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return user


@transaction.atomic
def revoke_token(*, prefix: str, by: User | None = None) -> ApiToken:
    token = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None:
        raise AccountError(f"No active token starts with {prefix!r}.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(user=by or token.user, action=AuditAction.TOKEN, obj=token, event="revoked")
    return token


@transaction.atomic
def set_inbox_digest(*, user: User, wanted: bool) -> User:
    """A link worker's own choice of the daily email about their Today inbox."""
    if wanted and not user.email:
        raise AccountError(
            {"inbox_digest": "Your account has no email address: ask your admin to add one."}
        )
    if user.inbox_digest != wanted:
        user.inbox_digest = wanted
        user.save(update_fields=["inbox_digest"])
        audit.record(
            user=user,
            action=AuditAction.ACCOUNT,
            obj=user,
            event="daily inbox email " + ("on" if wanted else "off"),
            account=user.username,
        )
    return user
