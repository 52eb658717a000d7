"""The three figures of the report, drawn with matplotlib's file-only backend."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from linkwell.evaluation.models import OutcomeResult  # noqa: E402
from linkwell.evaluation.outcomes import OUTCOMES  # noqa: E402


def png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def exposure_over_time(national: pd.DataFrame, panel: pd.DataFrame):
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.plot(national["census"].dt.to_timestamp(), national["fte"], marker="o")
    left.set_title("Link worker FTE in England, by census")
    left.set_ylabel("Full-time equivalent")
    left.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    left.tick_params(axis="x", labelrotation=45)
    by_year = panel.drop_duplicates(["practice_code", "year"]).groupby("year")["fte_per_50k"].mean()
    right.bar(by_year.index.astype(int), by_year.to_numpy(), color="#005eb8")
    right.set_xticks(by_year.index.astype(int))
    right.set_title("Average exposure of practices, by survey year")
    right.set_ylabel("FTE per 50,000 patients")
    return figure


def coefficients(results: list[OutcomeResult]):
    figure, axis = plt.subplots(figsize=(8, 0.7 * len(results) + 1.2))
    for row, result in enumerate(results):
        fit = result.logit
        axis.errorbar(
            fit["odds_ratio"],
            row,
            xerr=[[fit["odds_ratio"] - fit["ci_low"]], [fit["ci_high"] - fit["odds_ratio"]]],
            fmt="o",
            color="#005eb8",
            label="This run" if row == 0 else None,
        )
        published = OUTCOMES[result.outcome].published
        if published:
            axis.errorbar(
                published[0],
                row - 0.25,
                xerr=[[published[0] - published[1]], [published[2] - published[0]]],
                fmt="s",
                color="#768692",
                label="BJGP 2025" if row == 0 else None,
            )
    axis.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
    axis.set_yticks(range(len(results)))
    axis.set_yticklabels([f"{OUTCOMES[r.outcome].label}\n({r.group})" for r in results], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel("Odds ratio per +1 link worker FTE per 50,000 patients (95% CI)")
    axis.legend(loc="lower right", fontsize=8)
    return figure


def event_studies(results: list[OutcomeResult]):
    shown = [r for r in results if r.event_study is not None]
    if not shown:
        return None
    figure, axes = plt.subplots(
        1, len(shown), figsize=(3.4 * len(shown), 3.2), sharey=False, squeeze=False
    )
    for axis, result in zip(axes[0], shown, strict=True):
        table = result.event_study
        axis.fill_between(table.index, table["ci_low"], table["ci_high"], alpha=0.25)
        axis.plot(table.index, table["estimate"], marker="o")
        axis.axhline(0, color="black", linewidth=0.8)
        axis.axvline(-0.5, color="grey", linewidth=0.8, linestyle=":")
        axis.set_title(f"{OUTCOMES[result.outcome].label}\n({result.group})", fontsize=8)
        axis.set_xlabel("Years since the PCN's link workers arrived")
    axes[0][0].set_ylabel("Change, percentage points (95% CI)")
    return figure
