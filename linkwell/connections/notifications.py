"""The messages Linkwell sends about connections. None carries a health detail: they say
that something is waiting, or when, and point to a page behind sign-in or a single-use link."""

import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from linkwell.accounts.models import Role, User
from linkwell.delivery.services import queue
from linkwell.people.models import Consent, ConsentScope, ContactMethod

from .provider_links import issue_link

OPENINGS = {
    "new": "A new referral has been sent to {service} through Linkwell.",
    "nudge": "A referral to {service} sent through Linkwell is still waiting for a reply.",
    "reminder": "A reminder about a referral to {service} sent through Linkwell.",
    "next": "Thank you for updating a referral to {service}. Use the link below for the next step.",
}


def _url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def provider_users(connection):
    organisation = connection.service.organisation
    if organisation is None or organisation.account_id is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__organisation_id=organisation.account_id,
        memberships__role=Role.PROVIDER,
        is_active=True,
    ).exclude(email="")


def provider_email(connection) -> str:
    """Where a provider without accounts is written to: the service's email, else its
    organisation's."""
    organisation = connection.service.organisation
    return connection.service.email or (organisation.email if organisation else "")


@transaction.atomic
def notify_provider(connection, kind: str) -> int:
    """Tell the provider about a referral; returns the number of emails queued (one task run
    is one logical notice: its link and its emails are queued together or not at all)."""
    opening = OPENINGS[kind].format(service=connection.service.name)
    users = list(provider_users(connection))
    if users:
        body = f"{opening}\n\nSign in to see it and reply: {_url('connections:portal')}\n"
        recipients = [u.email for u in users]
    else:
        email = provider_email(connection)
        if not email:
            return 0
        token = issue_link(connection=connection, email=email)
        body = (
            f"{opening}\n\nOpen this link to see the details the person agreed to share and "
            f"to reply. It works once, for {settings.PROVIDER_LINK_DAYS} days:\n"
            f"{_url('connections:respond', token)}\n"
        )
        recipients = [email]
    notice = uuid.uuid4().hex
    for email in recipients:
        queue(
            key=f"provider-notice:{connection.pk}:{kind}:{notice}:{email}",
            what=f"referral notice ({kind}) to the service",
            channel="email",
            to=email,
            case=connection.case,
            subject="Linkwell: a referral for your service",
            body=body,
            to_person=False,
        )
    return len(recipients)


def remind_link_worker(user, overdue: int) -> bool:
    if not user.email:
        return False
    queue(
        key=f"overdue-follow-ups:{user.pk}:{timezone.localdate().isoformat()}",
        what="overdue follow-ups reminder",
        channel="email",
        to=user.email,
        to_person=False,
        subject="Linkwell: follow-ups are overdue",
        body=f"You have {overdue} overdue follow-up{'s' if overdue != 1 else ''} in Linkwell."
        f"\n\nSee your caseload: {_url('cases:caseload')}\n",
    )
    return True


def may_remind(person) -> bool:
    """Only people whose latest say on being contacted by text or email was yes."""
    latest = Consent.objects.filter(person=person, scope=ConsentScope.CONTACT).last()
    return latest is not None and latest.given and person.erased_at is None


def remind_person(connection) -> bool:
    person = connection.case.person
    if connection.first_session_at is None or not may_remind(person):
        return False
    when = connection.first_session_at.astimezone()
    body = (
        f"Hello {person.given_name}, a reminder of your session on "
        f"{when:%A %-d %B at %H:%M}. If you cannot go, please tell your link worker."
    )
    if person.preferred_contact == ContactMethod.EMAIL and person.email:
        channel, to = "email", person.email
    elif person.phone:
        channel, to = "text", person.phone
    else:
        return False
    queue(
        key=f"session-reminder:{connection.pk}:{connection.first_session_at.isoformat()}",
        what="session reminder",
        channel=channel,
        to=to,
        case=connection.case,
        subject="A reminder of your session",
        body=body,
    )
    return True
