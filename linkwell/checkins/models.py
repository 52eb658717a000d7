"""Check-ins: asking the person, a while after a connection, whether they got to the service.

Each check-in carries a single-use, expiring link (only a SHA-256 of its 256-bit token is
kept, as for provider and self-completion links). It is made when the message is sent, so a
scheduled check-in has no token yet.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy


class Answer(models.TextChoices):
    YES = "yes", pgettext_lazy("check-in answer", "Yes")
    NOT_YET = "not_yet", pgettext_lazy("check-in answer", "Not yet")
    NOT_RIGHT = "not_right", pgettext_lazy("check-in answer", "It wasn't right for me")
    CALL_ME = "call_me", pgettext_lazy("check-in answer", "Please call me")


class Channel(models.TextChoices):
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class CheckIn(models.Model):
    connection = models.ForeignKey(
        "connections.Connection", on_delete=models.CASCADE, related_name="checkins"
    )
    due_at = models.DateTimeField(help_text="When to ask; the link worker may change it.")
    attempt = models.PositiveSmallIntegerField(default=1, help_text="2 after a 'not yet'.")
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    not_sent = models.CharField(
        max_length=200, blank=True, help_text="Why no message went (shown to staff)."
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    task = models.ForeignKey(
        "cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["queued_at", "due_at"])]

    def __str__(self):
        return f"Check-in {self.pk} on connection {self.connection_id}"

    @property
    def is_pending(self) -> bool:
        """Not yet sent (or decided against): its time can still be changed."""
        return self.queued_at is None and self.sent_at is None and not self.not_sent

    @property
    def is_expired(self) -> bool:
        return not self.answer and self.expires_at is not None and self.expires_at <= timezone.now()

    def state(self) -> str:
        """In the link worker's words, for the case page."""
        if self.answer:
            return f"Answered “{Answer(self.answer).label}”"
        if self.not_sent:
            return f"Not sent: {self.not_sent}"
        if self.is_expired:
            return "Not answered (the link has expired)"
        if self.sent_at:
            return "Sent, waiting for an answer"
        if self.queued_at:
            return "Sending"
        return "Scheduled"
