"""The Patient Activation Measure (PAM): licensed, so only the vendor's result is kept.

PAM-13 and PAM-10 belong to Insignia Health (now Phreesia), https://www.insigniahealth.com/ukpam/ ;
the items and the raw-to-score conversion are not public. Linkwell never asks or stores the
items: it records the score (0–100) and level (1–4) that the licensed tool returned.
Level cut points: Level 1 ≤ 47.0; Level 2 47.1–55.1; Level 3 55.2–67.0; Level 4 ≥ 67.1
(Hibbard et al., PMC2955177 Table 2; PMC5665291 Fig 3).
"""

from .definition import Instrument, InvalidAnswers, Measure, Scored

SOURCE = "https://www.insigniahealth.com/ukpam/"

# Upper bound of each level; the score is reported to one decimal place.
LEVEL_TOPS = ((1, 47.0), (2, 55.1), (3, 67.0), (4, 100.0))


def level_for(score: float) -> int:
    return next(level for level, top in LEVEL_TOPS if round(score, 1) <= top)


def reported(instrument: Instrument, *, score, level=None) -> Scored:
    """Check the licensed tool's score (and level, if given) and keep them."""
    try:
        score = round(float(score), 1)
    except (TypeError, ValueError):
        raise InvalidAnswers("Give the PAM score from the licensed tool, from 0 to 100.") from None
    if not 0 <= score <= 100:
        raise InvalidAnswers("Give the PAM score from the licensed tool, from 0 to 100.")
    expected = level_for(score)
    if level not in (None, "") and str(level) != str(expected):
        raise InvalidAnswers(
            f"A PAM score of {score} is level {expected}, not {level}: check both against the "
            "licensed tool's report."
        )
    return Scored(
        instrument.code,
        raw=None,
        score=score,
        band=f"Level {expected}",
        measures={"score": score},
    )


PAM = Instrument(
    code="pam",
    name="Patient Activation Measure (PAM)",
    items=(),
    measures=(
        Measure(
            "score",
            "PAM score (0–100)",
            0,
            100,
            meaningful_change=3,
            meaningful_change_source="CMS / NQF measure #2483 (a gain of 3 points or more)",
        ),
    ),
    scorer=None,
    source=SOURCE,
    licensed=True,
)
