"""Optional TOTP two-factor sign-in (django-otp), which an admin can require per organisation.

A user with a confirmed authenticator, or in an organisation that requires one, gives a
six-digit code after their password; until then they are not signed in. Someone who must use
two-factor but has no authenticator sets one up at that step.
"""

import time

from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import AuditAction, Membership, Organisation, User

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60  # the password step is good for five minutes


def required_for(user: User) -> bool:
    return Membership.objects.filter(user=user, organisation__require_two_factor=True).exists()


def needed(user: User) -> bool:
    return user_has_device(user) or required_for(user)


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


def verify(user: User, code: str) -> TOTPDevice | None:
    """The device the code is valid for, confirming a device being set up; else None."""
    code = (code or "").replace(" ", "")
    if not code.isdigit():
        return None
    confirmed = list(devices_for_user(user, confirmed=True))
    candidates = confirmed or [setup_device(user)]
    for device in candidates:
        if device.verify_token(code):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(user=user, action=AuditAction.UPDATE, obj=device, event="2fa set up")
            return device
    return None


@transaction.atomic
def set_requirement(*, organisation: Organisation, required: bool, by: User) -> None:
    organisation.require_two_factor = required
    organisation.save(update_fields=["require_two_factor"])
    audit.record(user=by, action=AuditAction.UPDATE, obj=organisation, require_two_factor=required)
