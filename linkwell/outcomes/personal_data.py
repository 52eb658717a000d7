"""What the outcomes app holds about a person, for subject access and erasure."""

from .models import Administration, SelfCompletionLink
from .services import instrument_for


def sections(person) -> dict[str, list[dict]]:
    taken = Administration.objects.filter(case__person=person).select_related("asked_by")
    rows = []
    for a in taken:
        instrument = instrument_for(a.instrument, include_retired=True)
        rows.append(
            {
                "When": a.administered_at.isoformat(),
                "Measure": instrument.name,
                "Point": a.get_timepoint_display(),
                "How": a.get_mode_display(),
                "Asked by": a.asked_by.get_full_name() if a.asked_by else "",
                "Answers": ", ".join("–" if v is None else str(v) for v in a.answers),
                "Score": "" if a.score is None else a.score,
                "Band": a.band or ", ".join(f"{k}: {v}" for k, v in a.bands.items()),
            }
        )
    return {"Wellbeing and loneliness measures": rows}


def erase(person) -> None:
    """Scores identify no one on their own and the cohort reports need them, so they stay;
    any link still waiting to be used is removed, so nobody can answer as the person."""
    SelfCompletionLink.objects.filter(case__person=person, used_at__isnull=True).delete()
