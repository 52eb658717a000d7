"""Exposure: FTE per 50,000 by PCN and census, given to practices, aligned to survey years."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwell.evaluation import exposure
from linkwell.evaluation.ledger import Ledger
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
    zero = exposure.practice_exposure(pcns, payments, ledger=ledger, absent_pcn="zero")
    assert any(e.rows >= 1 and "0 registered patients" in e.reason for e in ledger.exclusions)
    assert any("counted as 0" in n for n in ledger.notes)
    missing_ledger = Ledger()
    missing = exposure.practice_exposure(
        pcns, payments, ledger=missing_ledger, absent_pcn="missing"
    )
    absent_rows = len(zero) - len(missing)
    assert absent_rows > 0
    assert [e.rows for e in missing_ledger.exclusions if "no record" in e.reason] == [absent_rows]


CENSUSES = [pd.Period(p, "M") for p in ["2020-03", "2020-12", "2021-12", "2022-09"]]


def test_survey_year_takes_the_census_before_fieldwork(ledger):
    chosen = exposure.census_for_survey_years(
        CENSUSES, [2018, 2019, 2020, 2021, 2022, 2023], ledger=ledger
    )
    assert chosen[2018] is None and chosen[2019] is None  # before the scheme: 0 FTE
    assert 2020 not in chosen  # no census before January 2020
    assert chosen[2021] == pd.Period("2020-12", "M")
    assert chosen[2023] == pd.Period("2022-09", "M")
    assert any("Survey year 2020 left out" in n for n in ledger.notes)


def test_offset_moves_the_cut_off_into_fieldwork(ledger):
    chosen = exposure.census_for_survey_years(CENSUSES, [2020], ledger=ledger, offset_months=2)
    assert chosen == {2020: pd.Period("2020-03", "M")}


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
    if chosen.get(year) is not None:
        assert chosen[year] <= cutoff and (cutoff - chosen[year]).n <= 6
        assert not [c for c in periods if chosen[year] < c <= cutoff]
