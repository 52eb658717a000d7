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


def exposure_over_time(national: pd.DataFrame, absent: pd.DataFrame, panel: pd.DataFrame):
    """Left: national FTE beside the FTE of PCNs that reported in every census (staff
    growth without growth in reporting). Middle: share of PCNs with no record.
    Right: the exposure of the practices analysed, in the survey years used."""
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.8))
    when = national["census"].dt.to_timestamp()
    steady = national.attrs.get("pcns_always_reporting", 0)
    left.plot(when, national["fte"], marker="o", label="All PCNs that reported")
    left.plot(
        when,
        national["fte_always_reporting"],
        marker="s",
        label=f"The {steady:,} PCNs that reported in every census",
    )
    left.set_title("Link worker FTE in England, by census", fontsize=9)
    left.set_ylabel("Full-time equivalent")
    left.legend(fontsize=7)
    share = absent.assign(when=pd.to_datetime(absent["census"]))
    middle.bar(share["when"], 100 * share["pcn_share_absent"], width=60, color="#768692")
    middle.set_title("PCNs with no record in the census", fontsize=9)
    middle.set_ylabel("% of PCNs in the payments file")
    for axis in (left, middle):
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    by_year = panel.drop_duplicates(["practice_code", "year"]).groupby("year")["fte_per_50k"].mean()
    right.bar(by_year.index.astype(int), by_year.to_numpy(), color="#005eb8")
    right.set_xticks(by_year.index.astype(int))
    right.set_title(
        f"Average exposure of the practices analysed, {by_year.index.min()}-{by_year.index.max()}",
        fontsize=9,
    )
    right.set_ylabel("FTE per 50,000 patients")
    figure.tight_layout()
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
        1, len(shown), figsize=(3.6 * len(shown), 3.2), sharey=False, squeeze=False
    )
    for axis, result in zip(axes[0], shown, strict=True):
        table = result.event_study.table
        axis.fill_between(table.index, table["ci_low"], table["ci_high"], alpha=0.25)
        axis.plot(table.index, table["odds_ratio"], marker="o")
        axis.axhline(1, color="black", linewidth=0.8)
        axis.axvline(-0.5, color="grey", linewidth=0.8, linestyle=":")
        axis.set_title(f"{OUTCOMES[result.outcome].label}\n({result.group})", fontsize=8)
        axis.set_xlabel("Survey years since the PCN's first link worker")
    axes[0][0].set_ylabel("Odds ratio vs the year before (95% CI)")
    return figure
