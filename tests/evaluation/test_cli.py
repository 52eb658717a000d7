"""`linkwell evaluate` end to end on the real excerpts and synthetic survey files."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from linkwell.evaluation import synthetic
from linkwell.evaluation.cli import main
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.models import Settings
from linkwell.evaluation.outcomes import OUTCOMES
from linkwell.evaluation.pipeline import build_exposure, run_evaluation

from .conftest import FIXTURES

INPUTS = ["--workforce", str(FIXTURES / "pcn_workforce"), "--payments", str(FIXTURES / "payments")]


def test_exposure_prints_national_totals_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "exposure.csv"
    assert main(["exposure", *INPUTS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "census" in printed and "2020-03" in printed and "5.7" in printed
    header = out.read_text().splitlines()[0].split(",")
    assert {"practice_code", "pcn_code", "census", "fte_per_50k", "pcn_splw_fte"} <= set(header)


@pytest.fixture
def gpps_for_fixture_practices(tmp_path):
    """Survey files for the excerpt's practices, drawn with odds ratio 1.2 per FTE."""
    exposure = build_exposure(FIXTURES / "pcn_workforce", FIXTURES / "payments", ledger=Ledger())
    practices = exposure.practices.drop_duplicates("practice_code")[["practice_code", "pcn_code"]]
    rows = [practices.assign(year=y, fte_per_50k=0.5 * max(0, y - 2019)) for y in range(2018, 2024)]
    counts = synthetic.simulate_counts(pd.concat(rows), true_or=1.2, mean_respondents=300, seed=2)
    synthetic.write_gpps_csvs(counts, tmp_path / "gpps")
    return tmp_path / "gpps"


def test_run_writes_results_tables_plots_and_a_self_contained_report(
    tmp_path, gpps_for_fixture_practices
):
    out = tmp_path / "out"
    code = main(
        ["run", "--gpps", str(gpps_for_fixture_practices), *INPUTS,
         "--imd", str(FIXTURES / "imd"), "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    entry = next(o for o in results["outcomes"] if o["outcome"] == "overall_experience")
    for key in ["odds_ratio", "ci_low", "ci_high", "n_practices", "n_respondents", "years"]:
        assert key in entry
    assert entry["ci_low"] < entry["odds_ratio"] < entry["ci_high"]
    # 2022 has no census within six months before fieldwork in the excerpt; 2020 has none
    # before fieldwork and by default takes the March 2020 census, taken during it.
    assert entry["years"] == [2018, 2019, 2020, 2021, 2023]
    waves = {w["survey_year"]: w for w in results["census_by_survey_year"]}
    assert waves[2020]["census"] == "2020-03" and "during fieldwork" in waves[2020]["rule"]
    assert waves[2021]["census"] == "2020-12" and waves[2022]["used"] is False
    assert any("Survey year 2022 left out" in n for n in results["notes"])
    assert any(e["year"] == 2022 for e in results["exclusions"])
    # The percentage points come from the logit (its AME), not from the linear model.
    assert entry["ame_low_pp"] < entry["ame_pp"] < entry["ame_high_pp"]
    assert "robustness_linear_probability_model" in entry and "linear_probability" not in entry
    analyses = [s["analysis"] for s in entry["sensitivity"]]
    assert analyses[0].startswith("Main") and any("0 link worker FTE" in a for a in analyses)
    assert any("2020 left out" in a for a in analyses)
    assert any("covariates" in a for a in analyses)
    for name in ["coefficients.png", "exposure.png"]:
        assert (out / "plots" / name).stat().st_size > 1000
    assert (out / "tables" / "logit.csv").exists()
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and 'src="http' not in html
    assert "BJGP 2025" in html and "What happened to rows" in html
    # The headline outcome leads, then the others in the study's order, not alphabetical.
    order = [html.index(OUTCOMES[key].label) for key in OUTCOMES]
    assert order == sorted(order)
    assert "Which census was used for which survey year" in html
    assert "Robustness check: linear probability model" in html
    assert f"{entry['ame_pp']:+.2f} percentage points" in html
    assert "rescaled to average 1" in html  # what the practice-level model equals


def test_missing_folder_is_a_clear_error_and_exit_code_2(tmp_path, capsys):
    code = main(["exposure", "--workforce", str(tmp_path / "nope"), "--payments", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "nope" in err and "does not exist" in err and "Fix:" in err


def test_importing_and_running_help_does_not_import_django():
    script = (
        "import sys, contextlib, io\n"
        "import linkwell.evaluation.cli as cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])\n"
        "import linkwell.evaluation.pipeline, linkwell.evaluation.report\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_module_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "linkwell.evaluation", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "linkwell evaluate run" in done.stdout


def test_covariates_option_adjusts_the_main_model_and_shows_it_without(
    gpps_for_fixture_practices,
):
    evaluation = run_evaluation(
        workforce_dir=FIXTURES / "pcn_workforce",
        payments_dir=FIXTURES / "payments",
        gpps_dir=gpps_for_fixture_practices,
        years=[2020, 2021, 2023],
        settings=Settings(covariates=("log_list_size",), event_study="none", heterogeneity=False),
    )
    result = evaluation.results[0]
    assert result.outcome == "overall_experience"  # the headline leads
    assert result.logit["covariates"] == ["log_list_size"]
    main, *others = result.sensitivity
    [without] = [s for s in others if s["analysis"] == "Without practice covariates"]
    assert without["odds_ratio"] != main["odds_ratio"]
    # Without 2020 only 2023 has a list size here (no 2020-21 payments file): the
    # sensitivity row says so instead of stopping the run.
    [no_2020] = [s for s in others if "2020 left out" in s["analysis"]]
    assert "more than one survey year" in no_2020["not_estimable"]
    with pytest.raises(EvaluationError, match="share_65_plus"):
        run_evaluation(
            workforce_dir=FIXTURES / "pcn_workforce",
            payments_dir=FIXTURES / "payments",
            gpps_dir=gpps_for_fixture_practices,
            settings=Settings(covariates=("share_65_plus",)),
        )


def test_the_exposure_table_carries_no_live_formula(tmp_path):
    # A practice code from the payments file that starts "=" must not reach a spreadsheet
    # as a formula.
    inputs = []
    for folder in ("pcn_workforce", "payments"):
        copy = tmp_path / folder
        copy.mkdir()
        for source in (FIXTURES / folder).iterdir():
            if source.suffix == ".csv":
                text = source.read_text(encoding="cp1252").replace(",J81039,", ',"=J81039",')
                (copy / source.name).write_text(text, encoding="cp1252")
            else:
                (copy / source.name).write_bytes(source.read_bytes())
        inputs += [f"--{folder.split('_')[-1]}", str(copy)]
    out = tmp_path / "exposure.csv"
    assert main(["exposure", *inputs, "--out", str(out)]) == 0
    cells = [c for line in out.read_text().splitlines() for c in line.split(",")]
    assert "'=J81039" in cells and "=J81039" not in cells
