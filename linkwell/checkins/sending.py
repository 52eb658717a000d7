"""Sending check-ins that are due (`linkwell checkins send-due`, then `linkwell worker`).

`send_due` marks each due check-in queued in the same transaction as it queues its task, so a
rerun sends nothing twice. The task (`deliver`) decides afresh whether to send, because
things change between scheduling and sending: the case closes, the service already says they
attended, the person now prefers phone calls. Those are recorded as "not sent", for staff.

The message carries no health detail, not even the service's name (that can say a lot): it
asks how things went and points to the single-use link, in the person's language.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction
from linkwell.accounts.secrets_store import digest, new_secret
from linkwell.connections.lifecycle import Status
from linkwell.delivery.services import queue
from linkwell.people.models import Consent, ConsentScope, ContactMethod
from linkwell.portal.languages import speaking

from . import tasks
from .models import Channel, CheckIn

ASKABLE = frozenset({Status.SENT, Status.ACCEPTED, Status.DID_NOT_ATTEND})


def site_url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


@transaction.atomic
def send_due(now=None) -> int:
    now = now or timezone.now()
    due = CheckIn.objects.select_for_update().filter(
        queued_at__isnull=True, sent_at__isnull=True, not_sent="", due_at__lte=now
    )
    ids = list(due.values_list("pk", flat=True))
    CheckIn.objects.filter(pk__in=ids).update(queued_at=now)
    for pk in ids:
        tasks.send_checkin.enqueue(pk)
    return len(ids)


def channel_for(person) -> tuple[str, str]:
    """(channel, "") to send by, or ("", why not) in the link worker's words."""
    if person.erased_at is not None:
        return "", "the person's record was erased"
    latest = Consent.objects.filter(person=person, scope=ConsentScope.CONTACT).last()
    if latest is not None and not latest.given:
        return "", "they asked not to be contacted by text or email"
    if person.preferred_contact == ContactMethod.EMAIL:
        return (Channel.EMAIL, "") if person.email else ("", "no email address")
    if person.preferred_contact == ContactMethod.TEXT:
        return (Channel.TEXT, "") if person.phone else ("", "no phone number")
    if person.preferred_contact == ContactMethod.LETTER:
        # By post through GOV.UK Notify: a letter takes a few days, the link lasts two weeks.
        return (Channel.LETTER, "") if person.address and person.postcode else ("", "no address")
    return "", f"they prefer {person.get_preferred_contact_display().lower()}s — ask them yourself"


def why_not(checkin: CheckIn) -> tuple[str, str]:
    connection = checkin.connection
    if not connection.case.is_open:
        return "", "the case is closed"
    if connection.status not in ASKABLE:
        return "", f"the referral is {connection.get_status_display().lower()}"
    return channel_for(connection.case.person)


@transaction.atomic
def deliver(checkin_id: int) -> bool:
    """Send one check-in, with a fresh link, or record why not. True when a message went."""
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("connection__case__person", "connection__service")
        .get(pk=checkin_id)
    )
    if checkin.sent_at is not None or checkin.not_sent:
        return False
    channel, reason = why_not(checkin)
    person = checkin.connection.case.person
    if not channel:
        checkin.not_sent = reason[:200]
        checkin.save(update_fields=["not_sent"])
        return False
    token = new_secret()
    now = timezone.now()
    checkin.token_hash = digest(token)
    checkin.sent_at, checkin.channel = now, channel
    checkin.expires_at = now + timedelta(days=settings.CHECKIN_LINK_DAYS)
    checkin.save(update_fields=["token_hash", "sent_at", "channel", "expires_at"])
    with speaking(person):
        subject, body = _message(checkin, person, site_url("checkins:answer", token))
    queue(
        key=f"checkin:{checkin.pk}",
        what="check-in",
        channel=channel,
        to=_address(person, channel),
        case=checkin.connection.case,
        subject=subject,
        body=body,
    )
    audit.record(
        user=None,
        action=AuditAction.UPDATE,
        obj=checkin,
        person_id=person.pk,
        event="check-in sent",
        channel=channel,
    )
    return True


def _address(person, channel: str) -> str:
    if channel == Channel.LETTER:
        return "\n".join([person.full_name, *person.address.splitlines(), person.postcode])
    return person.email if channel == Channel.EMAIL else person.phone


def _message(checkin: CheckIn, person, url: str) -> tuple[str, str]:
    made = date_format(timezone.localtime(checkin.connection.created_at), "j F")
    until = date_format(timezone.localtime(checkin.expires_at), "j F")
    subject = _("How did it go?")
    body = _(
        "Hello %(name)s. Your link worker put you in touch with some support on %(made)s and "
        "would like to know how it went. Please answer with one tap: %(url)s\n"
        "The link works once, until %(until)s."
    ) % {"name": person.given_name, "made": made, "url": url, "until": until}
    return subject, body
