"""What the portal holds about a person, for subject access and erasure: the links to their own
page (self-referral attempts are kept only as keyed hashes of an address, naming no one)."""

from .models import PersonPageLink


def sections(person) -> dict[str, list[dict]]:
    rows = [
        {
            "Sent": link.created_at.isoformat(),
            "By": link.channel,
            "Expires": link.expires_at.isoformat(),
            "Opened": link.used_at.isoformat() if link.used_at else "",
        }
        for link in PersonPageLink.objects.filter(case__person=person).order_by("created_at")
    ]
    return {"Links to their own page": rows}


def erase(person) -> None:
    """No link may open the page any more."""
    PersonPageLink.objects.filter(case__person=person).delete()
