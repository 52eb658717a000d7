"""What the connections app holds about a person, for subject access and erasure."""

from .models import Connection, ConnectionEvent, ProviderLink


def sections(person) -> dict[str, list[dict]]:
    connections = Connection.objects.filter(case__person=person).select_related(
        "service__organisation"
    )
    return {
        "Referrals to community services": [
            {
                "Service": c.service.name,
                "Provider": c.service.organisation.name if c.service.organisation else "",
                "Sent": c.created_at.isoformat(),
                "Status": c.get_status_display(),
                "Details shared with them": ", ".join(c.shared_labels()),
                "Note for the service": c.note,
                "First session": c.first_session_at.isoformat() if c.first_session_at else "",
            }
            for c in connections
        ],
        "Referrals to community services: history": [
            {
                "When": e.at.isoformat(),
                "Service": e.connection.service.name,
                "Status": e.get_to_status_display(),
                "How": e.via,
                "Reason": e.reason,
            }
            for e in ConnectionEvent.objects.filter(connection__case__person=person)
            .select_related("connection__service")
            .order_by("at", "id")
        ],
    }


def erase(person) -> None:
    """Blank free text and stop sharing; statuses and dates stay for reporting. Links not yet
    used are removed, so nobody can open the person's details from an old email."""
    Connection.objects.filter(case__person=person).update(note="", shared_details=[])
    ConnectionEvent.objects.filter(connection__case__person=person).update(reason="")
    ProviderLink.objects.filter(connection__case__person=person, used_at__isnull=True).delete()
