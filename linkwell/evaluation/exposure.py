"""Link worker FTE per 50,000 registered patients, by PCN and census, and per practice.

A PCN's rate at a census is its link worker FTE over the registered patients
of its member practices that financial year (NHS Payments file), × 50,000,
the unit of the BJGP 2025 study. Each practice takes its PCN's rate.
"""

from __future__ import annotations

import pandas as pd

from linkwell.evaluation import sql
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.ledger import Ledger

PER_PATIENTS = 50_000
# PCNs normally serve 30,000-50,000 patients (NHS England, Network Contract DES
# specification 2019/20, s.4.1). A list far below that means the payments file
# maps only part of the PCN (codes changed mid-year), and dividing by it would
# inflate the rate tens of times over, so such PCN-censuses are left out.
MIN_PCN_LIST = 10_000
# Link workers were first funded through PCNs from 1 July 2019 (Network
# Contract DES, Additional Roles Reimbursement Scheme), so surveys fielded
# before then had none by definition.
SCHEME_START = pd.Period("2019-07", "M")


def _payments_year_for(censuses: pd.Series, available: list[int], ledger: Ledger) -> pd.Series:
    """The financial year (April-March) of each census, or the nearest year on file."""
    wanted = censuses.dt.year - (censuses.dt.month < 4).astype(int)
    chosen = {}
    for year in sorted(set(wanted)):
        nearest = min(available, key=lambda y: (abs(y - year), -y))
        if nearest != year:
            ledger.note(
                f"No payments file for {year}-{(year + 1) % 100:02d}; list sizes and PCN "
                "membership for censuses in that year come from "
                f"{nearest}-{(nearest + 1) % 100:02d}."
            )
        chosen[year] = nearest
    return wanted.map(chosen)


def pcn_exposure(
    workforce: pd.DataFrame, payments: pd.DataFrame, *, ledger: Ledger
) -> pd.DataFrame:
    """`pcn_code`, `census`, `splw_fte`, `registered_patients`, `fte_per_50k`, `fin_year`."""
    with_pcn = payments.dropna(subset=["pcn_code"])
    if with_pcn.empty:
        raise EvaluationError(
            "no payments file has a PCN column, so practices cannot be linked to PCNs",
            column="PCN Code",
            fix="add payments files from 2019-20 onward",
        )
    census = workforce["census"].dt.to_timestamp()
    staffed = workforce.assign(
        census=census,
        fin_year=_payments_year_for(census, sorted(with_pcn["fin_year"].unique()), ledger),
    )
    out = sql.query(
        """
        WITH lists AS (
            SELECT pcn_code, fin_year, sum(coalesce(registered_patients, 0)) AS patients
            FROM with_pcn GROUP BY ALL
        )
        SELECT s.pcn_code, s.census, s.splw_fte, s.fin_year,
               l.patients AS registered_patients,
               s.splw_fte / nullif(l.patients, 0) * $per AS fte_per_50k
        FROM staffed s LEFT JOIN lists l USING (pcn_code, fin_year)
        ORDER BY s.census, s.pcn_code
        """,
        params={"per": PER_PATIENTS},
        with_pcn=with_pcn,
        staffed=staffed,
    )
    unmatched = out["registered_patients"].isna()
    ledger.exclude(
        "PCN in the workforce census but not in that year's payments file (code changed or "
        "PCN closed): no list size to divide by",
        int(unmatched.sum()),
        unit="PCN-censuses",
        column="PCN_CODE",
    )
    zero = out["registered_patients"].lt(MIN_PCN_LIST)
    ledger.exclude(
        f"PCN whose member practices list fewer than {MIN_PCN_LIST:,} registered patients "
        "in the payments file (partial or zero list)",
        int(zero.sum()),
        unit="PCN-censuses",
        column="Number of Registered Patients (Last Known Figure)",
    )
    return out[~unmatched & ~zero].reset_index(drop=True)


def practice_exposure(
    pcns: pd.DataFrame, payments: pd.DataFrame, *, ledger: Ledger, absent_pcn: str = "zero"
) -> pd.DataFrame:
    """`practice_code`, `pcn_code`, `census`, `fte_per_50k`, `pcn_in_census`, per census.

    A PCN missing from a census has no staff record of any kind. NHS Digital's
    totals count it as none, so by default (`absent_pcn="zero"`) its practices
    get 0; `"missing"` leaves them out instead. Either way the report counts them.
    """
    if absent_pcn not in {"zero", "missing"}:
        raise ValueError("absent_pcn must be 'zero' or 'missing'")
    censuses = pcns[["census", "fin_year"]].drop_duplicates()
    members = payments.dropna(subset=["pcn_code"])
    out = sql.query(
        """
        SELECT m.practice_code, m.pcn_code, c.census, m.registered_patients,
               p.fte_per_50k, p.pcn_code IS NOT NULL AS pcn_in_census
        FROM censuses c
        JOIN members m ON m.fin_year = c.fin_year
        LEFT JOIN pcns p ON p.pcn_code = m.pcn_code AND p.census = c.census
        ORDER BY c.census, m.practice_code
        """,
        censuses=censuses,
        members=members,
        pcns=pcns,
    )
    no_list = out["registered_patients"].fillna(0).le(0)
    ledger.exclude(
        "practice with 0 registered patients (closed or merged) in the payments file",
        int(no_list.sum()),
        unit="practice-censuses",
        column="Number of Registered Patients (Last Known Figure)",
    )
    out = out[~no_list]
    absent = ~out["pcn_in_census"]
    if absent_pcn == "zero":
        ledger.note(
            f"{int(absent.sum())} practice-censuses belong to a PCN with no record in that "
            "census; counted as 0 link worker FTE, as NHS Digital's totals do."
        )
        out = out.assign(fte_per_50k=out["fte_per_50k"].fillna(0.0))
    else:
        ledger.exclude(
            "practice whose PCN has no record in the census",
            int(absent.sum()),
            unit="practice-censuses",
        )
        out = out[~absent]
    return out.drop(columns="registered_patients").reset_index(drop=True)


def census_for_survey_years(
    censuses: list[pd.Period],
    years: list[int],
    *,
    ledger: Ledger,
    offset_months: int = 0,
    max_age_months: int = 6,
) -> dict[int, pd.Period | None]:
    """The census whose exposure each survey year gets; None means 0 (before the scheme).

    GPPS fieldwork starts in January (Ipsos, GPPS technical annex), so by
    default a year takes the latest census on or before January of that year,
    the last one before fieldwork; `offset_months` moves that cut-off (2 uses
    the March census, mid-fieldwork). A year whose latest census is more than
    `max_age_months` older than the cut-off, or that has none, is left out.
    """
    chosen: dict[int, pd.Period | None] = {}
    for year in years:
        cutoff = pd.Period(f"{year}-01", "M") + offset_months
        if cutoff < SCHEME_START:
            chosen[year] = None
            continue
        earlier = [c for c in censuses if c <= cutoff]
        if not earlier or (cutoff - max(earlier)).n > max_age_months:
            first = min(censuses) if censuses else None
            ledger.note(
                f"Survey year {year} left out: no workforce census in the {max_age_months} "
                f"months up to {cutoff} (first census on file: {first}). Add that census, "
                "or change --census-offset-months."
            )
            continue
        chosen[year] = max(earlier)
    return chosen


def latest_pcn(payments: pd.DataFrame) -> pd.DataFrame:
    """Each practice's most recent PCN, used as its cluster in every year."""
    known = payments.dropna(subset=["pcn_code"]).sort_values("fin_year")
    return known.drop_duplicates("practice_code", keep="last")[["practice_code", "pcn_code"]]
