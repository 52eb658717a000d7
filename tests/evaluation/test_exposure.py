"""Exposure: FTE per 50,000 by PCN and census, given to practices, aligned to survey years."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwell.evaluation import exposure
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.panel import build_panel
from linkwell.evaluation.payments import load_payments
from linkwell.evaluation.workforce import load_workforce

from .conftest import FIXTURES

MARCH_2020 = (
    FIXTURES / "pcn_workforce" / "1.Primary Care Networks – March 2020 Individual Level.csv"
)


@pytest.fixture
def loaded(ledger):
    workforce = load_workforce(FIXTURES / "pcn_workforce", ledger=ledger)
    payments = load_payments(FIXTURES / "payments", ledger=ledger)
    return workforce, payments


def test_pcn_rate_is_fte_over_member_list_times_50000(loaded, ledger):
    workforce, payments = loaded
    pcns = exposure.pcn_exposure(workforce, payments, ledger=ledger)
    # By hand from the raw excerpts: SPLW FTE of U02749 in March 2020 and its
    # practices' 2019-20 registered patients.
    raw = pd.read_csv(MARCH_2020, encoding="cp1252")
    fte = raw.query("PCN_CODE == 'U02749' and STAFF_ROLE == 'Social Prescribing Link Workers'")[
        "FTE"
    ].sum()
    listed = pd.read_csv(FIXTURES / "payments" / "19-20.csv").query("`PCN Code` == 'U02749'")
    patients = listed["Number of Registered Patients (Last Known Figure)"].astype(float).sum()
    row = pcns[
        (pcns["pcn_code"] == "U02749") & (pcns["census"] == pd.Timestamp("2020-03-01"))
    ].iloc[0]
    assert row["fte_per_50k"] == pytest.approx(fte / patients * 50_000)


def test_census_without_its_payments_year_uses_the_nearest_and_says_so(loaded, ledger):
    workforce, payments = loaded
    pcns = exposure.pcn_exposure(workforce, payments, ledger=ledger)
    december = pcns[pcns["census"] == pd.Timestamp("2020-12-01")]
    assert set(december["fin_year"]) == {2019}
    assert any("No payments file for 2020-21" in n for n in ledger.notes)


def test_every_member_practice_gets_its_pcn_rate(loaded, ledger):
    workforce, payments = loaded
    pcns = exposure.pcn_exposure(workforce, payments, ledger=ledger)
    practices = exposure.practice_exposure(pcns, payments, ledger=ledger)
    merged = practices.merge(pcns, on=["pcn_code", "census"], suffixes=("", "_pcn"))
    assert len(merged) == len(practices)
    assert (merged["fte_per_50k"] == merged["fte_per_50k_pcn"]).all()


def test_zero_list_practices_and_absent_pcns_are_counted(loaded):
    workforce, payments = loaded
    payments = payments.copy()
    first = payments.index[payments["pcn_code"].notna()][0]
    payments.loc[first, "registered_patients"] = 0
    ledger = Ledger()
    pcns = exposure.pcn_exposure(workforce, payments, ledger=ledger)
    # One PCN drops out of the last census, so its practices have no record there.
    pcns = pcns[~((pcns["pcn_code"] == "U06978") & (pcns["census"] == pd.Timestamp("2022-09-01")))]
    practices = exposure.practice_exposure(pcns, payments, ledger=ledger)
    assert any(e.rows >= 1 and "0 registered patients" in e.reason for e in ledger.exclusions)
    absent = practices["pcn_status"].eq("absent")
    assert set(practices.loc[absent, "pcn_code"]) == {"U06978"}
    assert practices.loc[absent, "fte_per_50k"].isna().all()
    zero_ledger, missing_ledger = Ledger(), Ledger()
    zero = exposure.treat_absent_pcns(practices, "zero", ledger=zero_ledger)
    missing = exposure.treat_absent_pcns(practices, "missing", ledger=missing_ledger)
    assert (zero.loc[absent.to_numpy(), "fte_per_50k"] == 0).all()
    assert len(missing) == len(practices) - absent.sum()
    # The ledger says what happened to those rows, not just that they were "left out".
    [counted] = zero_ledger.exclusions
    [left_out] = missing_ledger.exclusions
    assert counted.rows == left_out.rows == absent.sum()
    assert counted.action.startswith("counted as 0") and left_out.action.startswith("left out")


def test_small_pcn_lists_are_left_out_and_never_given_zero(loaded):
    """A PCN-census dropped for a list under 10,000 used to be zero-filled as "absent"."""
    workforce, payments = loaded
    payments = payments.copy()
    members = payments["pcn_code"].eq("U02749")
    payments.loc[members, "registered_patients"] = 100
    ledger = Ledger()
    pcns = exposure.pcn_exposure(workforce, payments, ledger=ledger)
    small = pcns[pcns["pcn_code"] == "U02749"]
    assert set(small["status"]) == {"small_list"} and small["fte_per_50k"].isna().all()
    [entry] = [e for e in ledger.exclusions if "fewer than 10,000" in e.reason]
    assert entry.action == "rate not computed" and "never given 0 FTE" in entry.reason
    practices = exposure.practice_exposure(pcns, payments, ledger=ledger)
    zero = exposure.treat_absent_pcns(practices, "zero")
    rows = zero[zero["pcn_code"] == "U02749"]
    assert set(rows["pcn_status"]) == {"small_list"} and rows["fte_per_50k"].isna().all()
    waves = {2021: exposure.Wave(pd.Period("2020-12", "M"), "latest census")}
    counts = rows[rows["census"] == pd.Timestamp("2020-12-01")][["practice_code"]].assign(
        year=2021, outcome="overall_experience", n=100, successes=80
    )
    clusters = rows[["practice_code", "pcn_code"]].drop_duplicates()
    panel_ledger = Ledger()
    panel = build_panel(counts, practices, waves, clusters, ledger=panel_ledger)
    assert panel.empty
    assert [e.rows for e in panel_ledger.exclusions if "fewer than 10,000" in e.reason] == [
        len(counts)
    ]


def test_absent_share_per_census(loaded, ledger):
    workforce, payments = loaded
    pcns = exposure.pcn_exposure(workforce, payments, ledger=ledger)
    pcns = pcns[~((pcns["pcn_code"] == "U06978") & (pcns["census"] == pd.Timestamp("2022-09-01")))]
    table = exposure.absent_share(exposure.practice_exposure(pcns, payments, ledger=ledger))
    last = table[table["census"] == pd.Timestamp("2022-09-01")].iloc[0]
    assert last["pcns_absent"] == 1 and last["pcn_share_absent"] == 1 / last["pcns"]
    assert table.loc[table["census"] != pd.Timestamp("2022-09-01"), "pcns_absent"].eq(0).all()


CENSUSES = [pd.Period(p, "M") for p in ["2020-03", "2020-12", "2021-12", "2022-09"]]


def test_survey_year_takes_the_census_before_fieldwork(ledger):
    chosen = exposure.census_for_survey_years(
        CENSUSES, [2018, 2019, 2020, 2021, 2022, 2023], ledger=ledger, without_census="drop"
    )
    assert chosen[2018].census is None and chosen[2019].census is None  # before the scheme
    assert chosen[2018].used and "before the scheme" in chosen[2018].rule
    assert not chosen[2020].used  # no census before January 2020
    assert chosen[2021].census == pd.Period("2020-12", "M")
    assert chosen[2023].census == pd.Period("2022-09", "M")
    assert any("Survey year 2020 left out" in n for n in ledger.notes)


def test_a_year_without_an_earlier_census_follows_the_chosen_rule(ledger):
    fieldwork = exposure.census_for_survey_years(CENSUSES, [2020], ledger=ledger)
    assert fieldwork[2020].census == pd.Period("2020-03", "M")
    assert fieldwork[2020].used and "during fieldwork" in fieldwork[2020].rule
    zero = exposure.census_for_survey_years(CENSUSES, [2020], ledger=ledger, without_census="zero")
    assert zero[2020].used and zero[2020].census is None and "0 FTE" in zero[2020].rule
    # A census after fieldwork ended is no measure of it: the year is left out.
    late = [pd.Period("2020-06", "M"), *CENSUSES[1:]]
    assert not exposure.census_for_survey_years(late, [2020], ledger=ledger)[2020].used
    with pytest.raises(EvaluationError):
        exposure.census_for_survey_years(CENSUSES, [2020], ledger=ledger, without_census="x")


def test_offset_moves_the_cut_off_into_fieldwork(ledger):
    chosen = exposure.census_for_survey_years(CENSUSES, [2020], ledger=ledger, offset_months=2)
    assert chosen[2020].census == pd.Period("2020-03", "M")
    assert chosen[2020].rule.startswith("latest census on or before")


@given(
    censuses=st.lists(st.integers(0, 80), min_size=1, max_size=12, unique=True),
    year=st.integers(2018, 2026),
    offset=st.integers(0, 6),
)
def test_chosen_census_is_never_after_the_cut_off_nor_stale(censuses, year, offset):
    periods = [pd.Period("2019-07", "M") + m for m in censuses]
    chosen = exposure.census_for_survey_years(
        periods, [year], ledger=Ledger(), offset_months=offset
    )
    cutoff = pd.Period(f"{year}-01", "M") + offset
    census = chosen[year].census
    if census is not None and census <= cutoff:
        assert (cutoff - census).n <= 6
        assert not [c for c in periods if census < c <= cutoff]
    elif census is not None:  # the fallback: only with no census before, and within fieldwork
        assert not [c for c in periods if c <= cutoff]
        assert (census - cutoff).n < exposure.FIELDWORK_MONTHS
