"""From the public files to fitted models: the steps both CLI commands share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from linkwell.evaluation import exposure as exposure_
from linkwell.evaluation.errors import EvaluationError
from linkwell.evaluation.gpps import load_gpps
from linkwell.evaluation.imd import load_imd
from linkwell.evaluation.ledger import Ledger
from linkwell.evaluation.microdata import aggregate_microdata
from linkwell.evaluation.models import OutcomeResult, Settings, fit_all
from linkwell.evaluation.panel import build_panel
from linkwell.evaluation.payments import load_payments
from linkwell.evaluation.workforce import load_workforce, national_totals

STUDY_YEARS = range(2018, 2024)


@dataclass
class Exposure:
    national: pd.DataFrame  # census, fte, pcns
    pcns: pd.DataFrame
    practices: pd.DataFrame
    payments: pd.DataFrame


@dataclass
class Evaluation:
    exposure: Exposure
    panel: pd.DataFrame
    results: list[OutcomeResult]
    census_by_year: dict[int, pd.Period | None]
    ledger: Ledger = field(default_factory=Ledger)


def build_exposure(
    workforce_dir: Path, payments_dir: Path, *, ledger: Ledger, absent_pcn: str = "zero"
) -> Exposure:
    workforce = load_workforce(workforce_dir, ledger=ledger)
    payments = load_payments(payments_dir, ledger=ledger)
    pcns = exposure_.pcn_exposure(workforce, payments, ledger=ledger)
    practices = exposure_.practice_exposure(pcns, payments, ledger=ledger, absent_pcn=absent_pcn)
    return Exposure(national_totals(workforce), pcns, practices, payments)


def run_evaluation(
    *,
    workforce_dir: Path,
    payments_dir: Path,
    gpps_dir: Path | None = None,
    microdata: Path | None = None,
    groups: tuple[str, ...] = (),
    imd_dir: Path | None = None,
    years: Iterable[int] = STUDY_YEARS,
    settings: Settings | None = None,
    census_offset_months: int = 0,
    absent_pcn: str = "zero",
    progress: Callable | None = None,
) -> Evaluation:
    """Load, align, build the panel and fit every model."""
    if (gpps_dir is None) == (microdata is None):
        raise EvaluationError("give either GPPS practice files or a respondent file, not both")
    ledger = Ledger()
    years = sorted(set(years))
    exposure = build_exposure(workforce_dir, payments_dir, ledger=ledger, absent_pcn=absent_pcn)
    if gpps_dir is not None:
        counts = load_gpps(gpps_dir, years=set(years), ledger=ledger)
    else:
        counts = aggregate_microdata(microdata, groups=groups)
        outside = ~counts["year"].isin(years)
        ledger.exclude("respondent rows outside the years chosen", int(outside.sum()))
        counts = counts[~outside]
    present = sorted(int(y) for y in counts["year"].unique())
    censuses = sorted(set(exposure.practices["census"].dt.to_period("M")))
    census_by_year = exposure_.census_for_survey_years(
        censuses, present, ledger=ledger, offset_months=census_offset_months
    )
    imd = load_imd(imd_dir) if imd_dir is not None else None
    panel = build_panel(
        counts,
        exposure.practices,
        census_by_year,
        exposure_.latest_pcn(exposure.payments),
        imd=imd,
        ledger=ledger,
    )
    if panel.empty:
        raise EvaluationError(
            "no practice-year is left once survey, exposure and PCN are joined",
            fix="check the GPPS practice codes match the payments files and the years overlap",
        )
    settings = settings or Settings(heterogeneity=imd is not None)
    results = fit_all(panel, settings, progress=progress)
    for result in results:
        for reason, rows in result.exclusions.items():
            ledger.exclude(f"{result.outcome} ({result.group}): {reason}", rows)
    return Evaluation(exposure, panel, results, census_by_year, ledger)
