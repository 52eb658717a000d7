"""What a run left out, and why, so the report can say so.

Every loader and panel step that drops rows or skips a file records it here
instead of dropping it silently; the report and results.json list each entry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Exclusion:
    reason: str
    rows: int
    unit: str = "practice-years"
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
