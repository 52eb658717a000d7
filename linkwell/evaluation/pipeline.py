"""From the public files to fitted models: the steps both CLI commands share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from linkwell.evaluation import covariates as covariates_
from linkwell.evaluation import exposure as exposure_
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.exposure import WAVE_WITHOUT_CENSUS, Wave
from linkwell.evaluation.gpps import load_gpps
from linkwell.evaluation.imd import load_imd
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.microdata import aggregate_microdata
from linkwell.evaluation.models import OutcomeResult, Settings, Variant, fit_all
from linkwell.evaluation.panel import build_panel
from linkwell.evaluation.payments import load_payments
from linkwell.evaluation.workforce import load_workforce, national_totals

STUDY_YEARS = range(2018, 2024)


@dataclass
class Exposure:
    national: pd.DataFrame  # census, fte, pcns
    pcns: pd.DataFrame
    practices: pd.DataFrame  # with pcn_status; absent PCNs not yet treated
    payments: pd.DataFrame
    absent: pd.DataFrame  # per census: PCNs and practices with no record, and shares


@dataclass
class Evaluation:
    exposure: Exposure
    panel: pd.DataFrame  # the main analysis's panel, absent-PCN treatment applied
    results: list[OutcomeResult]
    waves: dict[int, Wave]
    absent_pcn: str
    source: str  # "practice tables" (published GPPS CSVs) or "respondent file"
    ledger: Ledger = field(default_factory=Ledger)


def build_exposure(workforce_dir: Path, payments_dir: Path, *, ledger: Ledger) -> Exposure:
    workforce = load_workforce(workforce_dir, ledger=ledger)
    payments = load_payments(payments_dir, ledger=ledger)
    pcns = exposure_.pcn_exposure(workforce, payments, ledger=ledger)
    practices = exposure_.practice_exposure(pcns, payments, ledger=ledger)
    return Exposure(
        national_totals(workforce),
        pcns,
        practices,
        payments,
        exposure_.absent_share(practices),
    )


def _variants(
    waves: dict[int, Wave], absent_pcn: str, covariates: tuple[str, ...], available: tuple[str, ...]
) -> Callable[[pd.DataFrame], tuple[Variant, ...]]:
    """The sensitivity analyses for one outcome's slice of the untreated panel."""
    other = next(k for k in exposure_.ABSENT_PCN if k != absent_pcn)
    fallback = [y for y, w in waves.items() if w.used and w.rule in WAVE_WITHOUT_CENSUS.values()]

    def variants(raw: pd.DataFrame) -> tuple[Variant, ...]:
        main = exposure_.treat_absent_pcns(raw, absent_pcn)
        out = [
            Variant(
                f"PCNs with no record in a census {exposure_.ABSENT_PCN[other]}",
                exposure_.treat_absent_pcns(raw, other).dropna(subset=list(covariates)),
                covariates,
            )
        ]
        if fallback:
            out.append(
                Variant(
                    f"Survey year {', '.join(map(str, fallback))} left out "
                    "(no census before its fieldwork)",
                    main[~main["year"].isin(fallback)].dropna(subset=list(covariates)),
                    covariates,
                )
            )
        if available and not covariates:
            out.append(
                Variant(
                    f"With practice covariates ({', '.join(available)})",
                    main.dropna(subset=list(available)),
                    available,
                )
            )
        elif covariates:
            out.append(Variant("Without practice covariates", main, ()))
        return tuple(out)

    return variants


def run_evaluation(
    *,
    workforce_dir: Path,
    payments_dir: Path,
    gpps_dir: Path | None = None,
    microdata: Path | None = None,
    groups: tuple[str, ...] = (),
    imd_dir: Path | None = None,
    population_dir: Path | None = None,
    years: Iterable[int] = STUDY_YEARS,
    settings: Settings | None = None,
    census_offset_months: int = 0,
    wave_without_census: str = "fieldwork",
    absent_pcn: str = "missing",
    progress: Callable | None = None,
) -> Evaluation:
    """Load, align, build the panel and fit every model.

    `settings.covariates` (empty, or some of `log_list_size` and
    `share_65_plus`) puts practice covariates in the main model; whichever way,
    the sensitivity table shows the estimate the other way.
    """
    if (gpps_dir is None) == (microdata is None):
        raise EvaluationError("give either GPPS practice files or a respondent file, not both")
    ledger = Ledger()
    years = sorted(set(years))
    exposure = build_exposure(workforce_dir, payments_dir, ledger=ledger)
    if gpps_dir is not None:
        counts = load_gpps(gpps_dir, years=set(years), ledger=ledger)
    else:
        counts = aggregate_microdata(microdata, groups=groups)
        outside = ~counts["year"].isin(years)
        ledger.exclude("respondent rows outside the years chosen", int(outside.sum()))
        counts = counts[~outside]
    present = sorted(int(y) for y in counts["year"].unique())
    censuses = sorted(set(exposure.practices["census"].dt.to_period("M")))
    waves = exposure_.census_for_survey_years(
        censuses,
        present,
        ledger=ledger,
        offset_months=census_offset_months,
        without_census=wave_without_census,
    )
    imd = load_imd(imd_dir) if imd_dir is not None else None
    raw = build_panel(
        counts,
        exposure.practices,
        waves,
        exposure_.latest_pcn(exposure.payments),
        imd=imd,
        ledger=ledger,
    )
    if raw.empty:
        raise EvaluationError(
            "no practice-year is left once survey, exposure and PCN are joined",
            fix="check the GPPS practice codes match the payments files and the years overlap",
        )
    raw = raw.merge(covariates_.list_size(exposure.payments, present), how="left")
    available = [covariates_.LIST_SIZE]
    if population_dir is not None:
        raw = raw.merge(covariates_.age_structure(population_dir, present), how="left")
        available.append(covariates_.AGE_65)
    settings = settings or Settings(heterogeneity=imd is not None)
    unknown = set(settings.covariates) - set(available)
    if unknown:
        raise EvaluationError(
            f"covariate {', '.join(sorted(unknown))} needs its file",
            fix="give --population for share_65_plus",
        )
    panel = exposure_.treat_absent_pcns(raw, absent_pcn, ledger=ledger)
    lacking = panel[list(settings.covariates)].isna().any(axis=1)
    ledger.exclude(
        "no covariate value for the practice that year (not in that payments or population file)",
        int(lacking.sum()),
    )
    panel = panel[~lacking].reset_index(drop=True)
    variants = _variants(waves, absent_pcn, settings.covariates, tuple(available))
    raw_parts = {k: g for k, g in raw.groupby(["outcome", "group"])}
    results = fit_all(
        panel,
        settings,
        variants=lambda part: variants(raw_parts[(part["outcome"].iat[0], part["group"].iat[0])]),
        progress=progress,
    )
    for result in results:
        for reason, rows in result.exclusions.items():
            ledger.exclude(f"{result.outcome} ({result.group}): {reason}", rows)
        if result.event_study is not None:
            for reason, rows in result.event_study.left_out.items():
                ledger.exclude(
                    f"{result.outcome} ({result.group}) event study only: {reason}",
                    rows,
                    action="left out of the event study",
                )
    source = "practice tables" if gpps_dir is not None else "respondent file"
    return Evaluation(exposure, panel, results, waves, absent_pcn, source, ledger)
