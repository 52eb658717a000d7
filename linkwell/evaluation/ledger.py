"""What happened to every row a run could not use as it is, and why.

Every loader and panel step that drops rows or skips a file records it here
instead of dropping it silently, saying what was done with the rows ("left
out", "counted as 0 link worker FTE", "not used"); the report and
results.json list each entry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Exclusion:
    """Rows that could not be used as they are: why, and what was done with them."""

    reason: str
    rows: int
    unit: str = "practice-years"
    action: str = "left out"
    file: str | None = None
    year: int | None = None
    column: str | None = None


@dataclass
class Ledger:
    exclusions: list[Exclusion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def exclude(self, reason: str, rows: int, **where: object) -> None:
        if rows:
            self.exclusions.append(Exclusion(reason=reason, rows=int(rows), **where))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def as_dict(self) -> dict[str, list]:
        return {"exclusions": [asdict(e) for e in self.exclusions], "notes": list(self.notes)}
