"""The standard's items (prsb_items.json, every concept of the full standard v1.1): the single
source for the conformance document, the completeness check and the tests that hold the two
together."""

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("prsb_items.json")
NOT_KEPT = ("not stored", "not applicable")


@dataclass(frozen=True)
class Item:
    id: str  # the path of names, slugified and joined with dots
    name: str
    kind: str  # group or item
    section: str  # the enclosing groups, " > " between
    cardinality: str
    status: str | None  # M, R or O as the standard gives it; None where it gives none
    description: str
    snomed: tuple[str, ...]  # SNOMED CT ids the standard's value set cites
    minimum: bool  # in Linkwell's minimum set (see the document)
    minimum_basis: str  # "M", or "guidance" where the standard's text says it must be filled
    stores: tuple[str, ...]  # app.Model[.field], or one "not stored: …"/"not applicable: …"
    note: str
    test: str
    completed_later: str = ""

    @property
    def stored(self) -> bool:
        return not self.stores[0].startswith(NOT_KEPT)

    @property
    def label(self) -> str:
        """The name, with its group's where the name alone is ambiguous ("Name", "Service")."""
        if _name_counts()[self.name] == 1 or not self.section:
            return self.name
        return f"{self.section.rsplit(' > ', 1)[-1]}: {self.name}"


@cache
def document() -> dict:
    return json.loads(DATA.read_text())


@cache
def items() -> tuple[Item, ...]:
    return tuple(
        Item(**{**i, "snomed": tuple(i["snomed"]), "stores": tuple(i["stores"])})
        for i in document()["items"]
    )


@cache
def _name_counts() -> Counter:
    return Counter(i.name for i in items())


def by_id(item_id: str) -> Item:
    return next(i for i in items() if i.id == item_id)


def minimum() -> tuple[Item, ...]:
    return tuple(i for i in items() if i.minimum)
