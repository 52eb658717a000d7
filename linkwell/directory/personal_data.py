"""What the directory holds about a person: the services picked for them, for subject access
and erasure."""

from .models import ShortlistEntry


def sections(person) -> dict[str, list[dict]]:
    entries = ShortlistEntry.objects.filter(case__person=person).select_related(
        "service__organisation"
    )
    return {
        "Services picked for you": [
            {
                "Service": e.service.name,
                "Run by": e.service.organisation.name if e.service.organisation else "",
                "Picked": e.at.isoformat(),
                "Why": "; ".join(e.reasons),
            }
            for e in entries
        ]
    }


def erase(person) -> None:
    """Keep which services were picked (for reporting); drop why, which can echo their needs."""
    ShortlistEntry.objects.filter(case__person=person).update(reasons=[])
