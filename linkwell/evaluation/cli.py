"""`linkwell evaluate exposure|run`: the command-line face of the evaluation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from linkwell import spreadsheets
from linkwell.evaluation.errors import EvaluationError


def _years(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(p) for p in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"years must look like 2018-2023 or 2021,2022: {text!r}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkwell evaluate",
        description="Population impact of social prescribing link workers, from public NHS data.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def inputs(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--workforce",
            type=Path,
            required=True,
            metavar="DIR",
            help="NHS Digital PCN workforce individual-level CSVs",
        )
        sub.add_argument(
            "--payments",
            type=Path,
            required=True,
            metavar="DIR",
            help="NHS Payments to General Practice CSVs (e.g. 22-23.csv)",
        )
        sub.add_argument(
            "--absent-pcn",
            choices=["missing", "zero"],
            default="missing",
            help="a PCN with no record in a census did not report: leave its practices out "
            "for that census (default) or count it as 0 FTE; the report shows both",
        )

    exposure = commands.add_parser(
        "exposure", help="link worker FTE per 50,000 patients by PCN, practice and census"
    )
    inputs(exposure)
    exposure.add_argument(
        "--out", type=Path, metavar="FILE.csv", help="write the PCN- and practice-level table here"
    )

    run = commands.add_parser("run", help="fit the models and write results and report")
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--gpps", type=Path, metavar="DIR", help="GPPS practice-level weighted CSVs, one per year"
    )
    source.add_argument(
        "--microdata",
        type=Path,
        metavar="FILE",
        help="respondent-level Parquet/CSV (approved access only)",
    )
    inputs(run)
    run.add_argument("--imd", type=Path, metavar="DIR", help="IMD by practice (Fingertips 93553)")
    run.add_argument("--out", type=Path, required=True, metavar="DIR")
    run.add_argument(
        "--years",
        type=_years,
        default=list(range(2018, 2024)),
        help="survey years to use (default 2018-2023; 2024+ is a redesigned survey)",
    )
    run.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="FLAG",
        help="respondent flag column to analyse separately, e.g. ltc (microdata)",
    )
    run.add_argument(
        "--census-offset-months",
        type=int,
        default=0,
        metavar="N",
        help="use the latest census up to N months after January of the survey "
        "year (default 0: the census before fieldwork)",
    )
    run.add_argument(
        "--wave-without-census",
        choices=["fieldwork", "zero", "drop"],
        default="fieldwork",
        help="a survey year with no census before its fieldwork (2020): use the census "
        "taken during fieldwork (default), assume 0 FTE, or leave the year out",
    )
    run.add_argument("--fixed-effects", choices=["practice", "pcn"], default="practice")
    run.add_argument(
        "--population",
        type=Path,
        metavar="DIR",
        help="NHS Digital gp-reg-pat-prac-quin-age CSVs (age structure covariate)",
    )
    run.add_argument(
        "--covariates",
        action="store_true",
        help="adjust the main model for practice list size (and share aged 65+ with "
        "--population); the report shows the estimate both ways",
    )
    run.add_argument(
        "--event-study",
        choices=["headline", "all", "none"],
        default="headline",
        help="outcomes to run the (slower) event study for; headline = overall experience",
    )
    return parser


def _exposure(args: argparse.Namespace) -> int:
    from linkwell.evaluation.exposure import treat_absent_pcns
    from linkwell.evaluation.ledger import Ledger
    from linkwell.evaluation.pipeline import build_exposure

    ledger = Ledger()
    exposure = build_exposure(args.workforce, args.payments, ledger=ledger)
    national = exposure.national.assign(census=exposure.national["census"].astype(str))
    print(national.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    if args.out:
        pcn = exposure.pcns.rename(
            columns={"splw_fte": "pcn_splw_fte", "registered_patients": "pcn_registered_patients"}
        )
        practices = treat_absent_pcns(
            exposure.practices, args.absent_pcn, ledger=ledger, unit="practice-censuses"
        )
        table = practices.merge(
            pcn[["pcn_code", "census", "pcn_splw_fte", "pcn_registered_patients"]],
            on=["pcn_code", "census"],
            how="left",
        )
        table["census"] = table["census"].dt.strftime("%Y-%m")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        spreadsheets.frame(table).to_csv(args.out, index=False)
        print(f"\nWrote {len(table):,} practice-census rows to {args.out}")
    for note in ledger.notes:
        print(f"note: {note}", file=sys.stderr)
    for item in ledger.exclusions:
        print(f"{item.action}: {item.rows:,} {item.unit}: {item.reason}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from linkwell.evaluation.covariates import AGE_65, LIST_SIZE
    from linkwell.evaluation.models import Settings
    from linkwell.evaluation.pipeline import run_evaluation
    from linkwell.evaluation.report import write_report
    from linkwell.evaluation.results import write_results, write_tables

    covariates = (LIST_SIZE, AGE_65) if args.population else (LIST_SIZE,)
    settings = Settings(
        unit="practice_code" if args.fixed_effects == "practice" else "pcn_code",
        event_study=args.event_study,
        heterogeneity=args.imd is not None,
        covariates=covariates if args.covariates else (),
    )
    print("Loading files and building the panel…", file=sys.stderr)
    evaluation = run_evaluation(
        workforce_dir=args.workforce,
        payments_dir=args.payments,
        gpps_dir=args.gpps,
        microdata=args.microdata,
        groups=tuple(args.group),
        imd_dir=args.imd,
        population_dir=args.population,
        years=args.years,
        settings=settings,
        census_offset_months=args.census_offset_months,
        wave_without_census=args.wave_without_census,
        absent_pcn=args.absent_pcn,
        progress=lambda items: tqdm(items, desc="Fitting models", unit="outcome", file=sys.stderr),
    )
    write_results(
        evaluation,
        args.out,
        settings={k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    )
    write_tables(evaluation, args.out)
    report = write_report(evaluation, args.out)
    for result in evaluation.results:
        fit = result.logit
        print(
            f"{result.outcome} ({result.group}): OR {fit['odds_ratio']:.3f} "
            f"({fit['ci_low']:.3f}-{fit['ci_high']:.3f}), average marginal effect "
            f"{fit['ame_pp']:+.2f} points ({fit['ame_low_pp']:+.2f} to {fit['ame_high_pp']:+.2f}), "
            f"{fit['n_practices']:,} practices"
        )
    print(f"Wrote {args.out / 'results.json'} and {report}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _exposure(args) if args.command == "exposure" else _run(args)
    except EvaluationError as error:
        print(f"linkwell evaluate: error: {error}", file=sys.stderr)
        return 2
