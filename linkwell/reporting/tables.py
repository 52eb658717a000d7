"""A report table: true counts in, a published (disclosure-controlled) table out.

Every number shown or exported comes from `Table.publish`, which passes the counts through
`disclosure.publish`; columns that are not counts (a rate, a median) are worked out by the
section from the *published* counts, or only where the count behind them is large enough.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from . import disclosure
from .disclosure import Published, Rule


@dataclass
class Table:
    key: str
    caption: str
    row_heading: str
    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    row_totals: bool = False  # each row's cells are parts of a whole
    column_totals: bool = False  # each column's cells are parts of a whole
    note: str = ""
    # Further columns that are not counts: (heading, f(row index, published table) → text).
    extra: list[tuple[str, Callable[[int, Published], str]]] = field(default_factory=list)
    # (row, column) cells with no figure at all (not a zero): counted as 0, shown as "–".
    not_applicable: set[tuple[int, int]] = field(default_factory=set)

    def publish(self, rule: Rule | None = None) -> "PublishedTable":
        published = disclosure.publish(
            self.counts, row_totals=self.row_totals, column_totals=self.column_totals, rule=rule
        )
        show = Published.show
        heading = [self.row_heading, *self.columns]
        if self.row_totals:
            heading.append("Total")
        heading += [h for h, _ in self.extra]
        body = []
        for i, (label, cells) in enumerate(zip(self.rows, published.cells, strict=True)):
            row = [
                label,
                *("–" if (i, j) in self.not_applicable else show(c) for j, c in enumerate(cells)),
            ]
            if self.row_totals:
                row.append(show(published.row_totals[i]))
            body.append(row + [f(i, published) for _, f in self.extra])
        footer = None
        if self.column_totals:
            footer = ["Total", *map(show, published.column_totals)]
            if self.row_totals:
                footer.append(show(published.grand_total))
            footer += [""] * len(self.extra)
        bars = published.row_totals if self.row_totals else [c[0] for c in published.cells]
        return PublishedTable(self.key, self.caption, heading, body, footer, self.note, bars)


@dataclass
class PublishedTable:
    key: str
    caption: str
    heading: list[str]
    body: list[list[str]]
    footer: list[str] | None
    note: str
    bars: list[int | None]  # what the chart draws: published, so suppressed stays hidden
    chart: str = ""  # the SVG, drawn by the page (charts.py)

    @property
    def labels(self) -> list[str]:
        return [row[0] for row in self.body]

    @property
    def labelled_body(self) -> list[list[tuple[str, object]]]:
        """Each row's cells with their column's heading, which a phone shows beside them."""
        return [list(zip(self.heading, row, strict=True)) for row in self.body]

    @property
    def labelled_footer(self) -> list[tuple[str, object]] | None:
        # A footer may stop short of columns with no total (an extra column on some tables).
        return list(zip(self.heading, self.footer, strict=False)) if self.footer else None

    def rows(self) -> list[list[str]]:
        """Heading, body and footer, as exported."""
        return [self.heading, *self.body, *([self.footer] if self.footer else [])]
