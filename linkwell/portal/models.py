from django.db import models


class SelfReferralAttempt(models.Model):
    """One submission of the public self-referral form, for rate limiting.

    The client address is kept only as a keyed hash: enough to count repeats, not to say who.
    """

    client = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True)
