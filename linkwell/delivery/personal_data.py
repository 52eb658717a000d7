"""What the outbox holds about a person (messages about their cases), for subject access and
erasure."""

from django.utils import timezone

from .models import FINISHED, Delivery, Status


def sections(person) -> dict[str, list[dict]]:
    rows = [
        {
            "What": d.what,
            "How": d.get_channel_display(),
            "To": d.to,
            "Status": d.get_status_display(),
            "Queued": d.created_at.isoformat(),
            "Sent": d.sent_at.isoformat() if d.sent_at else "",
            "Delivered": d.delivered_at.isoformat() if d.delivered_at else "",
            "Error": d.error,
        }
        for d in Delivery.objects.filter(case__person=person).order_by("created_at", "id")
    ]
    return {"Messages sent": rows}


def erase(person) -> None:
    """Nothing more is sent, and no address, number or content is kept; what was sent when
    stays (like the audit log, it says what Linkwell did)."""
    mine = Delivery.objects.filter(case__person=person)
    mine.exclude(status__in=FINISHED).update(
        status=Status.FAILED, error="The person's record was erased.", failed_at=timezone.now()
    )
    mine.update(to="(erased)", body="", document=None, attachment=None, subject="")
