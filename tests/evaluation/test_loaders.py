"""Loaders read the public files as published: encodings, header drift, suppression."""

import gzip
import shutil

import pandas as pd
import pytest

from linkwell.evaluation import public_csv
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.gpps import load_gpps
from linkwell.evaluation.imd import load_imd
from linkwell.evaluation.payments import financial_year, load_payments
from linkwell.evaluation.workforce import load_workforce, national_totals

from .conftest import FIXTURES


def test_workforce_excerpt_totals_match_a_hand_count(ledger):
    # Summed from the fixture with Python's csv module, reading it as cp1252.
    totals = national_totals(load_workforce(FIXTURES / "pcn_workforce", ledger=ledger))
    assert totals["census"].astype(str).tolist() == ["2020-03", "2020-12", "2022-09"]
    assert totals["fte"].round(4).tolist() == [5.696, 8.8933, 13.04]
    assert totals["pcns"].tolist() == [6, 6, 6]


def test_workforce_file_without_census_columns_is_skipped_and_noted(tmp_path, ledger):
    shutil.copytree(FIXTURES / "pcn_workforce", tmp_path / "wf")
    (tmp_path / "wf" / "pcn_workforce.csv").write_text('"PCN_CODE","Year","FTE"\n"U1",2021,3\n')
    load_workforce(tmp_path / "wf", ledger=ledger)
    assert any("pcn_workforce.csv" in note for note in ledger.notes)


def test_workforce_link_worker_without_fte_names_file_and_column(tmp_path):
    source = (
        FIXTURES / "pcn_workforce" / "1.Primary Care Networks – March 2020 Individual Level.csv"
    )
    text = source.read_bytes().decode("cp1252")
    broken = text.replace(
        "Social Prescribing Link Worker,0.", "Social Prescribing Link Worker,ND", 1
    )
    (tmp_path / "march.csv").write_bytes(broken.encode("cp1252"))
    with pytest.raises(EvaluationError, match=r"march\.csv.*'FTE'.*no numeric FTE"):
        load_workforce(tmp_path)


def test_payments_reads_mislabelled_2022_pcn_column_and_pre_bom_file(ledger):
    payments = load_payments(FIXTURES / "payments", ledger=ledger)
    by_year = {y: g for y, g in payments.groupby("fin_year")}
    assert set(by_year) == {2019, 2022}
    # 22-23 calls the PCN code "Code"; its values are still PCN codes.
    assert by_year[2022]["pcn_code"].dropna().str.match(r"^U\d{5}$").all()
    assert by_year[2022]["pcn_code"].notna().sum() == 30
    # "Unknown or no PCN" is no PCN, not a PCN of that name.
    assert by_year[2019]["pcn_code"].isna().sum() == 1
    with_pcn = by_year[2019].dropna(subset=["pcn_code"])
    assert (with_pcn["registered_patients"] > 0).all()


def test_payments_year_comes_from_the_file_name(tmp_path):
    assert financial_year(tmp_path / "22-23.csv.gz") == 2022
    with pytest.raises(EvaluationError, match="name payments files by financial year"):
        financial_year(tmp_path / "payments-latest.csv")


def test_payments_file_without_list_size_column_is_an_error(tmp_path):
    (tmp_path / "20-21.csv").write_text("Practice Code,PCN Code\nA81001,U12345\n")
    with pytest.raises(EvaluationError, match=r"20-21\.csv, year 2020.*registered patients"):
        load_payments(tmp_path)


def test_imd_quintiles_run_from_least_to_most_deprived():
    imd = load_imd(FIXTURES / "imd")
    assert imd["practice_code"].is_unique
    ordered = imd.sort_values("imd_score")
    assert ordered["imd_quintile"].iloc[0] == 1 and ordered["imd_quintile"].iloc[-1] == 5


def test_suppression_codes_and_letters_become_missing():
    values = pd.Series(["0.85", "-97", "ND", "", "1,234", "*"])
    numbers = public_csv.to_number(values, negative_is_missing=True)
    assert numbers.tolist()[0] == 0.85 and numbers.tolist()[4] == 1234
    assert numbers.isna().tolist() == [False, True, True, True, False, True]


def test_gpps_reads_every_layout_and_counts_suppressed_cells(gpps_dir, ledger):
    counts = load_gpps(gpps_dir, ledger=ledger)
    assert sorted(counts["year"].unique()) == list(range(2018, 2025))
    # 2024 is the redesigned file: only overall experience is mapped there.
    assert set(counts[counts["year"] == 2024]["outcome"]) == {"overall_experience"}
    assert any("no column mapped for survey year 2024" in n for n in ledger.notes)
    assert (counts["successes"] <= counts["n"]).all() and (counts["n"] > 0).all()
    suppressed = [e for e in ledger.exclusions if "suppressed" in e.reason]
    assert suppressed and all(e.file and e.year and e.column for e in suppressed)
    # Upper-case names in 2018-2020 and lower-case later are both found.
    assert {e.column for e in suppressed if e.year == 2018} >= {"Q28_12pct"}


def test_gpps_year_without_the_columns_is_excluded_and_named(gpps_dir, ledger):
    path = gpps_dir / "GPPS_2021_Practice_data_(weighted)_(csv)_PUBLIC.csv"
    frame = pd.read_csv(path).drop(columns=["q28_12pct"])
    frame.to_csv(path, index=False)
    counts = load_gpps(gpps_dir, ledger=ledger)
    assert counts.query("year == 2021 and outcome == 'overall_experience'").empty
    [missing] = [e for e in ledger.exclusions if "no column" in e.reason]
    assert (missing.year, missing.column, missing.rows) == (2021, "q28_12pct", 40)
    assert missing.file == path.name


def test_gpps_without_practice_code_stops_with_the_file_and_a_fix(tmp_path, ledger):
    (tmp_path / "GPPS_2022_Practice_data.csv").write_text("Practice,q28_12pct,q28base\nA,0.8,100\n")
    with pytest.raises(EvaluationError, match=r"(?s)GPPS_2022.*year 2022.*practice code.*Fix"):
        load_gpps(tmp_path, ledger=ledger)


def test_gpps_two_files_for_one_year_is_an_error(gpps_dir, ledger):
    shutil.copy(
        gpps_dir / "GPPS_2021_Practice_data_(weighted)_(csv)_PUBLIC.csv",
        gpps_dir / "GPPS_2021_copy.csv",
    )
    with pytest.raises(EvaluationError, match="two files for survey year 2021"):
        load_gpps(gpps_dir, ledger=ledger)


def test_gpps_percentages_in_0_100_are_rescaled_and_noted(gpps_dir, ledger):
    path = gpps_dir / "GPPS_2022_Practice_data_(weighted)_(csv)_PUBLIC.csv"
    frame = pd.read_csv(path)
    expected = load_gpps(gpps_dir, years={2022}, ledger=ledger)
    frame["q28_12pct"] = frame["q28_12pct"].where(frame["q28_12pct"] < 0, frame["q28_12pct"] * 100)
    frame.to_csv(path, index=False)
    again = load_gpps(gpps_dir, years={2022}, ledger=ledger)
    pd.testing.assert_frame_equal(expected, again)
    assert any("read as percent" in n for n in ledger.notes)


def test_gzipped_gpps_files_read_the_same(gpps_dir, ledger):
    before = load_gpps(gpps_dir, years={2023}, ledger=ledger)
    path = gpps_dir / "GPPS_2023_Practice_data_(weighted)_(csv)_PUBLIC.csv"
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    pd.testing.assert_frame_equal(before, load_gpps(gpps_dir, years={2023}, ledger=ledger))
