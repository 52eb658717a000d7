"""The built-in outcome measures, defined once as data and pure scoring functions (no Django).

`BUILT_IN` maps each code to its definition; `score(code, answers)` is what the CLI, the web
pages and the API all call. Admin-defined local instruments live in the database
(`linkwell.outcomes.models.LocalInstrument`) and become the same `Instrument` objects.
"""

from .definition import Instrument, InvalidAnswers, Item, Measure, Option, Scored
from .loneliness import ONS_LONELINESS, UCLA3
from .ons4 import ONS4
from .pam import PAM
from .wemwbs import SWEMWBS, WEMWBS

BUILT_IN: dict[str, Instrument] = {
    i.code: i for i in (SWEMWBS, WEMWBS, ONS4, UCLA3, ONS_LONELINESS, PAM)
}


class UnknownInstrument(InvalidAnswers):
    pass


def built_in(code: str) -> Instrument:
    try:
        return BUILT_IN[code]
    except KeyError:
        known = ", ".join(c for c, i in BUILT_IN.items() if not i.licensed)
        raise UnknownInstrument(f"Unknown instrument {code!r}: use one of {known}.") from None


def score(code: str, answers) -> Scored:
    return built_in(code).score(answers)


__all__ = [
    "BUILT_IN",
    "InvalidAnswers",
    "Instrument",
    "Item",
    "Measure",
    "Option",
    "Scored",
    "UnknownInstrument",
    "built_in",
    "score",
]
