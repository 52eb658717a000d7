"""Emails to staff about their own account: invitations, password resets, two-factor set-up.

One function sends them all, so routing them elsewhere (an outbox) changes one line.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from .models import AccountLink, LinkPurpose, User

SUBJECTS = {
    LinkPurpose.INVITATION: "You have been invited to Linkwell",
    LinkPurpose.PASSWORD_RESET: "Reset your Linkwell password",
    LinkPurpose.TWO_FACTOR_SETUP: "Set up two-factor sign-in for Linkwell",
}
WHAT = {
    LinkPurpose.INVITATION: "choose your password and start using Linkwell",
    LinkPurpose.PASSWORD_RESET: "choose a new password",
    LinkPurpose.TWO_FACTOR_SETUP: "set up the authenticator app you will sign in with",
}


def send_link(*, user: User, link: AccountLink, secret: str) -> None:
    url = settings.SITE_URL.rstrip("/") + reverse("accounts:link", args=[secret])
    body = (
        f"Hello {user.first_name or user.username},\n\n"
        f"Open this link to {WHAT[link.purpose]}:\n{url}\n\n"
        f"Your username is {user.username}. The link works once, until "
        f"{link.expires_at:%d %B %Y %H:%M} UTC. If you did not expect this email, ignore it: "
        "nothing changes until the link is used.\n"
    )
    send_mail(SUBJECTS[link.purpose], body, None, [user.email])
