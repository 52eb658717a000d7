from django.conf import settings
from django.db import models


class SelfReferralAttempt(models.Model):
    """One submission of the public self-referral form, for rate limiting.

    The client address is kept only as a keyed hash: enough to count repeats, not to say who.
    """

    client = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True)


class PersonPageLink(models.Model):
    """A single-use, expiring link to the person's own page, sent by their link worker.

    Only a SHA-256 of the 256-bit token is kept. Opening it once exchanges it for a short
    session scoped to this case's person (see linkwell/portal/person_page.py). An optional
    six-digit code, sent in a separate message, is kept as a keyed hash too.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="page_links")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(max_length=10)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
