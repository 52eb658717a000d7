"""What an outcome measure is, as plain data: items, answer options, what it reports, how it scores.

No Django here: the `linkwell outcomes score` command, the web pages, the API and the FHIR
read-out all score through these objects, so a rule lives in exactly one place.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Answers = Sequence[int | None]  # in the questionnaire's item order; None is an unanswered item


class InvalidAnswers(ValueError):
    """The answers cannot be scored; the message says why, `item` which item (0-based) if one."""

    def __init__(self, message: str, item: int | None = None):
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    key: str  # stable: it is the FHIR linkId and the form field name
    text: str
    options: tuple[Option, ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)

    def label_for(self, value: int) -> str:
        return next(o.label for o in self.options if o.value == value)


@dataclass(frozen=True)
class Measure:
    """One number the instrument reports and that is followed over time (a chart line)."""

    key: str
    label: str
    minimum: float
    maximum: float
    higher_is_better: bool = True
    # The smallest individual change counted as meaningful, in score points; None where we
    # found no published threshold (then the page says so rather than guessing).
    meaningful_change: float | None = None
    meaningful_change_source: str = ""


@dataclass(frozen=True)
class Scored:
    instrument: str
    raw: float | None  # the sum of the answers, where the instrument has a total
    score: float | None  # the reported total (e.g. SWEMWBS metric score); None if it has none
    band: str = ""  # the band of the total, where the instrument bands it
    bands: dict[str, str] = field(default_factory=dict)  # per-item bands (ONS4)
    measures: dict[str, float] = field(default_factory=dict)  # Measure.key → value

    def as_dict(self) -> dict:
        out = {"instrument": self.instrument, "raw": self.raw, "score": self.score}
        if self.bands:
            out["bands"] = dict(self.bands)
        else:
            out["band"] = self.band or None
        return out


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    items: tuple[Item, ...]
    measures: tuple[Measure, ...]
    scorer: Callable[["Instrument", list[int | None]], Scored] | None
    source: str
    instructions: str = ""
    # Licensed instruments (PAM): the items and scoring are the vendor's; we keep its result only.
    licensed: bool = False
    local: bool = False

    def score(self, answers: Answers) -> Scored:
        if self.licensed or self.scorer is None:
            raise InvalidAnswers(
                f"{self.name} is licensed: record the score and level the licensed tool gave, "
                "never its answers."
            )
        return self.scorer(self, checked(self, answers))

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures if m.key == key)


def checked(instrument: Instrument, answers: Answers) -> list[int | None]:
    """The answers as whole numbers, each one of its item's options (None where unanswered)."""
    answers = list(answers)
    n = len(instrument.items)
    if len(answers) != n:
        raise InvalidAnswers(
            f"{instrument.name} has {n} questions: give {n} answers, in order "
            f"(you gave {len(answers)})."
        )
    out: list[int | None] = []
    for i, (item, answer) in enumerate(zip(instrument.items, answers, strict=True)):
        if answer is None or answer == "":
            out.append(None)
            continue
        try:
            value = int(answer)
        except (TypeError, ValueError):
            value = None
        if value is None or str(value) != str(answer).strip() or value not in item.values:
            allowed = ", ".join(str(v) for v in item.values)
            raise InvalidAnswers(
                f"Question {i + 1} ({item.text}): {answer!r} is not an answer; choose one of "
                f"{allowed}.",
                item=i,
            )
        out.append(value)
    return out


def require_complete(instrument: Instrument, answers: list[int | None], why: str) -> list[int]:
    """Refuse to score with any question unanswered: never a silent zero."""
    for i, answer in enumerate(answers):
        if answer is None:
            raise InvalidAnswers(
                f"Question {i + 1} is not answered. {instrument.name} cannot be scored with "
                f"missing answers: {why}",
                item=i,
            )
    return [a for a in answers if a is not None]


def band_for(value: float, bands: Sequence[tuple[float, float, str]]) -> str:
    """The label of the (lowest, highest, label) band that holds value."""
    return next(label for low, high, label in bands if low <= value <= high)


def sum_scored(instrument: Instrument, answers: list[int | None]) -> Scored:
    """Sum of the item values, all items required (the rule for local instruments)."""
    total = sum(require_complete(instrument, answers, "a sum needs every answer."))
    key = instrument.measures[0].key
    return Scored(instrument.code, raw=total, score=total, measures={key: total})
