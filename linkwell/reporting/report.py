"""Building the whole report once: every section's tables, published under the rule."""

from dataclasses import dataclass
from datetime import datetime

from . import engine as engines
from .disclosure import Rule
from .queries import Filters
from .sections import SECTIONS, Section
from .tables import PublishedTable


@dataclass
class Report:
    filters: Filters
    rule: Rule
    sections: list[tuple[Section, list[PublishedTable]]]
    taken_at: datetime | None  # the snapshot's time with the DuckDB engine; None when live

    @property
    def tables(self) -> list[PublishedTable]:
        return [t for _, tables in self.sections for t in tables]

    def table(self, key: str) -> PublishedTable | None:
        return next((t for t in self.tables if t.key == key), None)


def build(filters: Filters, *, engine=None, sections: list[Section] = SECTIONS) -> Report:
    engine = engine or engines.current()
    rule = Rule.from_settings()
    published = [
        (section, [t.publish(rule) for t in section.build(engine, filters)]) for section in sections
    ]
    return Report(filters, rule, published, engine.taken_at)
