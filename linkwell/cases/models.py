"""Referrals, cases and everything recorded while supporting someone."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from linkwell.accounts import permissions
from linkwell.accounts.models import Organisation
from linkwell.people.models import Person
from linkwell.people.services import PersonDetails
from linkwell.write_guard import GuardedModel, GuardedQuerySet

from .lifecycle import OPEN, Status

NOTE = settings.MAX_NOTE_LENGTH


class ReferralSource(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    SELF = "self", "Self-referral"
    OTHER_AGENCY = "other_agency", "Other agency"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


AS_REFERRED = "referral-"


def as_referred_id(referral_pk: int) -> str:
    """The id under which a referrer sees the person as their referral described them: the
    referral's, never the record's, whose age would tell them the PCN knew the person before."""
    return f"{AS_REFERRED}{referral_pk}"


def referral_named_by(patient_id: str) -> str | None:
    """The referral's id in an as_referred_id, or None for any other id."""
    return patient_id.removeprefix(AS_REFERRED) if patient_id.startswith(AS_REFERRED) else None


@dataclass
class AsReferred(PersonDetails):
    """The person as a referral described them, under the referral's own id (as_referred_id)."""

    pk: str | None = None
    # When the referral described them: the version of what a referrer reads (FHIR meta).
    updated_at: datetime | None = None

    @property
    def id(self) -> str | None:
        return self.pk


class ReferralQuerySet(GuardedQuerySet):
    def visible_to(self, user):
        """Referrals into the user's PCNs, or made by an organisation whose referrals they track."""
        pcns = permissions.pcn_ids(user, permissions.Capability.VIEW_CASELOAD)
        referrers = permissions.referring_organisation_ids(user)
        return self.filter(
            models.Q(organisation_id__in=pcns) | models.Q(referring_organisation_id__in=referrers)
        )


class Referral(GuardedModel):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        help_text="The PCN referred to.",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referring_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="How to reach the referrer: phone or email (PRSB: referrer contact details).",
    )
    referring_organisation_name = models.CharField(
        max_length=150,
        blank=True,
        help_text="The referrer's organisation when it is not one in Linkwell (other agencies).",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    reasons = models.JSONField(help_text="Codes from linkwell.cases.needs.Need.")
    details = models.TextField(blank=True, max_length=NOTE)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    consent_given = models.BooleanField(help_text="The person agreed to be referred.")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    identifier = models.CharField(
        max_length=100,
        blank=True,
        help_text="The referrer's own identifier for the referral (FHIR ServiceRequest."
        "identifier, as system|value): one referral per identifier per referrer.",
    )
    # Digest of what was asked for: tells a retry (same key or identifier, same request) from a
    # different request reusing them.
    request_fingerprint = models.CharField(max_length=64, blank=True)
    submitted_person = models.JSONField(
        default=dict,
        blank=True,
        help_text="The person as the referrer described them (PersonDetails). Referrers are "
        "shown this, never the PCN's record, which may hold more or, on a mismatched NHS "
        "number, be someone else.",
    )
    submitted_request = models.JSONField(
        default=dict,
        blank=True,
        help_text="The referral as the referrer's system coded it (FHIR ServiceRequest "
        "identifier, code, category, reasonCode, priority, note), given back to them on read.",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referred_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_referral_per_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["referred_by", "identifier"],
                condition=~models.Q(identifier=""),
                name="one_referral_per_identifier",
            ),
        ]

    def __str__(self):
        return f"Referral {self.pk} for {self.person}"

    @property
    def as_referred(self) -> "AsReferred":
        """What a referrer sees of the person: their own words, under this referral's id."""
        details = PersonDetails.from_json(self.submitted_person or {})
        return AsReferred(pk=as_referred_id(self.pk), updated_at=self.received_at, **vars(details))

    def reason_labels(self) -> list[str]:
        from .needs import Need

        return [Need(code).label for code in self.reasons]


class CaseQuerySet(GuardedQuerySet):
    def visible_to(self, user):
        """Cases of the PCNs the user works in. Referrers do not see cases, only referral status."""
        return self.filter(
            organisation_id__in=permissions.pcn_ids(user, permissions.Capability.VIEW_CASELOAD)
        )

    def open(self):
        return self.filter(status__in=OPEN)


class Case(GuardedModel):
    """One episode of support for one person, owned by a PCN."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    link_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    opened_at = models.DateTimeField(default=timezone.now)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(
        default=timezone.now,
        help_text="When anything on the case last changed (the caseload's 'recently updated').",
    )
    discharge_reason = models.CharField(max_length=200, blank=True)
    follow_up_advice = models.TextField(
        blank=True,
        max_length=NOTE,
        help_text="Advice for the GP and referrer on what happens next (message back).",
    )
    no_known_risks = models.BooleanField(
        default=False,
        help_text="The link worker found no risks (PRSB: risks are mandatory, so 'no known "
        "risks' is recorded rather than left blank). Cleared when a risk is recorded.",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "opened_at"]),
            models.Index(fields=["link_worker", "status"]),
            # The caseload's active section spans three statuses: with these the database
            # walks one PCN's cases in the order asked for and stops at the page's end, rather
            # than joining every case to its person and referral before sorting.
            models.Index(fields=["organisation", "opened_at"]),
            models.Index(fields=["organisation", "-updated_at"]),
        ]

    def __str__(self):
        return f"Case {self.pk} ({self.person})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def days_waiting(self) -> int:
        return (timezone.now() - self.opened_at).days


class Risk(models.Model):
    """A risk to the person or to others (PRSB social prescribing: Risks record entry)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(max_length=150, help_text="The risk, e.g. self-neglect.")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    comment = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return self.description


class CaseEvent(models.Model):
    """A status change: the case's history, one row per transition."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True, max_length=NOTE)

    class Meta:
        ordering = ["at", "id"]


class ContactMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    HOME_VISIT = "home_visit", "Home visit"
    GROUP = "group", "Group"
    # The PRSB Social Prescribing Information Standard records contact attempts as well as
    # contacts made: an attempt is kept, but is not the first contact and moves no status.
    ATTEMPTED = "attempted", "Attempted — no answer"


class Contact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField()
    mode = models.CharField(max_length=20, choices=ContactMode.choices)
    minutes = models.PositiveIntegerField()
    notes = models.TextField(blank=True, max_length=NOTE)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-at"]


class WhatMatters(models.Model):
    """The "what matters to you" conversation, in the person's words."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="what_matters")
    at = models.DateTimeField(default=timezone.now)
    what_matters = models.TextField(max_length=NOTE)
    strengths = models.TextField(blank=True, max_length=NOTE)
    needs = models.JSONField(default=list, help_text="Codes from linkwell.cases.needs.Need.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "what matters conversations"


class CarePlan(models.Model):
    """The personalised care and support plan, agreed with the person."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="care_plan")
    summary = models.TextField(max_length=NOTE)
    agreed_on = models.DateField(default=timezone.localdate)
    review_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    # Optimistic locking: a save must name the version it edited, so two people editing at
    # once cannot silently overwrite each other.
    version = models.PositiveIntegerField(default=1)


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Goal(models.Model):
    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(max_length=500)
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    target_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.description


class Action(models.Model):
    """A step towards a goal, and who will take it."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.CharField(max_length=100, default="The person")
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tasks of the cases the user sees (CaseQuerySet.visible_to), by the task's own PCN."""
        return self.filter(
            organisation_id__in=permissions.pcn_ids(user, permissions.Capability.VIEW_CASELOAD)
        )


class Task(models.Model):
    """A follow-up or other task on a case, with a due date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    # The case's PCN, kept on the task (set on save) so that a PCN's open tasks are read from
    # their own index, not found among every PCN's by way of the PCN's cases.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField(db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["case", "done_at", "due_on"]),
            models.Index(
                fields=["organisation", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="cases_task_open_by_pcn",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.organisation_id is None:
            self.organisation_id = self.case.organisation_id
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()
