"""What the standards app holds about a person, for subject access and erasure."""

from .models import MessageBack


def sections(person) -> dict[str, list[dict]]:
    sent = MessageBack.objects.filter(case__person=person).select_related("sent_by")
    return {
        "Summaries sent to your GP or referrer": [
            {
                "When": m.sent_at.isoformat(),
                "To": m.recipient_name,
                "Sent by": m.sent_by.get_full_name() if m.sent_by else "",
                "What it said": " / ".join(
                    f"{s['title']}: {'; '.join(s['lines']) or 'none'}" for s in m.sections
                ),
            }
            for m in sent
        ]
    }


def erase(person) -> None:
    """Kept as sent: each message is the record of what was disclosed to whom, and the GP
    already holds its copy in the person's health record. Erasing here would not erase there,
    and would lose the proof of the disclosure; see docs/standards/prsb-social-prescribing.md."""
