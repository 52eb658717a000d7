"""The practice × survey year panel the models fit: counts joined to exposure.

Built in DuckDB so the same SQL runs on national microdata aggregates; only
this small table reaches the models.
"""

from __future__ import annotations

import pandas as pd

from linkwell.evaluation import sql
from linkwell.evaluation.exposure import MIN_PCN_LIST, Wave
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.outcomes import OUTCOMES

PANEL_COLUMNS = [
    "practice_code", "pcn_code", "year", "outcome", "group", "n", "successes",
    "fte_per_50k", "pcn_status", "census", "imd_quintile",
]  # fmt: skip

_REASONS = {
    "no_census": "survey year has no usable workforce census",
    "no_pcn": "practice is in no payments file with a PCN (no PCN to cluster on)",
    "no_exposure": "practice not in a PCN in that year's payments file, or listed with 0 "
    "patients, so it has no exposure at that census",
    "small_list": f"practice's PCN lists fewer than {MIN_PCN_LIST:,} patients in the payments "
    "file, so its rate is not computed",
}


def build_panel(
    counts: pd.DataFrame,
    practice_exposure: pd.DataFrame,
    waves: dict[int, Wave],
    clusters: pd.DataFrame,
    *,
    imd: pd.DataFrame | None = None,
    ledger: Ledger,
) -> pd.DataFrame:
    """One row per practice, year, outcome and group, with `fte_per_50k` and `pcn_status`.

    `counts` has `practice_code, year, outcome, n, successes` and optionally
    `group`; `waves` gives each year's census (None: 0 FTE). Rows whose PCN
    did not report (`pcn_status` = `absent`) keep a missing rate for
    `exposure.treat_absent_pcns`; every other row that cannot be used is
    left out here and counted.
    """
    if "group" not in counts:
        counts = counts.assign(group=counts["outcome"].map(lambda o: OUTCOMES[o].population))
    used = {y: w for y, w in waves.items() if w.used}
    years = pd.DataFrame(
        {
            "year": list(used),
            "census": [
                w.census.to_timestamp() if w.census is not None else pd.NaT for w in used.values()
            ],
            "no_census_yet": [w.census is None for w in used.values()],
        }
    )
    imd = imd if imd is not None else pd.DataFrame({"practice_code": [], "imd_quintile": []})
    joined = sql.query(
        """
        SELECT c.practice_code, k.pcn_code, c.year, c.outcome, c."group", c.n, c.successes,
               CASE WHEN y.no_census_yet THEN 0.0 ELSE e.fte_per_50k END AS fte_per_50k,
               CASE WHEN y.no_census_yet THEN 'reported' ELSE e.pcn_status END AS pcn_status,
               y.census, i.imd_quintile,
               CASE WHEN y.year IS NULL THEN 'no_census'
                    WHEN k.pcn_code IS NULL THEN 'no_pcn'
                    WHEN NOT y.no_census_yet AND e.practice_code IS NULL THEN 'no_exposure'
                    WHEN NOT y.no_census_yet AND e.pcn_status = 'small_list' THEN 'small_list'
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
