"""Staff administration by an organisation's admins: invitations, roles, deactivation,
two-factor resets and service accounts. Each operation is atomic and audits itself.

An admin administers the organisations beneath them (`managed_organisations`) and the accounts
whose every role is in those organisations, so an ICB's admin cannot touch the account of
someone who also works for another ICB.
"""

import functools
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import ApiToken, AuditAction, LinkPurpose, Membership, Organisation, Role, User
from .permissions import managed_organisations
from .services import AccountError, issue_link, spend_links
from .usernames import ascii_iexact, ascii_lower


def administrable(admin: User):
    """Accounts `admin` administers: a role in their organisations, and none outside them."""
    managed = managed_organisations(admin).values("pk")
    outside = Membership.objects.exclude(organisation__in=managed).values("user")
    return (
        User.objects.filter(memberships__organisation__in=managed)
        .exclude(pk__in=outside)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _check_organisation(organisation: Organisation, by: User) -> None:
    if not managed_organisations(by).filter(pk=organisation.pk).exists():
        raise AccountError({"organisation": "Choose one of the organisations you manage."})


def _check_role(organisation: Organisation, role: str) -> None:
    # A referrer refers from a practice (or a PCN); a provider works for a provider; link
    # workers and managers are a PCN's, commissioners an ICB's (docs/decisions/
    # 0006-manager-access.md); admins any organisation's.
    allowed = {
        Role.REFERRER: {"practice", "pcn"},
        Role.PROVIDER: {"provider"},
        Role.LINK_WORKER: {"pcn"},
        Role.MANAGER: {"pcn"},
        Role.COMMISSIONER: {"icb"},
        Role.ADMIN: {"icb", "pcn", "practice", "provider"},
    }[role]
    if organisation.kind not in allowed:
        kind = organisation.get_kind_display()
        raise AccountError({"role": f"A {Role(role).label.lower()} cannot work for a {kind}."})


def _refusals_audited(operation):
    """Audit an operation's refusal (its AccountError) as DENIED with what was tried. Wrapped
    around the atomic operation, so the entry is written after its transaction rolled back,
    and is kept."""

    @functools.wraps(operation)
    def refusing(*, by: User, **tried):
        try:
            return operation(by=by, **tried)
        except AccountError as e:
            target = tried.pop("user", None) or getattr(tried.get("membership"), "user", None)
            audit.record(
                user=by,
                action=AuditAction.DENIED,
                obj=target,
                event=operation.__name__.replace("_", " "),
                refused="; ".join(e.messages),
                **({"account": target.username} if target else {}),
                **{k: v.pk if isinstance(v, models.Model) else v for k, v in tried.items()},
            )
            raise

    return refusing


def _changed(by: User, user: User, event: str, **detail) -> None:
    audit.record(
        user=by, action=AuditAction.ACCOUNT, obj=user, event=event, account=user.username, **detail
    )


@_refusals_audited
@transaction.atomic
def invite(
    *, email: str, first_name: str, last_name: str, organisation: Organisation, role: str, by: User
) -> User:
    """Make an account with no password and email its holder a single-use invitation to
    choose one (and to set up two-factor sign-in if the organisation requires it)."""
    _check_organisation(organisation, by)
    _check_role(organisation, role)
    email = ascii_lower(email.strip())
    if User.objects.filter(ascii_iexact("email", email) | ascii_iexact("username", email)).exists():
        raise AccountError({"email": "Someone already has an account with this email address."})
    user = User.objects.create(
        username=email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        password=make_password(None),  # unusable until they choose one through the link
    )
    Membership.objects.create(user=user, organisation=organisation, role=role)
    _changed(by, user, "invited", organisation=organisation.pk, role=role)
    issue_link(user=user, purpose=LinkPurpose.INVITATION, by=by)
    return user


@_refusals_audited
@transaction.atomic
def resend_invitation(*, user: User, by: User) -> None:
    if user.has_usable_password() or user.is_service_account:
        raise AccountError(f"{user.get_full_name() or user.username} has already accepted.")
    issue_link(user=user, purpose=LinkPurpose.INVITATION, by=by)


@_refusals_audited
@transaction.atomic
def add_role(*, user: User, organisation: Organisation, role: str, by: User) -> Membership:
    if user == by:  # else an admin could make themselves a link worker and read records
        raise AccountError("You cannot give yourself a role: ask another admin.")
    _check_organisation(organisation, by)
    _check_role(organisation, role)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if not created:
        raise AccountError({"role": "They already have this role there."})
    _changed(by, user, "role added", organisation=organisation.pk, role=role)
    return membership


@_refusals_audited
@transaction.atomic
def remove_role(*, membership: Membership, by: User) -> None:
    user = membership.user
    if user.memberships.count() == 1:
        raise AccountError("This is their only role: deactivate the account instead.")
    if user == by and membership.role == Role.ADMIN:
        raise AccountError("You cannot remove your own admin role.")
    membership.delete()
    _changed(
        by, user, "role removed", organisation=membership.organisation_id, role=membership.role
    )


@_refusals_audited
@transaction.atomic
def set_active(*, user: User, active: bool, by: User) -> None:
    """Deactivate or reactivate an account. Deactivating spends everything it had outstanding:
    its sessions are deleted, its tokens revoked and its unused emailed links spent, so that
    reactivating it later revives none of them."""
    if user == by:
        raise AccountError("You cannot deactivate your own account.")
    # Locked, so that two admins deactivating at once change (and audit) it once.
    if User.objects.select_for_update().get(pk=user.pk).is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    detail = {}
    if not active:
        detail["tokens_revoked"] = ApiToken.objects.filter(
            user=user, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        detail["links_spent"] = spend_links(user)
        detail["sessions_ended"] = _end_sessions(user)
    _changed(by, user, "reactivated" if active else "deactivated", **detail)


def _end_sessions(user: User) -> int:
    """Delete `user`'s sessions. They are database rows (SESSION_ENGINE is Django's default,
    `db`), and only a session's encoded data says whose it is (`_auth_user_id`), so each live
    one is decoded: with sessions ending after SESSION_IDLE_MINUTES idle, they are few."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    live = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    theirs = [s.pk for s in live.iterator() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    for key in theirs:
        store(session_key=key).delete()  # through the store, so a cached_db cache forgets it too
    return len(theirs)


@_refusals_audited
@transaction.atomic
def reset_two_factor(*, user: User, by: User) -> None:
    """For a lost authenticator: remove it and email the holder a link to set up a new one."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    _changed(by, user, "two-factor reset", authenticators_removed=removed)
    issue_link(user=user, purpose=LinkPurpose.TWO_FACTOR_SETUP, by=by)


@_refusals_audited
@transaction.atomic
def create_service_account(*, name: str, organisation: Organisation, role: str, by: User) -> User:
    """An identity for another system's API tokens: no password, never signs in on a page."""
    _check_organisation(organisation, by)
    _check_role(organisation, role)
    username = f"system.{ascii_lower(name.strip()).replace(' ', '-')}"[:150]
    if User.objects.filter(ascii_iexact("username", username)).exists():
        raise AccountError({"name": "There is already a service account with this name."})
    user = User.objects.create(
        username=username,
        first_name=name.strip()[:150],
        is_service_account=True,
        password=make_password(None),
    )
    Membership.objects.create(user=user, organisation=organisation, role=role)
    _changed(by, user, "service account created", organisation=organisation.pk, role=role)
    return user
