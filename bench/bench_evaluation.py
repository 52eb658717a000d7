"""Benchmark `linkwell evaluate run`: respondent-level and practice-level modes.

Run by hand:  .venv/bin/python bench/bench_evaluation.py [--respondents 4100000]
Coverage:     .venv/bin/python bench/bench_evaluation.py --coverage 200

`--coverage N` runs the coverage studies of tests/evaluation/test_methods.py
with N draws each instead of the timing: the average marginal effect's 95%
interval (true OR 1.03, and the null), the linear probability model's under
the null for comparison, the event study's pre-trend test under the null, and
the two absent-PCN treatments when 40% of PCN-years did not report at random.

Practices and exposure come from the real workforce and payments files
(--data, default ../shared/data/nhs-public) and outcomes are simulated with a
known odds ratio. Each mode runs the CLI end to end in a fresh process, which
reports its own wall time and peak RSS. The same run compares the grouped
estimator with the obvious alternative, statsmodels Logit on one row per
respondent with practice and year dummies, on a subset small enough for that
to fit in memory (--compare-practices).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from linkwell.evaluation import exposure as exposure_
from linkwell.evaluation import synthetic
from linkwell.evaluation.event_study import event_study
from linkwell.evaluation.exposure import treat_absent_pcns
from linkwell.evaluation.fe_logit import fit_grouped_logit, quiet_pyfixest
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.microdata import aggregate_microdata
from linkwell.evaluation.models import HEADLINE
from linkwell.evaluation.pipeline import build_exposure, run_evaluation

YEARS = list(range(2018, 2024))
OFFSET = 2  # the March census, so every one of the six years has exposure in these files
# Peak RSS from VmHWM: getrusage's ru_maxrss survives exec on Linux, so a child
# would report the (large) bench process it was forked from.
_CHILD = """
import re, sys, time
from pathlib import Path
from linkwell.evaluation.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))
print(f"BENCH {time.perf_counter() - start:.2f} {peak_kb / 1024:.0f}", file=sys.stderr)
sys.exit(code)
"""


def _cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds (interpreter start included) and peak RSS MB of one CLI run."""
    start = time.perf_counter()
    command = [sys.executable, "-c", _CHILD, *args]  # our own interpreter and script
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"run failed:\n{done.stderr}")
    line = next(x for x in done.stderr.splitlines() if x.startswith("BENCH"))
    return wall, float(line.split()[2])


def _statsmodels_vs_grouped(parquet: Path, panel: pd.DataFrame, practices: int) -> dict:
    import statsmodels.api as sm

    keep = sorted(panel["practice_code"].unique())[:practices]
    subset = duckdb.sql(
        "SELECT practice_code, year, overall_experience FROM read_parquet($path) "
        "WHERE overall_experience IS NOT NULL AND list_contains($keep, practice_code)",
        params={"keep": keep, "path": str(parquet)},
    ).df()
    rows = subset.merge(panel, on=["practice_code", "year"])
    start = time.perf_counter()
    dummies = pd.get_dummies(rows[["practice_code", "year"]].astype(str), drop_first=True)
    design = sm.add_constant(pd.concat([rows[["fte_per_50k"]], dummies.astype(float)], axis=1))
    slow = sm.Logit(rows["overall_experience"], design).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["pcn_code"])[0]}
    )
    statsmodels_s = time.perf_counter() - start
    start = time.perf_counter()
    counts = rows.groupby(["practice_code", "pcn_code", "year", "fte_per_50k"], as_index=False).agg(
        n=("overall_experience", "size"), successes=("overall_experience", "sum")
    )
    fast = fit_grouped_logit(counts, ["fte_per_50k"]).terms.loc["fte_per_50k"]
    grouped_s = time.perf_counter() - start
    return {
        "respondents": len(rows),
        "dummies": design.shape[1],
        "statsmodels_s": statsmodels_s,
        "grouped_s": grouped_s,
        "same_coef": abs(slow.params["fte_per_50k"] - fast["coef"]) < 1e-5,
    }


def _with_absent_pcns(counts: pd.DataFrame, share: float, rng) -> pd.DataFrame:
    keys = counts.loc[counts["year"] > 2019, ["pcn_code", "year"]].drop_duplicates()
    absent = keys[rng.random(len(keys)) < share].assign(absent=True)
    marked = counts.merge(absent, on=["pcn_code", "year"], how="left")
    is_absent = marked["absent"].fillna(False).astype(bool).to_numpy()
    return marked.drop(columns="absent").assign(
        pcn_status=np.where(is_absent, "absent", "reported"),
        fte_per_50k=marked["fte_per_50k"].where(~is_absent),
    )


def coverage(draws: int) -> None:
    """Coverage and size over `draws` synthetic draws (300 practices in 60 PCNs, 2018-2023)."""
    import pyfixest as pf

    small = synthetic.staggered_exposure(300, seed=5)
    large = synthetic.staggered_exposure(1500, seed=9)
    tally = dict.fromkeys(
        ["ame_truth", "ame_zero", "lpm_zero", "pretrend_reject", "missing_cover", "zero_cover"], 0
    )
    missing_or, zero_or = [], []
    start = time.perf_counter()
    for draw in range(draws):
        seed = 10_000 + draw
        effect = synthetic.simulate_counts(small, true_or=1.03, outcomes=[HEADLINE], seed=seed)
        fit = fit_grouped_logit(effect, ["fte_per_50k"]).terms.loc["fte_per_50k"]
        truth = synthetic.true_marginal_effect(effect, 1.03)
        tally["ame_truth"] += fit["ame_low"] <= truth <= fit["ame_high"]
        null = synthetic.simulate_counts(small, true_or=1.0, outcomes=[HEADLINE], seed=seed + 1)
        fit = fit_grouped_logit(null, ["fte_per_50k"]).terms.loc["fte_per_50k"]
        tally["ame_zero"] += fit["ame_low"] <= 0 <= fit["ame_high"]
        with quiet_pyfixest():
            lpm = pf.feols(
                "share ~ fte_per_50k | practice_code + year",
                data=null.assign(share=null["successes"] / null["n"]),
                weights="n",
                vcov={"CRV1": "pcn_code"},
            )
        low, high = lpm.confint().loc["fte_per_50k"]
        tally["lpm_zero"] += low <= 0 <= high
        tally["pretrend_reject"] += event_study(null).pretrend_p < 0.05
        counts = synthetic.simulate_counts(large, true_or=1.10, outcomes=[HEADLINE], seed=seed)
        missed = _with_absent_pcns(counts, 0.4, np.random.default_rng(seed))
        for how, store, key in [
            ("missing", missing_or, "missing_cover"),
            ("zero", zero_or, "zero_cover"),
        ]:
            fit = fit_grouped_logit(treat_absent_pcns(missed, how), ["fte_per_50k"])
            row = fit.terms.loc["fte_per_50k"]
            store.append(row["odds_ratio"])
            tally[key] += row["ci_low"] <= 1.10 <= row["ci_high"]
    print(f"{draws} draws in {time.perf_counter() - start:.0f} s")
    print(f"AME 95% interval covers the true AME (OR 1.03): {tally['ame_truth']}/{draws}")
    print(f"AME 95% interval covers 0 under the null: {tally['ame_zero']}/{draws}")
    print(f"LPM 95% interval covers 0 under the null (for comparison): {tally['lpm_zero']}/{draws}")
    print(
        f"Event study pre-trend test rejects at 5% under the null: {tally['pretrend_reject']}"
        f"/{draws}"
    )
    print(
        "Absent PCNs (40% of PCN-years not reporting at random, true OR 1.10): "
        f"left out: mean OR {np.mean(missing_or):.4f}, covers {tally['missing_cover']}/{draws}; "
        f"counted as 0: mean OR {np.mean(zero_or):.4f}, covers {tally['zero_cover']}/{draws}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=4_100_000)
    parser.add_argument("--compare-practices", type=int, default=300)
    parser.add_argument("--true-or", type=float, default=1.015)
    parser.add_argument("--coverage", type=int, metavar="DRAWS", help="run coverage studies")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nhs-public",
    )
    args = parser.parse_args()
    if args.coverage:
        coverage(args.coverage)
        return
    work = Path(tempfile.mkdtemp(prefix="linkwell-bench-"))

    start = time.perf_counter()
    exposure = build_exposure(args.data / "pcn_workforce", args.data / "payments", ledger=Ledger())
    censuses = sorted(set(exposure.practices["census"].dt.to_period("M")))
    waves = exposure_.census_for_survey_years(
        censuses, YEARS, ledger=Ledger(), offset_months=OFFSET
    )
    panel = synthetic.practice_year_exposure(
        exposure_.treat_absent_pcns(exposure.practices, "zero"),
        exposure_.latest_pcn(exposure.payments),
        waves,
    )
    parquet = work / "respondents.parquet"
    rows = synthetic.write_microdata(
        panel, parquet, true_or=args.true_or, respondents=args.respondents
    )
    counts = aggregate_microdata(parquet)
    synthetic.write_gpps_csvs(counts.drop(columns="group"), work / "gpps")
    print(
        f"Synthetic data: {rows:,} respondents, {panel['practice_code'].nunique():,} practices, "
        f"{len(YEARS)} years (made in {time.perf_counter() - start:.1f} s, not timed below)"
    )

    workforce, payments = args.data / "pcn_workforce", args.data / "payments"
    files = ["--workforce", str(workforce), "--payments", str(payments)]
    files += ["--census-offset-months", str(OFFSET)]
    micro = _cli(["run", "--microdata", str(parquet), *files, "--out", str(work / "micro")])
    practice = _cli(["run", "--gpps", str(work / "gpps"), *files, "--out", str(work / "practice")])
    start = time.perf_counter()
    run_evaluation(
        workforce_dir=workforce,
        payments_dir=payments,
        gpps_dir=work / "gpps",
        census_offset_months=OFFSET,
    )
    in_process = time.perf_counter() - start
    for name, (wall, rss) in [
        ("Respondent-level CLI run (DuckDB → all models → report)", micro),
        ("Practice-level CLI run (GPPS CSVs → all models → report)", practice),
    ]:
        print(f"{name}: {wall:.1f} s wall, peak RSS {rss:,.0f} MB")
    print(f"Practice-level run_evaluation in process (files → fitted models): {in_process:.1f} s")

    compare = _statsmodels_vs_grouped(parquet, panel, args.compare_practices)
    print(
        f"statsmodels Logit with dummies, {compare['respondents']:,} respondents × "
        f"{compare['dummies']:,} columns ({args.compare_practices} practices): "
        f"{compare['statsmodels_s']:.2f} s; grouped fixed-effects logit on the same rows: "
        f"{compare['grouped_s']:.2f} s; "
        f"ratio {compare['statsmodels_s'] / compare['grouped_s']:.0f}x; "
        f"same coefficient: {compare['same_coef']}"
    )
    print(f"Outputs kept in {work}")


if __name__ == "__main__":
    main()
