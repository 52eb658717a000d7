"""The connections' part of the Today inbox: what services said about referrals this week."""

from django.db.models import Q

from linkwell.accounts.models import Role
from linkwell.inbox import Entry, Section

from .lifecycle import PROVIDER_STEPS
from .models import ConnectionEvent

EMAIL_LINK = "email link"  # the `via` of a provider's answer through its single-use link


def _reply(event: ConnectionEvent) -> Entry:
    connection = event.connection
    text = f"{connection.service.name}: {event.get_to_status_display().lower()}"
    return Entry(
        at=event.at,
        case_id=connection.case_id,
        person=connection.case.person.full_name,
        text=f"{text} ({event.reason})" if event.reason else text,
        anchor="connections",
        page="cases:case_connections",
    )


def sections(*, cases, today, since) -> list[Section]:
    # A reply is a step only the service takes, made by one of its users or through the
    # emailed link: not news the link worker recorded, nor the person's own check-in answer.
    replies = (
        ConnectionEvent.objects.filter(
            connection__case__in=cases, at__gte=since, to_status__in=PROVIDER_STEPS
        )
        .filter(Q(by__memberships__role=Role.PROVIDER) | Q(by__isnull=True, via=EMAIL_LINK))
        .distinct()
        .select_related("connection__case__person", "connection__service")
        .order_by("-at")
    )
    return [Section("replies", "Replies from services", "No replies this week.", replies, _reply)]
