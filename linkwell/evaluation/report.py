"""report.html: one self-contained page that a non-statistician can read.

Figures are embedded as base64 PNG so the file can be emailed on its own.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from linkwell.evaluation import plots
from linkwell.evaluation.models import OutcomeResult
from linkwell.evaluation.outcomes import OUTCOMES
from linkwell.evaluation.pipeline import Evaluation

_STYLE = """
body{font-family:Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#212b32}
h1,h2{color:#005eb8} table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
td,th{border:1px solid #d8dde0;padding:.3rem .6rem;text-align:left} th{background:#f0f4f5}
.finding{border-left:6px solid #005eb8;padding:.2rem 1rem;margin:1rem 0;background:#f0f4f5}
img{max-width:100%} small{color:#4c6272}
"""


def _percent(odds_ratio: float) -> str:
    return f"{100 * (odds_ratio - 1):+.1f}%"


def _image(figure, path: Path, alt: str) -> str:
    """Save the figure next to the report and embed the same PNG in it."""
    if figure is None:
        return "<p>Not enough variation in timing for an event study.</p>"
    image = plots.png(figure)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)
    data = base64.b64encode(image).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _finding(result: OutcomeResult, typical: float) -> str:
    outcome = OUTCOMES[result.outcome]
    fit, linear = result.logit, result.linear
    clear = fit["ci_low"] > 1 or fit["ci_high"] < 1
    verdict = (
        "The range does not include “no change”, so chance alone is an unlikely explanation."
        if clear
        else "The range includes “no change”: these data cannot tell an effect apart from none."
    )
    direction = "" if outcome.higher_is_better else " (for this outcome, higher is worse)"
    published = outcome.published
    compare = (
        f"The BJGP 2025 national study found {published[0]:.3f} "
        f"({published[1]:.3f} to {published[2]:.3f})."
        if published
        else "The BJGP 2025 national study found no clear effect on this outcome."
    )
    return f"""
<div class="finding"><h3>{escape(outcome.label)} <small>({escape(result.group)})</small></h3>
<p>For each extra full-time link worker per 50,000 patients, the odds that people answered
this way were <strong>{_percent(fit["odds_ratio"])}</strong>{direction}
(odds ratio {fit["odds_ratio"]:.3f}; 95% range {fit["ci_low"]:.3f} to {fit["ci_high"]:.3f}).
In plain numbers that is about {linear["pp_change"]:+.2f} percentage points per extra
link worker per 50,000 patients; at the latest average exposure ({typical:.1f} per 50,000)
about {typical * linear["pp_change"]:+.2f} points. {verdict}</p>
<p>{compare}</p>
<p><small>{fit["n_practices"]:,} practices, {fit["n_respondents"]:,} answers,
survey years {", ".join(map(str, fit["years"]))}.</small></p></div>"""


def _table(rows: list[dict], columns: list[str]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(r.get(c, '') or ''))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


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


def write_report(evaluation: Evaluation, out: Path) -> Path:
    panel, results = evaluation.panel, evaluation.results
    latest = panel[panel["year"] == panel["year"].max()]
    typical = float(latest.drop_duplicates("practice_code")["fte_per_50k"].mean())
    ledger = evaluation.ledger.as_dict()
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Link worker impact evaluation</title><style>{_STYLE}</style></head><body>
<h1>Did more social prescribing link workers go with better patient experience?</h1>
<p>This report relates how many link workers each Primary Care Network (PCN) had, per 50,000
registered patients, to what that PCN's patients said in the GP Patient Survey, comparing
each practice with itself over the years and allowing for changes that hit every practice
at once (such as the pandemic). It shows <em>association</em>: practices that gained link
workers sooner are compared with those that gained them later. It cannot rule out other
changes that came with link workers.</p>
<h2>Findings</h2>
{"".join(_finding(r, typical) for r in results)}
<h2>Estimates at a glance</h2>
<p>Each dot is the odds ratio with its 95% range; 1 means no difference. Grey squares are the
published BJGP 2025 estimates (4.1 million respondents, 2018-2023).</p>
{_image(plots.coefficients(results), out / "plots" / "coefficients.png", "Odds ratios")}
<h2>Link workers over time</h2>
{
        _image(
            plots.exposure_over_time(evaluation.exposure.national, panel),
            out / "plots" / "exposure.png",
            "Link worker FTE over time",
        )
    }
<h2>Before and after link workers arrived (event study)</h2>
<p>Change in the share answering positively, year by year around the first survey year in
which a PCN reached the adoption threshold, compared with PCNs not yet there
(Sun and Abraham's method). Flat lines before zero support the comparison.</p>
{_image(plots.event_studies(results), out / "plots" / "event_study.png", "Event study")}
<h2>By deprivation</h2>
{_heterogeneity(results)}
<h2>What was left out, and why</h2>
{_table(ledger["exclusions"], ["reason", "rows", "unit", "file", "year", "column"])}
<h2>Notes</h2><ul>{"".join(f"<li>{escape(n)}</li>" for n in ledger["notes"])}</ul>
<h2>Method</h2>
<p>Grouped-binomial logistic regression of practice-year counts (share answering positively
times respondents) on link worker FTE per 50,000 patients, with practice and survey-year fixed
effects and standard errors clustered by PCN; the respondent-level logit used by the BJGP 2025
study gives the same estimate when the exposure is measured per practice. Counts from the
published practice tables are the weighted share times the respondent base.
Exposure for each survey year is from the census listed in results.json.</p>
</body></html>"""
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
