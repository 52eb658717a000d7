"""The outbox: one row per logical outbound message, whatever carries it.

A message is queued in the same transaction as the change that causes it (under a unique
`key`, so the same logical message is never queued twice), then sent by `linkwell worker`:
queued → sending (claimed, attempt counted) → sent (the provider's id) → delivered, or failed
with the provider's error. `reference` is ours, given to the provider with the message (Notify's
`reference`, MESH's local id), so a worker that died between sending and recording can ask the
provider whether the message went before it sends again.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from linkwell.cases.models import Case


class Channel(models.TextChoices):
    MESH = "mesh", "MESH (GP practice)"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


FINISHED = frozenset({Status.SENT, Status.DELIVERED, Status.FAILED})


def new_reference() -> str:
    return uuid.uuid4().hex


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Deliveries about cases the user may see. Admins also see the outbox of the
        organisations they look after, as they do the audit log (AuditEntry.visible_to): about
        those organisations' cases, or to their members and practices; a message to no
        organisation's member or practice only admins of a top-level organisation see. (The
        page shows no addresses and no content, but the errors and case numbers are theirs.)"""
        from linkwell.accounts.models import Organisation, User
        from linkwell.accounts.permissions import Capability, can, managed_organisations

        seen = models.Q(case__in=Case.objects.visible_to(user))
        if can(user, Capability.READ_AUDIT):
            tree = managed_organisations(user)
            members = User.objects.filter(memberships__organisation__in=tree).exclude(email="")
            practices = tree.exclude(ods_code="")
            seen |= models.Q(case__organisation__in=tree) | models.Q(
                models.Q(to__in=members.values("email"))
                | models.Q(to__in=practices.values("ods_code")),
                case__isnull=True,
            )
            if tree.filter(parent__isnull=True).exists():
                anyone = User.objects.filter(memberships__isnull=False).exclude(email="")
                seen |= models.Q(case__isnull=True) & ~models.Q(
                    models.Q(to__in=anyone.values("email"))
                    | models.Q(to__in=Organisation.objects.exclude(ods_code="").values("ods_code"))
                )
        return self.filter(seen)


class Delivery(models.Model):
    key = models.CharField(max_length=200, unique=True, help_text="The logical message.")
    what = models.CharField(max_length=100, help_text="In staff's words: 'check-in', …")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # To whom: a phone number, an email address, a postal address (letters) or, for MESH, the
    # practice's ODS code (the mailbox is looked up when sending and kept here).
    to = models.CharField(max_length=320)
    # The person the case is about (a failure asks the link worker to check their details),
    # or someone else: a service, a member of staff, a GP practice.
    to_person = models.BooleanField(default=True)
    mesh_mailbox = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    # The text, sealed (sealing.py: opened only by the worker that sends it), or the document
    # for MESH. Emptied once the provider has it or it has failed for good: it can hold a
    # single-use link that must not outlive its sending in our database.
    body = models.TextField(blank=True)
    document = models.JSONField(null=True, blank=True)
    # A file instead of the document (MESH), and the media type of what MESH carries.
    attachment = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=64, unique=True, default=new_reference)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # MESH: the practice's business acknowledgement (ITK3, from its system: no one in
    # `acknowledged_by`; PROTECT, as staff accounts are deactivated, never deleted), or a link
    # worker's word that the practice has it (they phoned): either ends the chase for a reply
    # (queries.awaiting_reply). Not delivered_at: MESH's own tracking says only that the
    # practice's system downloaded the message, not that the practice filed it.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.what} by {self.get_channel_display()} ({self.get_status_display()})"
