"""The outcomes the evaluation measures, and where each lives in every GPPS year.

The GP Patient Survey practice-level CSVs ("Practice data (weighted) (csv)
PUBLIC", Ipsos for NHS England, gp-patient.co.uk) keep a question's ID when
the question moves, so 2018-2023 share names such as `q28_12pct` (case
varies: match ignoring case). The 2023 names were checked against the Ipsos
codebook; earlier years follow the stable-ID convention (see
../shared/data/nhs-public/README.md, "GPPS column mapping"), and where a
year might differ the table lists more than one candidate, first match wins.

`pct` is the weighted share answering positively (0-1); `base` is the number
of respondents who answered (the denominator).
"""

from __future__ import annotations

from dataclasses import dataclass

CLASSIC_YEARS = range(2018, 2024)
# GPPS 2024 was redesigned and is not trend-comparable with 2018-2023 (Ipsos,
# GPPS 2024 technical annex); its CSV uses descriptive names (`overallexp.pcteval`).
REDESIGN_YEARS = range(2024, 2031)


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    population: str
    higher_is_better: bool
    # Published BJGP 2025 odds ratio per +1 FTE per 50,000 (estimate, low, high).
    published: tuple[float, float, float] | None


OUTCOMES = {
    o.key: o
    for o in (
        Outcome(
            "overall_experience",
            "Good overall experience of the GP practice",
            "all respondents",
            True,
            (1.015, 1.004, 1.027),
        ),
        Outcome(
            "confident_managing_health",
            "Confident managing their own health",
            "people with a long-term condition",
            True,
            (1.006, 1.001, 1.010),
        ),
        Outcome(
            "support_local_services",
            "Enough support from local services to manage their condition",
            "people with a long-term condition",
            True,
            (1.005, 1.001, 1.008),
        ),
        Outcome(
            "mental_health_understood",
            "Mental health needs recognised or understood at last appointment",
            "people with mental health needs",
            True,
            (1.012, 1.003, 1.021),
        ),
        Outcome(
            "isolation",
            "Felt isolated from others in the last 12 months",
            "all respondents",
            False,
            None,
        ),
    )
}

# (outcome, survey years, pct column candidates, base column candidates).
# Redesign base names are an assumption: `<item>.baseeval` is the unweighted
# base of the evaluative %, with `.baseevalw` and `.base` as fallbacks; the
# other outcomes are not mapped for 2024+ until checked against a codebook.
COLUMN_MAP: list[tuple[str, range, tuple[str, ...], tuple[str, ...]]] = [
    ("overall_experience", CLASSIC_YEARS, ("q28_12pct",), ("q28base",)),
    (
        "overall_experience",
        REDESIGN_YEARS,
        ("overallexp.pcteval",),
        ("overallexp.baseeval", "overallexp.baseevalw", "overallexp.base"),
    ),
    ("confident_managing_health", CLASSIC_YEARS, ("q94_12pct",), ("q94_1234base", "q94base")),
    ("support_local_services", CLASSIC_YEARS, ("q32_12pct",), ("q32_123base", "q32base")),
    ("mental_health_understood", CLASSIC_YEARS, ("q87_12pct",), ("q87_123base", "q87base")),
    ("isolation", CLASSIC_YEARS, ("q91_3pct",), ("q91base",)),
]

PRACTICE_CODE = ("practice_code", "ad_practicecode")


def columns_for(outcome: str, year: int) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The (pct, base) column candidates for an outcome in a survey year, if mapped."""
    for key, years, pct, base in COLUMN_MAP:
        if key == outcome and year in years:
            return pct, base
    return None
