"""Change from baseline for one person, judged against the measure's meaningful-change threshold.

Pure (no Django): the case page, the API and the reports all judge change here.
"""

from dataclasses import dataclass

from .instruments import Measure

# Scores carry at most two decimals (SWEMWBS metric); compare at that precision, so 2.87
# counts as reaching a 2.87 threshold despite binary floating point.
PLACES = 2


@dataclass(frozen=True)
class Change:
    delta: float  # later − baseline, in score points
    improved: bool | None  # None when unchanged
    meaningful: bool | None  # None when the measure has no published threshold
    verdict: str  # for people: what the change means

    @property
    def signed(self) -> str:
        return f"{self.delta:+g}"


def assess(measure: Measure, baseline: float, later: float) -> Change:
    delta = round(later - baseline, PLACES)
    better = delta if measure.higher_is_better else -delta
    improved = None if better == 0 else better > 0
    threshold = measure.meaningful_change
    if threshold is None:
        word = {None: "No change", True: "Better", False: "Worse"}[improved]
        return Change(delta, improved, None, f"{word}; no published meaningful-change threshold")
    meaningful = abs(better) >= threshold
    if not meaningful:
        verdict = f"Less than the meaningful change of {threshold:g} points"
    else:
        verdict = "Meaningful improvement" if improved else "Meaningful deterioration"
    return Change(delta, improved, meaningful, verdict)
