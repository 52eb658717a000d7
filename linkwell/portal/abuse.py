"""Keeping the public self-referral form free of spam without third-party services.

Three checks, each cheap and invisible to a real person: a honeypot field that people never
see (bots fill every field), a minimum time between showing the form and sending it (bots are
instant), and a limit on submissions from one address per hour.
"""

import hashlib
import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.client_address import limit_key

from .models import SelfReferralAttempt

MIN_SECONDS = 3
MAX_AGE = timedelta(hours=12)
SALT = "linkwell.portal.self-referral"


class Refused(Exception):
    """Why a submission was turned away; the message is shown to the sender."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def form_stamp() -> str:
    """A signed note of when the form was shown, carried in a hidden field."""
    return signing.dumps({"shown": time.time()}, salt=SALT)


def client_key(ip: str | None) -> str:
    key = limit_key(ip)
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def check(*, ip: str | None, honeypot: str, stamp: str) -> None:
    client = client_key(ip)
    try:
        _check(client, honeypot, stamp)
    except Refused as refused:
        SelfReferralAttempt.objects.create(client=client, accepted=False, reason=refused.reason)
        audit.record(
            user=None,
            action=AuditAction.DENIED,
            object_type="portal.selfreferral",
            reason=refused.reason,
        )
        raise
    SelfReferralAttempt.objects.create(client=client, accepted=True)


def _check(client: str, honeypot: str, stamp: str) -> None:
    if honeypot:
        raise Refused(
            "honeypot", _("Your referral could not be sent. Please phone your GP practice.")
        )
    try:
        shown = signing.loads(stamp, salt=SALT, max_age=MAX_AGE)["shown"]
    except (signing.BadSignature, KeyError, TypeError) as e:
        raise Refused("stale form", _("This form has expired. Please start again.")) from e
    sent_after = time.time() - shown
    if sent_after < MIN_SECONDS:
        raise Refused(
            "too fast", _("That was very quick. Please check your answers and send again.")
        )
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = SelfReferralAttempt.objects.filter(client=client, at__gte=hour_ago).count()
    if recent >= settings.SELF_REFERRALS_PER_HOUR:
        raise Refused(
            "rate limit",
            _(
                "We have had several referrals from this connection. Please try again later, "
                "or phone your GP practice."
            ),
        )
