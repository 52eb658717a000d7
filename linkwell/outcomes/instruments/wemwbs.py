"""WEMWBS and SWEMWBS (Warwick-Edinburgh Mental Wellbeing Scales).

Source: University of Warwick, "Collect, score, analyse and interpret WEMWBS",
https://warwick.ac.uk/fac/sci/med/research/platform/wemwbs/using/howto — 14 items scored 1–5,
WEMWBS total = sum (14–70); SWEMWBS = 7 of those items, raw sum 7–35, which must be converted
to the metric score with the Rasch conversion table (Stewart-Brown et al. 2009, Health Qual Life
Outcomes 7:15) before comparison or analysis.
Licence: free to use, but each user organisation must register with Warwick; the scale text is
© NHS Health Scotland, University of Warwick and University of Edinburgh.
"""

from .definition import Instrument, Item, Measure, Option, Scored, require_complete

SOURCE = "https://warwick.ac.uk/fac/sci/med/research/platform/wemwbs/using/howto"

INSTRUCTIONS = (
    "Below are some statements about feelings and thoughts. Choose the answer that best "
    "describes your experience of each over the last 2 weeks."
)

OPTIONS = (
    Option(1, "None of the time"),
    Option(2, "Rarely"),
    Option(3, "Some of the time"),
    Option(4, "Often"),
    Option(5, "All of the time"),
)

STATEMENTS = (
    ("optimistic", "I've been feeling optimistic about the future"),
    ("useful", "I've been feeling useful"),
    ("relaxed", "I've been feeling relaxed"),
    ("interested_in_people", "I've been feeling interested in other people"),
    ("energy", "I've had energy to spare"),
    ("dealing_with_problems", "I've been dealing with problems well"),
    ("thinking_clearly", "I've been thinking clearly"),
    ("good_about_myself", "I've been feeling good about myself"),
    ("close_to_others", "I've been feeling close to other people"),
    ("confident", "I've been feeling confident"),
    ("own_mind", "I've been able to make up my own mind about things"),
    ("loved", "I've been feeling loved"),
    ("interested_in_new_things", "I've been interested in new things"),
    ("cheerful", "I've been feeling cheerful"),
)
WEMWBS_ITEMS = tuple(Item(key, text, OPTIONS) for key, text in STATEMENTS)
# SWEMWBS is WEMWBS items 1, 2, 3, 6, 7, 9 and 11 (Stewart-Brown et al. 2009).
SWEMWBS_ITEMS = tuple(WEMWBS_ITEMS[n - 1] for n in (1, 2, 3, 6, 7, 9, 11))

# Raw SWEMWBS total → metric score (Stewart-Brown et al. 2009 Rasch table, as published by
# Warwick; values as in /work/shared/data/outcome-measures/FACTS.md, checked in three
# independent public analysis scripts). Confirm against the Warwick user guide before release.
SWEMWBS_METRIC = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip

# No missing-item rule is given in our sources (FACTS.md; Warwick's public pages defer to the
# registered user guides), so an incomplete form is refused rather than guessed at.
MISSING = "the published scoring is defined only for a complete set of answers."


def _wemwbs(instrument: Instrument, answers: list[int | None]) -> Scored:
    total = sum(require_complete(instrument, answers, MISSING))
    return Scored(instrument.code, raw=total, score=total, measures={"score": total})


def _swemwbs(instrument: Instrument, answers: list[int | None]) -> Scored:
    raw = sum(require_complete(instrument, answers, MISSING))
    metric = SWEMWBS_METRIC[raw]
    return Scored(instrument.code, raw=raw, score=metric, measures={"score": metric})


WEMWBS = Instrument(
    code="wemwbs",
    name="WEMWBS",
    items=WEMWBS_ITEMS,
    measures=(
        Measure(
            "score",
            "WEMWBS score (14–70)",
            14,
            70,
            # 2.77 × SEM is the individual "statistically important change" standard; SEM for
            # WEMWBS ranged 2.4–3.1 across twelve studies, so we take the lowest: 2.77 × 2.4.
            meaningful_change=6.65,
            meaningful_change_source="Maheswaran et al. 2012, Health Qual Life Outcomes 10:156 "
            "(2.77 × SEM, SEM 2.4–3.1; we use the lowest SEM)",
        ),
    ),
    scorer=_wemwbs,
    source=SOURCE,
    instructions=INSTRUCTIONS,
)

SWEMWBS = Instrument(
    code="swemwbs",
    name="SWEMWBS",
    items=SWEMWBS_ITEMS,
    measures=(
        Measure(
            "score",
            "SWEMWBS metric score (7–35)",
            7,
            35,
            # Individual change of 2.77 × SEM = 2.87 metric points (the stricter of the two
            # standards reported; 1 SEM = 1.03 points is the lenient one).
            meaningful_change=2.87,
            meaningful_change_source="Shah et al. 2018, Health Qual Life Outcomes 16:239 "
            "(2.77 × SEM = 2.87 points)",
        ),
    ),
    scorer=_swemwbs,
    source=SOURCE,
    instructions=INSTRUCTIONS,
)
