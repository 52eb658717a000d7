"""Messages back to the GP and referrer, kept exactly as sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from linkwell.accounts.models import Organisation
from linkwell.cases.models import Case
from linkwell.write_guard import GuardedModel, GuardedQuerySet


class Recipient(models.TextChoices):
    GP = "gp", "GP practice"
    REFERRER = "referrer", "Referrer (not the GP)"


class SentQuerySet(GuardedQuerySet):
    """Sent is sent: what went out is evidence, so it is never changed or removed."""

    def visible_to(self, user):
        """The case's link workers and managers; and the GP practice a GP copy went to (its
        referrers), who read what was sent from their own system (GET /fhir/DocumentReference)."""
        from linkwell.accounts.permissions import referring_organisation_ids

        return self.filter(
            models.Q(case__in=Case.objects.visible_to(user))
            | models.Q(
                recipient=Recipient.GP,
                recipient_organisation_id__in=referring_organisation_ids(user),
            )
        )

    def update(self, **kwargs):
        raise PermissionError("A sent message back cannot be changed.")

    def delete(self):
        raise PermissionError("A sent message back cannot be deleted.")


class MessageBack(GuardedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages_back")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    recipient_name = models.CharField(max_length=200)
    recipient_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sections = models.JSONField(help_text="[{code, title, lines}] as shown in the letter.")
    bundle = models.JSONField(help_text="The FHIR R4 document Bundle, as sent.")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    objects = SentQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"Message back {self.pk} ({self.get_recipient_display()}) for case {self.case_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A sent message back cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A sent message back cannot be deleted.")
