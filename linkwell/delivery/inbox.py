"""The outbox's part of the Today inbox: messages about the link worker's cases that did not
arrive this week, and messages back the practice has not answered (queries.awaiting_reply).
Both are dealt with on the case's message back page, under "Messages sent"."""

from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime

from linkwell.inbox import Entry, Section

from .models import Delivery, Status
from .queries import awaiting_reply

PAGE, ANCHOR = "cases:case_message_back", "messages-sent"


def _entry(d: Delivery, at, text: str) -> Entry:
    return Entry(
        at=at,
        case_id=d.case_id,
        person=d.case.person.full_name,
        text=text,
        anchor=ANCHOR,
        page=PAGE,
    )


def _failed(d: Delivery) -> Entry:
    what = f"{capfirst(d.what)} by {d.get_channel_display().lower()}"
    return _entry(d, d.failed_at, f"{what} did not arrive: {d.error}")


def _no_reply(d: Delivery) -> Entry:
    sent = date_format(localtime(d.sent_at), "j M Y")
    return _entry(d, d.sent_at, f"{capfirst(d.what)}: no reply from the practice since {sent}")


def sections(*, cases, today, since) -> list[Section]:
    about = Delivery.objects.filter(case__in=cases).select_related("case__person")
    failed = about.filter(status=Status.FAILED, failed_at__gte=since).order_by("-failed_at")
    waiting = awaiting_reply(about).order_by("sent_at", "id")
    return [
        Section(
            "undelivered",
            "Messages that did not arrive",
            "No message failed this week.",
            failed,
            _failed,
        ),
        Section(
            "no-reply",
            "No reply from the practice",
            "No message back waits for the practice's reply.",
            waiting,
            _no_reply,
        ),
    ]
