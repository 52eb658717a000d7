"""TOTP two-factor sign-in (django-otp), which an admin requires per organisation.

A member of an organisation that requires it gives a six-digit code after their password;
until then they are not signed in. An authenticator is set up only through a single-use link
emailed to the account holder (an invitation, or a set-up link an admin or the sign-in page
issues), never on the sign-in page itself: whoever knows the password must not be the one to
see the secret first (issue 15, item 14). When the organisation stops requiring it, members
are no longer asked, and their authenticator is kept for when it is required again.
"""

import time

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import AuditAction, Membership, Organisation, User

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60  # the password step is good for five minutes


def required_for(user: User) -> bool:
    return Membership.objects.filter(user=user, organisation__require_two_factor=True).exists()


def has_authenticator(user: User) -> bool:
    return any(devices_for_user(user, confirmed=True))


def remember_pending(session, user: User) -> None:
    session[PENDING_KEY] = {"user": user.pk, "at": time.time()}


def pending_user(session) -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def setup_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (made on first ask, reused after)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _clean(code: str) -> str:
    code = (code or "").replace(" ", "")
    return code if code.isdigit() else ""


def verify(user: User, code: str) -> TOTPDevice | None:
    """The confirmed device the code is valid for, else None."""
    code = _clean(code)
    for device in devices_for_user(user, confirmed=True) if code else ():
        if device.verify_token(code):
            return device
    return None


def confirm_setup(user: User, code: str) -> TOTPDevice | None:
    """Confirm the authenticator being set up if the code is right (replacing any older one)."""
    code = _clean(code)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if not code or device is None or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(user=user, action=AuditAction.ACCOUNT, obj=user, event="two-factor set up")
    return device


@transaction.atomic
def set_requirement(*, organisation: Organisation, required: bool, by: User) -> None:
    organisation.require_two_factor = required
    organisation.save(update_fields=["require_two_factor"])
    audit.record(user=by, action=AuditAction.UPDATE, obj=organisation, require_two_factor=required)
