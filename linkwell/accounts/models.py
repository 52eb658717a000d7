"""Organisations, users, their roles, API tokens, sign-in attempts and the audit log."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KT


class OrganisationKind(models.TextChoices):
    ICB = "icb", "Integrated care board"
    PCN = "pcn", "Primary care network"
    PRACTICE = "practice", "GP practice"
    PROVIDER = "provider", "Community provider"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    ods_code = models.CharField("ODS code", max_length=12, blank=True)
    # A practice belongs to a PCN; a PCN to an ICB.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    require_two_factor = models.BooleanField(
        default=False, help_text="Members must sign in with an authenticator app code."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"], condition=~models.Q(ods_code=""), name="unique_ods_code"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected_parent = {
            OrganisationKind.PRACTICE: OrganisationKind.PCN,
            OrganisationKind.PCN: OrganisationKind.ICB,
            # A provider works in an ICB's area; its admins administer it (and its staff).
            OrganisationKind.PROVIDER: OrganisationKind.ICB,
        }.get(self.kind)
        if self.kind == OrganisationKind.PRACTICE and self.parent_id is None:
            raise ValidationError({"parent": "A GP practice must belong to a PCN."})
        if self.parent_id and expected_parent and self.parent.kind != expected_parent:
            raise ValidationError({"parent": f"The parent must be a {expected_parent.label}."})

    @property
    def pcn(self):
        """The PCN this organisation works within, if any."""
        if self.kind == OrganisationKind.PCN:
            return self
        if self.kind == OrganisationKind.PRACTICE:
            return self.parent
        return None


class Role(models.TextChoices):
    LINK_WORKER = "link_worker", "Link worker"
    REFERRER = "referrer", "Referrer"
    PROVIDER = "provider", "Provider"
    MANAGER = "manager", "PCN manager"
    # An ICB's commissioner: aggregate reports of every PCN in the ICB, never a person's
    # record (docs/decisions/0006-manager-access.md).
    COMMISSIONER = "commissioner", "ICB commissioner"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    # A system's identity for the API (docs/decisions/0005-api-tokens.md): made by an admin,
    # with no password, so it never signs in on a page; its tokens are its only credential.
    is_service_account = models.BooleanField(default=False)
    # The single sign-on identity this account is pinned to: the provider's issuer and its
    # subject (`sub`), stored at the first sign-in through it. Later sign-ins match by these,
    # never by email alone, because a provider can give an email address to someone else
    # (OpenID Connect Core 1.0, section 5.7: only iss + sub identify the person).
    sso_issuer = models.CharField(max_length=255, blank=True)
    sso_subject = models.CharField(max_length=255, blank=True)
    # A link worker's choice, on their account page, of a daily email saying how many items
    # wait in their Today inbox (linkwell/inbox_digest.py). Off until they turn it on.
    inbox_digest = models.BooleanField(default=False)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["sso_issuer", "sso_subject"],
                condition=~models.Q(sso_subject=""),
                name="unique_sso_identity",
            )
        ]

    def memberships_by_role(self, *roles):
        return [m for m in self.memberships.all() if m.role in roles]

    def has_role(self, *roles) -> bool:
        return bool(self.memberships_by_role(*roles))


class InboxDigest(models.Model):
    """One Today inbox digest per user per day: the row is written with the email's queueing,
    so a rerun, or two runs at once, finds it and sends nothing more."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "on"], name="one_inbox_digest_a_day")
        ]


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_role")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class ApiToken(models.Model):
    """A bearer token for another system. Only a hash is kept; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class LinkPurpose(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    PASSWORD_RESET = "password_reset", "Password reset"
    TWO_FACTOR_SETUP = "two_factor_setup", "Two-factor set-up"


class AccountLink(models.Model):
    """A single-use emailed link for one account: an invitation (set a password, and set up
    two-factor if the organisation requires it), a password reset, or a two-factor set-up.
    Only the hash of its secret is kept (`secrets_store`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class SignInAttempt(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    succeeded = models.BooleanField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # What wrong tokens are counted by: the address, or an IPv6 address's /64 (client_address).
    client = models.CharField(max_length=50, blank=True, db_index=True)


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    TRANSITION = "transition", "Changed status"
    DENIED = "denied", "Denied access"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    TOKEN = "token", "API token"
    ACCOUNT = "account", "Changed an account"


class AuditQuerySet(models.QuerySet):
    """Append-only (updates and deletes refused), and scoped to the reader's organisations."""

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")

    def visible_to(self, user):
        """What an admin may read: entries by members of the organisations they look after
        (their own and every one beneath it), failed sign-ins to those members' accounts, and
        entries about people held by those organisations. Entries that name no one (a scanner
        without an account, a mistyped username) belong to no organisation: only admins of a
        top-level organisation (an ICB, with no parent) read those.
        """
        from django.apps import apps

        from .permissions import managed_organisations

        tree = managed_organisations(user)
        if not tree:
            return self.none()
        members = User.objects.filter(memberships__organisation__in=tree)
        people = apps.get_model("people", "Person").objects.filter(organisation__in=tree)
        seen = (
            models.Q(user_id__in=members.values("pk"))
            | models.Q(username__in=members.values("username"))
            | models.Q(username_tried__in=members.values("username"))
            | models.Q(person_id__in=people.values("pk"))
        )
        if tree.filter(parent__isnull=True).exists():
            anyone = User.objects.filter(memberships__isnull=False)
            seen |= (
                models.Q(person_id__isnull=True)
                & ~models.Q(user_id__in=anyone.values("pk"))
                & ~models.Q(username__in=anyone.values("username"))
                & (
                    ~models.Q(detail__has_key="username_tried")
                    | ~models.Q(username_tried__in=anyone.values("username"))
                )
            )
        # (as text: PostgreSQL compares jsonb with a username only after the cast)
        return self.alias(username_tried=KT("detail__username_tried")).filter(seen)


class AuditEntry(models.Model):
    """One line of the append-only audit log.

    Written only through `linkwell.accounts.audit.record`. Updates and deletes are refused here
    and, underneath the ORM, by database triggers (migration 0002).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, on_delete=models.DO_NOTHING, db_constraint=False)
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
