"""Geometry for the small server-drawn SVG chart of one measure over time (no Django).

The template draws what this returns with CSS classes only (no style attributes), and the
same numbers are always in a table beside it, so the chart is never the only way to read them.
"""

from dataclasses import dataclass

from .instruments import Measure

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 10, 22


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    line: str  # the polyline's points attribute
    baseline_y: float | None
    ticks: list[tuple[float, str]]  # (y, label) for the axis: the measure's range ends
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def draw(measure: Measure, values: list[tuple[str, float]]) -> Chart:
    """Points evenly spaced in order of administration, on the measure's full range."""
    span = (measure.maximum - measure.minimum) or 1
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + inner_h * (measure.maximum - value) / span, 1)

    step = inner_w / max(len(values) - 1, 1)
    offset = 0 if len(values) > 1 else inner_w / 2
    points = [
        Point(round(LEFT + offset + i * step, 1), y(value), value, label)
        for i, (label, value) in enumerate(values)
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        baseline_y=points[0].y if points else None,
        ticks=[
            (y(measure.maximum), f"{measure.maximum:g}"),
            (y(measure.minimum), f"{measure.minimum:g}"),
        ],
    )
