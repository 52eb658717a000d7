"""The access log about a person: included in subject access, never erased (kept by law)."""

from .models import AuditEntry


def sections(person) -> dict[str, list[dict]]:
    return {
        "Who has looked at or changed your record": [
            {
                "When": e.at.isoformat(),
                "Who": e.username or "(not signed in)",
                "What": e.get_action_display(),
                "Record": e.object_type,
            }
            for e in AuditEntry.objects.filter(person_id=person.pk).order_by("at", "id")
        ]
    }


def erase(person) -> None:
    """The audit log is kept: it is the proof of lawful access that the law requires."""
