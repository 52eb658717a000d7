"""Emails to staff about their own account: invitations, password resets, two-factor set-up.

They go through the outbox (linkwell.delivery) like every other message: queued in the
transaction that issues the link, sent by `linkwell worker` through the email backend
(GOV.UK Notify in production), retried, audited and shown to admins without their content.
"""

from django.conf import settings
from django.urls import reverse

from linkwell.delivery.models import Channel
from linkwell.delivery.services import queue

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
    queue(
        key=f"account-link:{link.pk}",
        what=f"{LinkPurpose(link.purpose).label.lower()} link (staff account)",
        channel=Channel.EMAIL,
        to=user.email,
        to_person=False,
        subject=SUBJECTS[link.purpose],
        body=body,
        by=link.created_by,
    )
