"""Onward referrals ("connections") from a case to a community service, and their history."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from linkwell.accounts import permissions
from linkwell.accounts.permissions import CAPABILITIES, Capability
from linkwell.write_guard import GuardedModel, GuardedQuerySet

from .lifecycle import OPEN, Status

NOTE = settings.MAX_NOTE_LENGTH


class SharedDetail(models.TextChoices):
    """What the person may agree to share with the service, one choice each."""

    NAME = "name", "Name"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    POSTCODE = "postcode", "Postcode"
    REASONS = "reasons", "What they would like help with"
    LANGUAGE = "language", "Language and interpreter"
    ACCESSIBILITY = "accessibility", "Accessibility needs"


def provider_organisation_ids(user) -> set[int]:
    """Organisations whose services' referrals the user answers (provider memberships)."""
    if not user.is_authenticated:
        return set()
    return {
        m.organisation_id
        for m in user.memberships.all()
        if Capability.RESPOND_TO_CONNECTIONS in CAPABILITIES[m.role]
    }


class ConnectionQuerySet(GuardedQuerySet):
    def visible_to(self, user):
        """Link workers and managers: connections from their PCNs' cases. Providers: those to
        services of directory organisations linked to their own organisation."""
        pcns = permissions.pcn_ids(user, Capability.VIEW_CASELOAD)
        providers = provider_organisation_ids(user)
        return self.filter(
            models.Q(case__organisation_id__in=pcns)
            | models.Q(service__organisation__account_id__in=providers)
        )

    def open(self):
        return self.filter(status__in=OPEN)


class Connection(GuardedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="connections")
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="connections"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    shared_details = models.JSONField(
        default=list, help_text="SharedDetail codes the person agreed to share with the service."
    )
    note = models.TextField(
        blank=True, max_length=NOTE, help_text="For the service; shared with the referral."
    )
    first_session_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    nudged_at = models.DateTimeField(null=True, blank=True)
    person_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self):
        return f"Connection {self.pk} to {self.service_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def shared_labels(self) -> list[str]:
        return [SharedDetail(c).label for c in self.shared_details if c in SharedDetail.values]


class ConnectionEvent(models.Model):
    """A status change, with who made it and how: the connection's history."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    via = models.CharField(max_length=40, help_text="e.g. case page, provider portal, email link")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True, max_length=NOTE)

    class Meta:
        ordering = ["at", "id"]


class ProviderLink(models.Model):
    """A single-use, expiring link for a provider without an account to make one update.

    Only a SHA-256 of the 256-bit token is kept (as for API tokens and self-completion links).
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )


class FollowUpReminder(models.Model):
    """One overdue-follow-ups reminder per link worker per day, so reruns send no repeats."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "on"], name="one_follow_up_reminder_a_day")
        ]
