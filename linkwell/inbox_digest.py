"""The Today inbox's daily email digest, for link workers who turned it on (their account page).

It says how many items wait in each part of the inbox and links to Today: counts only, never a
name, an NHS number or a health detail, since an email can be read far from a safe screen. It
goes through the outbox like every other message (queued, sent by `linkwell worker`, audited),
at most once per user per day (`InboxDigest`'s unique constraint, written in the same
transaction), and not at all when the inbox is empty. `linkwell digest send` runs it.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from linkwell import inbox
from linkwell.accounts.models import InboxDigest, User
from linkwell.accounts.permissions import Capability, can
from linkwell.delivery.models import Channel
from linkwell.delivery.services import queue

SUBJECT = "Linkwell: your Today inbox"


def body(user) -> str:
    """The email's text, or "" when nothing waits."""
    counts = [(section.title, section.count()) for section in inbox.sections(user)]
    if not any(n for _, n in counts):
        return ""
    lines = "\n".join(f"- {title}: {n}" for title, n in counts if n)
    url = settings.SITE_URL.rstrip("/") + reverse("cases:today")
    return (
        f"Hello {user.first_name or user.username},\n\n"
        f"Waiting in your Today inbox (your cases and your PCN's unassigned ones):\n{lines}\n\n"
        f"Sign in to see them: {url}\n\n"
        "You asked for this email each day. To stop it, untick it on your account page in "
        "Linkwell.\n"
    )


def recipients():
    return User.objects.filter(is_active=True, is_service_account=False, inbox_digest=True).exclude(
        email=""
    )


def send(now=None) -> int:
    """Queue today's digest for everyone who asked for one and has something waiting; returns
    how many were queued by this run."""
    today = timezone.localdate(now)
    queued = 0
    for user in recipients().exclude(pk__in=_already(today)).order_by("pk"):
        if can(user, Capability.MANAGE_CASES):
            queued += _send_one(user, today)
    return queued


def _already(today):
    return InboxDigest.objects.filter(on=today).values("user_id")


@transaction.atomic
def _send_one(user: User, today) -> bool:
    text = body(user)
    if not text:
        return False  # nothing waits: no email, and a later run today may still send one
    _, created = InboxDigest.objects.get_or_create(user=user, on=today)
    if not created:
        return False  # another run sent it meanwhile
    queue(
        key=f"inbox-digest:{user.pk}:{today.isoformat()}",
        what="Today inbox digest (staff)",
        channel=Channel.EMAIL,
        to=user.email,
        to_person=False,
        subject=SUBJECT,
        body=text,
    )
    return True
