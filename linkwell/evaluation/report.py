"""report.html: one self-contained page that a non-statistician can read.

Figures are embedded as base64 PNG so the file can be emailed on its own.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import pandas as pd

from linkwell.evaluation import plots
from linkwell.evaluation.exposure import ABSENT_PCN
from linkwell.evaluation.models import OutcomeResult
from linkwell.evaluation.outcomes import OUTCOMES
from linkwell.evaluation.pipeline import Evaluation
from linkwell.evaluation.results import ESTIMAND, waves_table

_STYLE = """
body{font-family:Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#212b32}
h1,h2{color:#005eb8} table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
td,th{border:1px solid #d8dde0;padding:.3rem .6rem;text-align:left} th{background:#f0f4f5}
.finding{border-left:6px solid #005eb8;padding:.2rem 1rem;margin:1rem 0;background:#f0f4f5}
img{max-width:100%} small{color:#4c6272}
"""


def _image(figure, path: Path, alt: str) -> str:
    """Save the figure next to the report and embed the same PNG in it."""
    if figure is None:
        return "<p>Not enough variation in timing for an event study.</p>"
    image = plots.png(figure)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)
    data = base64.b64encode(image).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _verdict(low: float, high: float, null: float) -> str:
    if low > null or high < null:
        return "The range does not include “no change”, so chance alone is an unlikely explanation."
    return "The range includes “no change”: these data cannot tell an effect apart from none."


def _finding(result: OutcomeResult, typical: float) -> str:
    outcome = OUTCOMES[result.outcome]
    fit = result.logit
    direction = "" if outcome.higher_is_better else " (for this outcome, higher is worse)"
    published = outcome.published
    compare = (
        f"The BJGP 2025 national study found an odds ratio of {published[0]:.3f} "
        f"({published[1]:.3f} to {published[2]:.3f}) for 2018-2023."
        if published
        else "The BJGP 2025 national study found no clear effect on this outcome."
    )
    adjusted = (
        f" Adjusted for {', '.join(_COVARIATE_WORDS[c] for c in fit['covariates'])}."
        if fit["covariates"]
        else ""
    )
    return f"""
<div class="finding"><h3>{escape(outcome.label)} <small>({escape(result.group)})</small></h3>
<p>For each extra full-time link worker per 50,000 patients, the share of people answering
this way changed by about <strong>{fit["ame_pp"]:+.2f} percentage points</strong>{direction}
(95% range {fit["ame_low_pp"]:+.2f} to {fit["ame_high_pp"]:+.2f}). At the average exposure in
{fit["years"][-1]} ({typical:.1f} link workers per 50,000) that would be roughly
{typical * fit["ame_pp"]:+.2f} points. In odds, the model's own scale: an odds ratio of
{fit["odds_ratio"]:.3f} (95% range {fit["ci_low"]:.3f} to {fit["ci_high"]:.3f}).
{_verdict(fit["ci_low"], fit["ci_high"], 1.0)}</p>
<p>{compare}</p>
<p><small>{fit["n_practices"]:,} practices, {fit["n_respondents"]:,} answers, survey years
{", ".join(map(str, fit["years"]))}.{adjusted} Percentage points are the logit's average
marginal effect: the change in each respondent's chance of answering this way, averaged over
respondents.</small></p></div>"""


_COVARIATE_WORDS = {
    "log_list_size": "practice list size",
    "share_65_plus": "the share of patients aged 65 or over",
}


def _table(rows: list[dict], columns: list[str], names: dict[str, str] | None = None) -> str:
    if not rows:
        return "<p>None.</p>"
    names = names or {}
    head = "".join(f"<th>{escape(names.get(c, c))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(r.get(c)) if r.get(c) is not None else '')}</td>" for c in columns
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _sensitivity(results: list[OutcomeResult]) -> str:
    """One row per analysis, one column per outcome: percentage points (95% range)."""
    columns = {f"{OUTCOMES[r.outcome].label} ({r.group})": r for r in results}
    analyses = list(dict.fromkeys(s["analysis"] for r in results for s in r.sensitivity))
    rows = []
    for analysis in analyses:
        row = {"analysis": _covariate_names(analysis)}
        for name, result in columns.items():
            found = [s for s in result.sensitivity if s["analysis"] == analysis]
            row[name] = _sensitivity_cell(found[0] if found else None)
        rows.append(row)
    return _table(rows, ["analysis", *columns])


def _sensitivity_cell(row: dict | None) -> str:
    if row is None:
        return "not run"
    if "not_estimable" in row:
        return f"not estimable: {row['not_estimable']}"
    return (
        f"{row['ame_pp']:+.2f} ({row['ame_low_pp']:+.2f} to {row['ame_high_pp']:+.2f}); "
        f"OR {row['odds_ratio']:.3f}"
    )


def _covariate_names(text: str) -> str:
    for name, words in _COVARIATE_WORDS.items():
        text = text.replace(name, words)
    return text


def _absent(evaluation: Evaluation) -> str:
    absent = evaluation.exposure.absent
    rows = [
        {
            "census": row.census.strftime("%b %Y"),
            "PCNs with no record": f"{row.pcns_absent:,} of {row.pcns:,} "
            f"({100 * row.pcn_share_absent:.0f}%)",
            "practices affected": f"{row.practices_absent:,} of {row.practices:,} "
            f"({100 * row.practice_share_absent:.0f}%)",
        }
        for row in absent.itertuples()
    ]
    return _table(rows, list(rows[0]) if rows else [])


def _waves(evaluation: Evaluation) -> str:
    rows = [
        {
            "survey year": w["survey_year"],
            "census used": (
                pd.Period(w["census"], "M").strftime("%B %Y") if w["census"] else "none"
            ),
            "rule": w["rule"],
        }
        for w in waves_table(evaluation)
    ]
    return _table(rows, list(rows[0]) if rows else [])


def _event_study_text(results: list[OutcomeResult]) -> str:
    parts = []
    for result in results:
        study = result.event_study
        if study is None:
            continue
        label = escape(OUTCOMES[result.outcome].label)
        if study.pretrend_p is None:
            test = "There were too few years before adoption to test for earlier trends."
        elif study.pretrend_p < 0.05:
            test = (
                f"Before link workers arrived, adopting practices were already moving apart "
                f"from the comparison practices (joint test p = {study.pretrend_p:.3f}). The "
                "comparison is therefore in doubt for this outcome, and the main estimate "
                "may partly reflect those earlier differences."
            )
        else:
            test = (
                f"Before link workers arrived, adopting practices did not move apart from the "
                f"comparison practices more than chance would explain (joint test of the "
                f"earlier years p = {study.pretrend_p:.2f}). This is consistent with the "
                "comparison being fair, though it cannot prove it."
            )
        cohorts = ", ".join(f"{n:,} in {y}" for y, n in sorted(study.cohorts.items()))
        parts.append(
            f"<p><strong>{label}.</strong> {test} Practices compared with: "
            f"{escape(study.comparison)}. Practices by year their PCN's first link worker was "
            f"counted: {cohorts}.</p>"
        )
    return "".join(parts)


def _heterogeneity(results: list[OutcomeResult]) -> str:
    rows = [
        {
            "outcome": OUTCOMES[r.outcome].label,
            "IMD quintile (5 = most deprived)": h["imd_quintile"],
            "odds ratio (95% range)": (
                f"{h['odds_ratio']:.3f} ({h['ci_low']:.3f} to {h['ci_high']:.3f})"
            ),
        }
        for r in results
        for h in r.heterogeneity
    ]
    if not rows:
        return "<p>Not run (no IMD folder given).</p>"
    return _table(rows, list(rows[0]))


def _linear(results: list[OutcomeResult]) -> str:
    rows = [
        {
            "outcome": OUTCOMES[r.outcome].label,
            "points per extra FTE (95% range)": f"{r.linear['pp_change']:+.2f} "
            f"({r.linear['ci_low']:+.2f} to {r.linear['ci_high']:+.2f})",
        }
        for r in results
    ]
    return _table(rows, list(rows[0]) if rows else [])


def write_report(evaluation: Evaluation, out: Path) -> Path:
    panel, results = evaluation.panel, evaluation.results
    latest = panel[panel["year"] == panel["year"].max()]
    typical = float(latest.drop_duplicates("practice_code")["fte_per_50k"].mean())
    years = sorted(int(y) for y in panel["year"].unique())
    span = (
        f"{years[0]}-{years[-1]}"
        if years == list(range(years[0], years[-1] + 1))
        else (", ".join(map(str, years)))
    )
    ledger = evaluation.ledger.as_dict()
    other = next(k for k in ABSENT_PCN if k != evaluation.absent_pcn)
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Link worker impact evaluation</title><style>{_STYLE}</style></head><body>
<h1>Did more social prescribing link workers go with better patient experience?</h1>
<p>This report relates how many link workers each Primary Care Network (PCN) had, per 50,000
registered patients, to what its practices' patients said in the GP Patient Survey
(survey years {span}), comparing each practice with itself over the years and allowing for
changes that hit every practice at once (such as the pandemic). It shows
<em>association</em>: practices whose PCN gained link workers sooner are compared with those
that gained them later. It cannot rule out other changes that came with link workers.</p>
<h2>Findings</h2>
{"".join(_finding(r, typical) for r in results)}
<h2>How much the choices behind these numbers matter</h2>
<p>Each row is the same model with one choice made the other way: percentage points per
extra full-time link worker per 50,000 patients (95% range), then the odds ratio. If the rows
broadly agree, the finding does not hang on that choice. The main analysis treats a PCN
with no record in a workforce census as {
        escape(ABSENT_PCN[evaluation.absent_pcn])
    }; the other row treats it as
{escape(ABSENT_PCN[other])}.</p>
{_sensitivity(results)}
<h2>Estimates at a glance</h2>
<p>Each dot is this run's odds ratio with its 95% range (survey years {span}); 1 means no
difference. Grey squares are the published BJGP 2025 estimates (4.1 million respondents,
survey years 2018-2023).</p>
{_image(plots.coefficients(results), out / "plots" / "coefficients.png", "Odds ratios")}
<h2>Link workers over time</h2>
<p>NHS Digital's national count of link workers grew partly because more PCNs filled in the
workforce census, not only because PCNs employed more link workers. The left chart shows both
the national total and the total for the PCNs that reported in every census: the second line
is growth in staff alone. The middle chart shows the share of PCNs with no record at all in
each census.</p>
{
        _image(
            plots.exposure_over_time(
                evaluation.exposure.national, evaluation.exposure.absent, panel
            ),
            out / "plots" / "exposure.png",
            "Link worker FTE over time",
        )
    }
<h3>PCNs with no record in a census</h3>
<p>A PCN with no record of any staff in a census did not report; it is not a PCN that
reported no link workers. The main analysis treats it as
{escape(ABSENT_PCN[evaluation.absent_pcn])}: counting it as 0 would understate the exposure of
PCNs that had link workers and pull the estimate towards no effect. The sensitivity table
above shows the estimate the other way.</p>
{_absent(evaluation)}
<h3>Which census was used for which survey year</h3>
<p>The survey is answered from January to March. Each survey year takes the last workforce
census before its fieldwork began. The first census was March 2020, so survey year 2020 has
none before it; the rule for that year is shown below, and the sensitivity table shows the
estimate without it.</p>
{_waves(evaluation)}
<h2>Before and after link workers arrived (event study)</h2>
<p>Odds of answering positively, survey year by survey year around the first survey year in
which a practice's PCN had any link worker, relative to the year just before, estimated with
the same model as the main result (Sun and Abraham's method). Points to the left of the dotted
line test the comparison: if adopting practices were already changing before link workers
arrived, they would sit away from 1.</p>
{_event_study_text(results)}
{_image(plots.event_studies(results), out / "plots" / "event_study.png", "Event study")}
<h2>By deprivation</h2>
{_heterogeneity(results)}
<h2>How this compares with the BJGP 2025 study</h2>
<p>{escape(ESTIMAND[evaluation.source])}</p>
<p>The design is the study's: link worker FTE per 50,000 patients, practice and survey-year
fixed effects, standard errors clustered by PCN, odds ratios per extra FTE. This run differs
where the public files differ: it uses survey years {span}, the workforce censuses listed
above and the absent-PCN treatment stated. The study's figures are shown beside this run's,
not as a check on them.</p>
<h2>Robustness check: linear probability model</h2>
<p>The same comparison fitted as a straight-line model of the share answering positively.
It is shown only to check that the direction agrees; the percentage points in the findings
come from the main (logistic) model.</p>
{_linear(results)}
<h2>What happened to rows that could not be used as they are</h2>
{
        _table(
            [{**e, "rows": f"{e['rows']:,}"} for e in ledger["exclusions"]],
            ["action", "rows", "unit", "reason", "file", "year", "column"],
            {"action": "what happened"},
        )
    }
<h2>Notes</h2><ul>{"".join(f"<li>{escape(n)}</li>" for n in ledger["notes"])}</ul>
<h2>Method</h2>
<p>Grouped-binomial logistic regression of practice-year counts on link worker FTE per 50,000
patients, with practice and survey-year fixed effects and standard errors clustered by PCN.
Percentage points are the model's average marginal effect with a delta-method 95% range.
Every figure here is also in results.json and tables/.</p>
</body></html>"""
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
