"""The practice × survey year panel the models fit: counts joined to exposure.

Built in DuckDB so the same SQL runs on national microdata aggregates; only
this small table reaches the models.
"""

from __future__ import annotations

import pandas as pd

from linkwell.evaluation import sql
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.outcomes import OUTCOMES

PANEL_COLUMNS = [
    "practice_code", "pcn_code", "year", "outcome", "group", "n", "successes",
    "fte_per_50k", "census", "imd_quintile",
]  # fmt: skip

_REASONS = {
    "no_census": "survey year has no usable workforce census",
    "no_pcn": "practice is in no payments file with a PCN (no PCN to cluster on)",
    "no_exposure": "no exposure for the practice at that census (no PCN that year, "
    "zero list size, or its PCN was left out)",
}


def build_panel(
    counts: pd.DataFrame,
    practice_exposure: pd.DataFrame,
    census_by_year: dict[int, pd.Period | None],
    clusters: pd.DataFrame,
    *,
    imd: pd.DataFrame | None = None,
    ledger: Ledger,
) -> pd.DataFrame:
    """One row per practice, year, outcome and group, with `fte_per_50k`.

    `counts` has `practice_code, year, outcome, n, successes` and optionally
    `group`; `census_by_year` maps each year to a census or None (pre-scheme: 0).
    """
    if "group" not in counts:
        counts = counts.assign(group=counts["outcome"].map(lambda o: OUTCOMES[o].population))
    years = pd.DataFrame(
        {
            "year": list(census_by_year),
            "census": [
                c.to_timestamp() if c is not None else pd.NaT for c in census_by_year.values()
            ],
            "pre_scheme": [c is None for c in census_by_year.values()],
        }
    )
    imd = imd if imd is not None else pd.DataFrame({"practice_code": [], "imd_quintile": []})
    joined = sql.query(
        """
        SELECT c.practice_code, k.pcn_code, c.year, c.outcome, c."group", c.n, c.successes,
               CASE WHEN y.pre_scheme THEN 0.0 ELSE e.fte_per_50k END AS fte_per_50k,
               y.census, i.imd_quintile,
               CASE WHEN y.year IS NULL THEN 'no_census'
                    WHEN k.pcn_code IS NULL THEN 'no_pcn'
                    WHEN NOT y.pre_scheme AND e.fte_per_50k IS NULL THEN 'no_exposure'
               END AS excluded
        FROM counts c
        LEFT JOIN years y USING (year)
        LEFT JOIN clusters k USING (practice_code)
        LEFT JOIN practice_exposure e
               ON e.practice_code = c.practice_code AND e.census = y.census
        LEFT JOIN imd i USING (practice_code)
        ORDER BY c.outcome, c."group", c.practice_code, c.year
        """,
        counts=counts,
        years=years,
        clusters=clusters,
        practice_exposure=practice_exposure,
        imd=imd,
    )
    dropped = joined.dropna(subset=["excluded"])
    for (reason, outcome, year), rows in (
        dropped.groupby(["excluded", "outcome", "year"]).size().items()
    ):
        ledger.exclude(f"{OUTCOMES[outcome].label}: {_REASONS[reason]}", rows, year=int(year))
    return joined[joined["excluded"].isna()][PANEL_COLUMNS].reset_index(drop=True)
