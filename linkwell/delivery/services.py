"""The outbox's rules: queue a message once, send it at most once, retry what may pass, and
say what happened (on the case, to admins, in the audit log).

Sending is claim → send → record, in three steps on purpose: the claim (status "sending",
attempt counted) commits before the provider is called, so a worker that dies mid-send leaves
a record that says so; whoever resumes it (`attempt` again, from `linkwell delivery send-due`)
first asks the provider for a message with our reference (`find`) and only sends if there is
none. Every retry asks the same way, because a timeout can hide a message that went. So a
message is never lost (it stays queued until sent or failed for good) and never sent twice.
"""

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from linkwell import write_guard
from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction

from . import sealing, tasks
from .backends import Refused, Retry, backend_for, masked
from .models import FINISHED, Channel, Delivery, Status, new_reference
from .queries import awaiting_reply

TO_A_PERSON = {Channel.TEXT, Channel.EMAIL, Channel.LETTER}
logger = logging.getLogger(__name__)


class DeliveryError(ValidationError):
    """A message cannot be queued as asked; the message says why."""


def _audit(delivery: Delivery, by=None, **detail) -> None:
    audit.record(
        user=by,
        action=AuditAction.UPDATE if detail else AuditAction.CREATE,
        obj=delivery,
        person_id=delivery.case.person_id if delivery.case_id else None,
        channel=delivery.channel,
        what=delivery.what,
        **detail,
    )


def _enqueue(delivery: Delivery, run_after=None) -> None:
    send = tasks.send_delivery
    if run_after is not None and default_task_backend.supports_defer:
        send = send.using(run_after=run_after)
    elif run_after is not None:
        return  # this backend cannot wait: `linkwell delivery send-due` picks it up when due
    send.enqueue(delivery.pk)


@write_guard.service
@transaction.atomic
def queue(
    *,
    key: str,
    what: str,
    channel: str,
    to: str,
    case=None,
    subject: str = "",
    body: str = "",
    document: dict | None = None,
    attachment: bytes | None = None,
    content_type: str = "",
    to_person: bool = True,
    reference: str = "",
    by=None,
) -> Delivery:
    """Queue one logical message (the same key twice gives the first, untouched) and its
    sending task, in the caller's transaction. The text is sealed at rest (sealing.py) until
    the worker sends it; `reference` when the message itself carries ours (MESH's ITK3 id)."""
    if channel not in Channel.values:
        raise DeliveryError({"channel": f"Unknown channel {channel!r}."})
    if not (to or "").strip():
        raise DeliveryError({"to": "There is nowhere to send this message."})
    delivery, created = Delivery.objects.get_or_create(
        key=key,
        defaults={
            "what": what,
            "channel": channel,
            "to": to.strip(),
            "case": case,
            "subject": subject,
            "body": sealing.seal(body),
            "document": document,
            "attachment": attachment,
            "content_type": content_type,
            "to_person": to_person and channel != Channel.MESH,
            "reference": reference or new_reference(),
        },
    )
    if created:
        _audit(delivery, by)
        _enqueue(delivery)
    return delivery


def backoff(attempts: int) -> timedelta:
    seconds = settings.DELIVERY_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.DELIVERY_RETRY_MAX_SECONDS))


@write_guard.service
@transaction.atomic
def _claim(delivery_id: int, now) -> tuple[Delivery | None, bool]:
    """Claim the delivery for this worker: (delivery, whether it may already have gone), or
    (None, False) when there is nothing to do (finished, or another worker is on it)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    stale = now - timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS)
    if delivery.status in FINISHED:
        return None, False
    if delivery.status == Status.SENDING and delivery.claimed_at > stale:
        return None, False
    may_have_gone = delivery.attempts > 0
    delivery.status, delivery.claimed_at = Status.SENDING, now
    delivery.attempts += 1
    delivery.save(update_fields=["status", "claimed_at", "attempts"])
    return delivery, may_have_gone


def attempt(delivery_id: int, now=None) -> Delivery:
    """One try at sending (the worker's task). Deliberately not one transaction: see above."""
    now = now or timezone.now()
    delivery, may_have_gone = _claim(delivery_id, now)
    if delivery is None:
        return Delivery.objects.get(pk=delivery_id)
    backend = backend_for(delivery.channel)
    try:
        # Opened here only, for the provider; never saved open (sent or failed empties it).
        delivery.body = sealing.unseal(delivery.body)
        provider_id = (backend.find(delivery) if may_have_gone else "") or backend.send(delivery)
    except (Retry, sealing.Unreadable) as e:
        return _retry_later(delivery, str(e), now)
    except Refused as e:
        return _fail(delivery, str(e), now, fix_contact=e.contact)
    except Exception as e:  # a bug or a misconfiguration: kept visible, tried again, not lost
        logger.exception("Delivery %s: unexpected error", delivery.pk)
        return _retry_later(delivery, f"Unexpected error: {type(e).__name__}: {e}", now)
    return _sent(delivery, provider_id, now)


@write_guard.service
@transaction.atomic
def _sent(delivery: Delivery, provider_id: str, now) -> Delivery:
    delivery.status, delivery.provider_id, delivery.sent_at = Status.SENT, provider_id, now
    delivery.body, delivery.error, delivery.next_attempt_at = "", "", None
    delivery.attachment = None  # the provider has it; the message back keeps the letter
    delivery.save(
        update_fields=[
            "status",
            "provider_id",
            "sent_at",
            "body",
            "attachment",
            "error",
            "next_attempt_at",
            "mesh_mailbox",
        ]
    )
    _audit(delivery, event="sent", provider_id=provider_id, attempts=delivery.attempts)
    return delivery


@write_guard.service
@transaction.atomic
def _retry_later(delivery: Delivery, error: str, now) -> Delivery:
    if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        return _fail(delivery, f"Gave up after {delivery.attempts} attempts: {error}", now)
    delivery.status, delivery.error = Status.QUEUED, masked(error)[:2000]
    delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "error", "next_attempt_at"])
    _audit(delivery, event="will retry", error=delivery.error, attempts=delivery.attempts)
    _enqueue(delivery, run_after=delivery.next_attempt_at)
    return delivery


@write_guard.service
@transaction.atomic
def _fail(delivery: Delivery, error: str, now, *, fix_contact: bool = False) -> Delivery:
    """Failed for good: the text goes, as once sent (a single-use link in it must not stay in
    our database), and the error, which admins read, never quotes a link whole."""
    delivery.status, delivery.error, delivery.failed_at = Status.FAILED, masked(error)[:2000], now
    delivery.next_attempt_at, delivery.body = None, ""
    delivery.save(update_fields=["status", "error", "failed_at", "next_attempt_at", "body"])
    _audit(delivery, event="failed", error=delivery.error)
    if fix_contact and delivery.case_id and delivery.to_person:
        _ask_to_fix_contact(delivery, now)
    return delivery


def _ask_to_fix_contact(delivery: Delivery, now) -> None:
    from linkwell.cases.services import CaseError, add_task

    what = {"text": "phone number", "email": "email address", "letter": "postal address"}
    title = f"Check the person's {what[delivery.channel]}: the {delivery.what} did not arrive"
    with contextlib.suppress(CaseError):  # the case closed meanwhile; the failure shows on it
        add_task(case=delivery.case, title=title[:200], due_on=now.date(), by=None)


@write_guard.service
@transaction.atomic
def record_status(*, delivery: Delivery, status: str, at=None) -> Delivery:
    """What the provider says became of a sent message (Notify's callback or polling, MESH's
    tracking): delivered, failed (a permanent failure adds a task to fix the contact details),
    or still on its way."""
    from . import notify

    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    at = at or timezone.now()
    if delivery.status != Status.SENT:
        return delivery  # finished already: receipts can come twice and out of order
    if status in notify.DELIVERED or status == "acknowledged":
        delivery.status, delivery.delivered_at = Status.DELIVERED, at
        delivery.save(update_fields=["status", "delivered_at"])
        _audit(delivery, event="delivered")
    elif status in notify.FAILED:
        _fail(delivery, notify.FAILED[status], at, fix_contact=status in notify.PERMANENT)
    elif status in {"undeliverable", "error"}:
        _fail(delivery, f"MESH: the practice's mailbox could not take it ({status})", at)
    return delivery


def refresh_sent(now=None) -> int:
    """Poll the provider for every sent message not yet delivered (`linkwell delivery poll`);
    returns how many changed."""
    changed = 0
    for delivery in Delivery.objects.filter(status=Status.SENT).exclude(provider_id=""):
        backend = backend_for(delivery.channel)
        if not hasattr(backend, "status"):
            continue
        try:
            status = backend.status(delivery)
        except (Retry, Refused):
            continue  # asked again next time
        changed += record_status(delivery=delivery, status=status, at=now).status != Status.SENT
    return changed


@write_guard.service
@transaction.atomic
def send_due(now=None) -> int:
    """Enqueue what is due again: retries whose time has come, claims whose worker died, and
    first sends whose task a worker took and died with before claiming the message
    (`linkwell delivery send-due`, run every few minutes beside `linkwell worker`). Enqueuing
    one twice is harmless: only one task can claim it."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS)
    queued = Delivery.objects.filter(status=Status.QUEUED)
    due = (
        queued.filter(next_attempt_at__lte=now)
        | queued.filter(next_attempt_at__isnull=True, created_at__lte=stale)
        | Delivery.objects.filter(status=Status.SENDING, claimed_at__lte=stale)
    )
    ids = list(due.values_list("pk", flat=True))
    for pk in ids:
        tasks.send_delivery.enqueue(pk)
    return len(ids)


@write_guard.service
@transaction.atomic
def record_acknowledgement(*, ack, at=None) -> bool:
    """An ITK3 response from the practice's system to a message we sent by MESH (mesh.py):
    a positive one is delivery (a positive business one also the practice's reply, which ends
    the chase: queries.py), a negative one a failure shown on the case ("the sender system
    MUST inform an appropriate person", GP Connect Send Document GPCM-SD-094). Returns whether
    the delivery's status changed."""
    rows = Delivery.objects.select_for_update().filter(channel=Channel.MESH)
    delivery = rows.filter(reference=ack.reference).first()
    if delivery is None:
        logger.warning("An ITK3 response answers message %s, not one of ours", ack.reference)
        return False
    before = delivery.status
    _audit(delivery, event="practice's acknowledgement", ok=ack.ok, code=ack.code, text=ack.text)
    if ack.ok:
        answered = ack.business and not delivery.acknowledged_at
        if answered and delivery.status in {Status.SENT, Status.DELIVERED}:
            delivery.acknowledged_at = at or timezone.now()
            delivery.save(update_fields=["acknowledged_at"])
        return record_status(delivery=delivery, status="acknowledged", at=at).status != before
    if delivery.status in {Status.SENT, Status.DELIVERED}:
        text = f"The practice's system did not accept it: {ack.text} (ITK {ack.code})"
        _fail(delivery, text, at or timezone.now())
        return True
    return False


@write_guard.service
@transaction.atomic
def confirm_received(*, delivery: Delivery, by, now=None) -> Delivery:
    """The practice says it has a message back whose acknowledgement never came (the link
    worker phoned them): the chase ends, as if their system had acknowledged it. Once: a
    message already acknowledged is left as it is, and audited no more."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.channel != Channel.MESH:
        raise DeliveryError(
            {"delivery": "Only a message back sent to the practice by MESH waits for its reply."}
        )
    if delivery.acknowledged_at and delivery.status != Status.FAILED:
        return delivery
    if not awaiting_reply(Delivery.objects.filter(pk=delivery.pk), now=now).exists():
        raise DeliveryError({"delivery": _not_awaiting(delivery)})
    delivery.acknowledged_at, delivery.acknowledged_by = now or timezone.now(), by
    delivery.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _audit(delivery, by, event="practice confirmed it has it")
    return delivery


def _not_awaiting(delivery: Delivery) -> str:
    if delivery.status == Status.FAILED:
        return f"This message did not reach the practice ({delivery.error}): send it again."
    if delivery.status in {Status.SENT, Status.DELIVERED}:
        return (
            "The practice has not yet had the time it is given to reply "
            f"({settings.MESH_ACK_CHASE_HOURS} hours)."
        )
    return "This message has not gone to the practice yet."


def read_acknowledgements() -> int:
    """Read the practices' ITK3 responses waiting in our MESH inbox (`linkwell delivery poll`);
    returns how many deliveries changed status."""
    if not settings.MESH_URL:
        return 0
    from . import mesh

    changed = []
    mesh.read_acknowledgements(lambda ack: changed.append(record_acknowledgement(ack=ack)))
    return sum(changed)


@write_guard.service
@transaction.atomic
def reseal_queued() -> int:
    """Seal every waiting message's text under the newest of DELIVERY_KEYS (`linkwell delivery
    reseal`, after putting a new key first); returns how many."""
    waiting = Delivery.objects.select_for_update().exclude(status__in=FINISHED).exclude(body="")
    for delivery in waiting:
        delivery.body = sealing.reseal(delivery.body)
        delivery.save(update_fields=["body"])
    return len(waiting)


@write_guard.service
@transaction.atomic
def notify_receipt(*, notification_id: str, reference: str, status: str, at=None) -> Delivery:
    """Notify's delivery receipt (its callback): the message by Notify's id, or our reference."""
    rows = Delivery.objects.filter(channel__in=TO_A_PERSON)
    delivery = (notification_id and rows.filter(provider_id=notification_id).first()) or (
        reference and rows.filter(reference=reference).first()
    )
    if delivery is None:
        raise DeliveryError({"id": "No message with this id or reference was sent from here."})
    return record_status(delivery=delivery, status=status, at=at)
