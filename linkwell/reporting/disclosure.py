"""Statistical disclosure control: the one place every count passes through before it leaves
Linkwell (dashboard, print, PDF, CSV, XLSX, national return).

The default rule is NHS England's for published statistics: counts of 1 to 7 are suppressed
(shown as "*") and every other count is rounded to the nearest 5 (zero stays zero), from NHS
Digital's "Disclosure control methodology for HES and ECDS" (2018; see docs/reporting.md). A
deployment changes it with the settings REPORTING_SUPPRESS_UP_TO and REPORTING_ROUND_TO.

Totals are worked out from the true counts and published under the same rule. Where totals are
published, a line (a row or a column together with its total) must never hold exactly one
suppressed entry, or that entry could be recovered by subtraction; so a further entry in the
line, the smallest non-zero one, is suppressed too (secondary suppression), repeated until no
line has a single suppressed entry.
"""

from dataclasses import dataclass

from django.conf import settings

SUPPRESSED = None  # a published cell that is hidden
MARK = "*"


@dataclass(frozen=True)
class Rule:
    suppress_up_to: int = 7
    round_to: int = 5

    @classmethod
    def from_settings(cls) -> "Rule":
        return cls(settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO)

    def hides(self, count: int) -> bool:
        return 1 <= count <= self.suppress_up_to

    def rounded(self, count: int) -> int:
        step = max(self.round_to, 1)
        return (count + step // 2) // step * step  # half up: 12 → 10, 13 → 15

    def describe(self) -> str:
        hidden = (
            f"Counts of 1 to {self.suppress_up_to} are shown as {MARK}"
            if (self.suppress_up_to)
            else "No counts are suppressed"
        )
        rounding = (
            f"other counts are rounded to the nearest {self.round_to}"
            if self.round_to > 1
            else "other counts are exact"
        )
        return (
            f"{hidden}; {rounding} (NHS England's rule for published statistics). Totals are "
            "rounded from the true figures, so the parts may not add up to them; where a hidden "
            "number could be worked out from a total, a further number is hidden as well."
        )


@dataclass(frozen=True)
class Published:
    """A table of counts after disclosure control; None marks a suppressed entry."""

    cells: list[list[int | None]]
    row_totals: list[int | None] | None
    column_totals: list[int | None] | None
    grand_total: int | None

    @staticmethod
    def show(value: int | None) -> int | str:
        return MARK if value is SUPPRESSED else value


def publish(
    cells: list[list[int]],
    *,
    row_totals: bool = False,
    column_totals: bool = False,
    rule: Rule | None = None,
) -> Published:
    """Suppress, protect and round a table of true counts (rows × columns).

    Ask for row totals only where a row's cells add up to its total (the parts are mutually
    exclusive), and likewise for columns: that additivity is what secondary suppression
    protects against.
    """
    rule = rule or Rule.from_settings()
    grid = [list(map(int, row)) for row in cells]
    width = len(grid[0]) if grid else 0
    if row_totals:
        grid = [row + [sum(row)] for row in grid]
    if column_totals:
        grid.append([sum(col) for col in zip(*grid, strict=True)] if grid else [0] * width)
    hidden = {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if rule.hides(v)}
    lines = _lines(len(grid), len(grid[0]) if grid else 0, row_totals, column_totals)
    _protect(grid, hidden, lines)
    out = [
        [SUPPRESSED if (i, j) in hidden else rule.rounded(v) for j, v in enumerate(row)]
        for i, row in enumerate(grid)
    ]
    total_row = out.pop() if column_totals else None
    row_sums = [row.pop() for row in out] if row_totals else None
    grand = total_row.pop() if (column_totals and row_totals) else None
    return Published(out, row_sums, total_row, grand)


def _lines(height, width, row_totals, column_totals):
    """Each additive line: its entries' positions, the total last."""
    lines = []
    if row_totals:
        lines += [[(i, j) for j in range(width)] for i in range(height)]
    if column_totals:
        lines += [[(i, j) for i in range(height)] for j in range(width)]
    return lines


def _protect(grid, hidden, lines):
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for p in line if p in hidden) != 1:
                continue
            open_cells = [p for p in line if p not in hidden]
            # The smallest non-zero part loses least; the total, or a true zero (which hides
            # nothing), only when no such part is left.
            parts = [p for p in open_cells if p != line[-1] and grid[p[0]][p[1]] > 0]
            hidden.add(min(parts or open_cells, key=lambda p: grid[p[0]][p[1]]))
            changed = True


def publish_count(count: int, rule: Rule | None = None) -> int | None:
    return publish([[count]], rule=rule).cells[0][0]
