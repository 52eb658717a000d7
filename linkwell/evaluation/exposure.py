"""Link worker FTE per 50,000 registered patients, by PCN and census, and per practice.

A PCN's rate at a census is its link worker FTE over the registered patients
of its member practices that financial year (NHS Payments file), × 50,000,
the unit of the BJGP 2025 study. Each practice takes its PCN's rate.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """`pcn_code`, `census`, `splw_fte`, `registered_patients`, `fte_per_50k`, `fin_year`,
    `status` (`reported`, or `small_list` with no rate)."""
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
        "PCN closed): no member practices to give its link workers to",
        int(unmatched.sum()),
        unit="PCN-censuses",
        action="not used",
        column="PCN_CODE",
    )
    out = out[~unmatched].reset_index(drop=True)
    small = out["registered_patients"].lt(MIN_PCN_LIST)
    ledger.exclude(
        f"PCN whose member practices list fewer than {MIN_PCN_LIST:,} registered patients "
        "in the payments file (partial or zero list); its practices are left out for that "
        "census, never given 0 FTE",
        int(small.sum()),
        unit="PCN-censuses",
        action="rate not computed",
        column="Number of Registered Patients (Last Known Figure)",
    )
    return out.assign(
        fte_per_50k=out["fte_per_50k"].where(~small),
        status=pd.Series("reported", index=out.index).where(~small, "small_list"),
    )


ABSENT = "absent"  # pcn_status of a practice whose PCN has no record in the census
ABSENT_PCN = {
    # Why "missing" is the default: a PCN with no record of any staff in a census
    # did not report (the 2020 censuses were the new NWRS collection and covered
    # a fraction of PCNs: NHS Digital, PCN Workforce background notes), not
    # "reported no link workers". Giving it 0 FTE mismeasures the exposure of
    # PCNs that had link workers and pulls the estimate towards no effect; leaving
    # it out assumes only that non-reporting is unrelated to the outcome once each
    # practice is compared with itself. The other treatment runs alongside, so the
    # report shows how much the choice matters.
    "missing": "left out (the PCN did not report)",
    "zero": "counted as 0 link worker FTE (as NHS Digital's national totals do)",
}


def practice_exposure(
    pcns: pd.DataFrame, payments: pd.DataFrame, *, ledger: Ledger
) -> pd.DataFrame:
    """`practice_code`, `pcn_code`, `census`, `fte_per_50k`, `pcn_status`, per census.

    `pcn_status` is `reported` (rate known), `small_list` (rate not computed:
    practice left out) or `absent`: the PCN has no record at all in that census.
    Absent practices keep a missing rate here; `treat_absent_pcns` decides
    what happens to them, so that both treatments can be run from one table.
    """
    censuses = pcns[["census", "fin_year"]].drop_duplicates()
    members = payments.dropna(subset=["pcn_code"])
    out = sql.query(
        """
        SELECT m.practice_code, m.pcn_code, c.census, m.registered_patients,
               p.fte_per_50k, coalesce(p.status, 'absent') AS pcn_status
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
    return out[~no_list].drop(columns="registered_patients").reset_index(drop=True)


def treat_absent_pcns(
    frame: pd.DataFrame, how: str, *, ledger: Ledger | None = None, unit: str = "practice-years"
) -> pd.DataFrame:
    """Apply the absent-PCN treatment (`ABSENT_PCN`) to rows with `pcn_status`."""
    if how not in ABSENT_PCN:
        raise EvaluationError(f"absent-PCN treatment must be one of {', '.join(ABSENT_PCN)}")
    absent = frame["pcn_status"].eq(ABSENT)
    if ledger is not None:
        ledger.exclude(
            "practice's PCN has no record of any staff in that census (did not report)",
            int(absent.sum()),
            unit=unit,
            action=ABSENT_PCN[how],
        )
    if how == "zero":
        return frame.assign(fte_per_50k=frame["fte_per_50k"].where(~absent, 0.0))
    return frame[~absent].reset_index(drop=True)


def absent_share(practices: pd.DataFrame) -> pd.DataFrame:
    """Per census: PCNs and practices in the payments file, how many have no record."""
    work = practices.assign(absent=practices["pcn_status"].eq(ABSENT))
    pcn = work.drop_duplicates(["census", "pcn_code"])
    table = pd.DataFrame(
        {
            "pcns": pcn.groupby("census").size(),
            "pcns_absent": pcn.groupby("census")["absent"].sum(),
            "practices": work.groupby("census").size(),
            "practices_absent": work.groupby("census")["absent"].sum(),
        }
    )
    table["pcn_share_absent"] = table["pcns_absent"] / table["pcns"]
    table["practice_share_absent"] = table["practices_absent"] / table["practices"]
    return table.reset_index()


@dataclass(frozen=True)
class Wave:
    """How one survey year gets its exposure: the census used and the rule that chose it."""

    census: pd.Period | None  # None: 0 FTE (before the scheme, or by the "zero" rule)
    rule: str
    used: bool = True


WAVE_WITHOUT_CENSUS = {
    # A survey year after the scheme began with no census before its fieldwork
    # (2020: the first census is March 2020). Fieldwork runs January to March
    # (Ipsos, GPPS technical annex), so "fieldwork" takes the first census
    # taken during it, which measures exposure while people were answering;
    # "zero" gives 0 FTE (a lower bound: 112 FTE were counted in March 2020);
    # "drop" leaves the year out.
    "fieldwork": "census taken during fieldwork (no earlier census)",
    "zero": "0 FTE assumed (no census yet; a lower bound)",
    "drop": "left out: no census before fieldwork",
}
FIELDWORK_MONTHS = 3  # January to March


def census_for_survey_years(
    censuses: list[pd.Period],
    years: list[int],
    *,
    ledger: Ledger,
    offset_months: int = 0,
    max_age_months: int = 6,
    without_census: str = "fieldwork",
) -> dict[int, Wave]:
    """The census whose exposure each survey year gets, and why (every year, used or not).

    GPPS fieldwork starts in January (Ipsos, GPPS technical annex), so by
    default a year takes the latest census on or before January of that year,
    the last one before fieldwork; `offset_months` moves that cut-off (2 uses
    the March census, mid-fieldwork). A year whose latest census is more than
    `max_age_months` older than the cut-off is left out. A year with no census
    at all before its cut-off follows `without_census` (`WAVE_WITHOUT_CENSUS`).
    """
    if without_census not in WAVE_WITHOUT_CENSUS:
        raise EvaluationError(
            f"the rule for a year without a census must be one of {', '.join(WAVE_WITHOUT_CENSUS)}"
        )
    chosen: dict[int, Wave] = {}
    first = min(censuses) if censuses else None
    for year in years:
        cutoff = pd.Period(f"{year}-01", "M") + offset_months
        if cutoff < SCHEME_START:
            chosen[year] = Wave(None, "before the scheme began (July 2019): 0 FTE")
            continue
        earlier = [c for c in censuses if c <= cutoff]
        if earlier and (cutoff - max(earlier)).n <= max_age_months:
            chosen[year] = Wave(max(earlier), f"latest census on or before {cutoff}")
            continue
        during = [c for c in censuses if cutoff < c < cutoff + FIELDWORK_MONTHS]
        if not earlier and without_census == "fieldwork" and during:
            chosen[year] = Wave(min(during), WAVE_WITHOUT_CENSUS["fieldwork"])
        elif not earlier and without_census == "zero":
            chosen[year] = Wave(None, WAVE_WITHOUT_CENSUS["zero"])
        else:
            reason = (
                f"left out: latest census before {cutoff} is over {max_age_months} months old"
                if earlier
                else f"left out: no census before fieldwork (first on file: {first})"
            )
            chosen[year] = Wave(None, reason, used=False)
            ledger.note(
                f"Survey year {year} left out: no usable workforce census for {cutoff} "
                f"(first census on file: {first}). Add that census, or change "
                "--census-offset-months or --wave-without-census."
            )
    return chosen


def latest_pcn(payments: pd.DataFrame) -> pd.DataFrame:
    """Each practice's most recent PCN, used as its cluster in every year."""
    known = payments.dropna(subset=["pcn_code"]).sort_values("fin_year")
    return known.drop_duplicates("practice_code", keep="last")[["practice_code", "pcn_code"]]
