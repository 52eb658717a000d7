"""The ONS national loneliness indicators: the UCLA 3-item scale and the direct question.

Source: GSS harmonised standard "Loneliness indicators",
https://gss.civilservice.gov.uk/policy-store/loneliness-indicators/ and ONS "Measuring
loneliness: guidance for use of the national indicators on surveys" (2018) — wording and answer
options of both; the UCLA items are asked first, then the direct question.
"""

from .definition import Instrument, Item, Measure, Option, Scored, band_for, require_complete

SOURCE = "https://gss.civilservice.gov.uk/policy-store/loneliness-indicators/"

# Hardly ever or never = 1, Some of the time = 2, Often = 3: the standard coding of the
# three-item scale (Hughes et al. 2004, Research on Aging 26(6):655–672).
UCLA_OPTIONS = (
    Option(1, "Hardly ever or never"),
    Option(2, "Some of the time"),
    Option(3, "Often"),
)
UCLA_ITEMS = (
    Item("companionship", "How often do you feel that you lack companionship?", UCLA_OPTIONS),
    Item("left_out", "How often do you feel left out?", UCLA_OPTIONS),
    Item("isolated", "How often do you feel isolated from others?", UCLA_OPTIONS),
)
# Not an ONS standard: the 3–5 / 6–9 split used in Age UK and ELSA analyses (some studies use
# ≥ 4 instead). The raw sum is stored, so a report can apply another cut-off.
UCLA_BANDS = ((3, 5, "not lonely"), (6, 9, "lonely"))


def _ucla(instrument: Instrument, answers: list[int | None]) -> Scored:
    # No missing-item rule is given in the sources; a three-item sum is refused, not guessed.
    total = sum(require_complete(instrument, answers, "the total needs all three answers."))
    return Scored(
        instrument.code,
        raw=total,
        score=total,
        band=band_for(total, UCLA_BANDS),
        measures={"score": total},
    )


UCLA3 = Instrument(
    code="ucla3",
    name="UCLA 3-item loneliness scale",
    items=UCLA_ITEMS,
    measures=(
        # No published individual meaningful-change threshold was found for the UCLA-3.
        Measure("score", "UCLA-3 loneliness score (3–9)", 3, 9, higher_is_better=False),
    ),
    scorer=_ucla,
    source=SOURCE,
    instructions="The next questions are about how you feel about different aspects of your life.",
)

# Coded in the order the ONS asks them, so a higher code is less often lonely.
# "Often/always" is the ONS headline measure of chronic loneliness.
DIRECT_OPTIONS = (
    Option(1, "Often/always"),
    Option(2, "Some of the time"),
    Option(3, "Occasionally"),
    Option(4, "Hardly ever"),
    Option(5, "Never"),
)


def _direct(instrument: Instrument, answers: list[int | None]) -> Scored:
    (answer,) = require_complete(instrument, answers, "it has a single question.")
    label = instrument.items[0].label_for(answer)
    return Scored(instrument.code, raw=answer, score=answer, band=label, measures={"score": answer})


ONS_LONELINESS = Instrument(
    code="ons-loneliness",
    name="ONS direct loneliness question",
    items=(Item("lonely", "How often do you feel lonely?", DIRECT_OPTIONS),),
    measures=(
        Measure(
            "score",
            "How often lonely (1 often/always – 5 never)",
            1,
            5,
            higher_is_better=True,
        ),
    ),
    scorer=_direct,
    source=SOURCE,
)
