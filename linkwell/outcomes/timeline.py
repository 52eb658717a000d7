"""The outcome measures app's part of the case timeline: each measure taken, with its score."""

from linkwell.cases.timeline import Event, Kind, name_of

from .queries import for_user
from .services import instrument_for


def _result(a) -> str:
    score = "" if a.score is None else f"score {a.score:g}"
    return ", ".join(filter(None, [score, a.band]))


def events(*, case, user) -> list[Event]:
    return [
        Event(
            at=a.administered_at,
            kind=Kind.MEASURE,
            title=f"{instrument_for(a.instrument, include_retired=True).name} "
            f"({a.get_timepoint_display().lower()}, {a.get_mode_display().lower()})",
            detail=_result(a),
            by=name_of(a.asked_by),
        )
        for a in for_user(user).filter(case=case)
    ]
