"""One case's measures over time: per measure, the numbers, the change and the chart (no Django).

Takes administrations as plain objects (anything with the Administration fields), so it can be
tested and reused without a database.
"""

from dataclasses import dataclass

from .change import Change, assess
from .chart import Chart, draw
from .instruments import Instrument, Measure

BASELINE = "baseline"


@dataclass(frozen=True)
class Row:
    administration: object
    value: float
    band: str
    change: Change | None  # None for the baseline itself, or with no baseline yet


@dataclass(frozen=True)
class Series:
    measure: Measure
    rows: list[Row]
    chart: Chart

    @property
    def latest_change(self) -> Change | None:
        return self.rows[-1].change if self.rows else None


@dataclass(frozen=True)
class History:
    instrument: Instrument
    series: list[Series]
    has_baseline: bool


def day(moment) -> str:
    return f"{moment.day} {moment:%b %Y}"


def build(instrument: Instrument, administrations: list, label=day) -> History:
    """`administrations` are this case's, for this instrument, oldest first; `label` names
    each one's date on the chart (the caller converts to local time)."""
    baseline = next((a for a in administrations if a.timepoint == BASELINE), None)
    series = []
    for measure in instrument.measures:
        taken = [a for a in administrations if measure.key in a.measures]
        if not taken:
            continue
        start = baseline.measures.get(measure.key) if baseline is not None else None
        rows = [
            Row(
                administration=a,
                value=a.measures[measure.key],
                band=a.bands.get(measure.key, "") if a.bands else a.band,
                change=None
                if start is None or a is baseline
                else assess(measure, start, a.measures[measure.key]),
            )
            for a in taken
        ]
        values = [(label(a.administered_at), r.value) for a, r in zip(taken, rows, strict=True)]
        series.append(Series(measure, rows, draw(measure, values)))
    return History(instrument, series, baseline is not None)
