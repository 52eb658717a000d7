"""Cohort change for reporting: people with both a baseline and a follow-up score (no Django).

Mean change with a 95% confidence interval from the t distribution, the paired t-test, the
effect size and the share who improved. The effect size is Cohen's d for paired data, d_z:
the mean of the differences divided by their standard deviation (Cohen 1988, Statistical
Power Analysis for the Behavioral Sciences, 2nd ed., §2.3.5; Lakens 2013, Front Psychol 4:863,
equation 6). It is not d_av (which divides by the average of the two SDs): d_z is the one that
matches the paired test, so it is what a power calculation for a repeat evaluation needs.
"""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from scipy import stats


@dataclass(frozen=True)
class CohortChange:
    n: int
    mean_baseline: float | None
    mean_follow_up: float | None
    mean_change: float | None  # follow-up − baseline
    ci_low: float | None
    ci_high: float | None
    t: float | None
    p_value: float | None  # two-sided paired t-test
    cohen_dz: float | None
    share_improved: float | None  # of the n, the share whose score moved the better way
    effect_size: str = "Cohen's d_z (mean change / SD of changes)"

    def as_dict(self) -> dict:
        return asdict(self)


def paired_change(
    pairs: Sequence[tuple[float, float]], *, higher_is_better: bool = True
) -> CohortChange:
    """`pairs` are (baseline, follow-up) for each person who has both."""
    n = len(pairs)
    if n == 0:
        return CohortChange(0, *([None] * 9))
    base = [float(b) for b, _ in pairs]
    after = [float(a) for _, a in pairs]
    diffs = [a - b for b, a in zip(base, after, strict=True)]
    mean = sum(diffs) / n
    improved = sum(1 for d in diffs if (d > 0 if higher_is_better else d < 0)) / n
    summary = dict(
        n=n,
        mean_baseline=sum(base) / n,
        mean_follow_up=sum(after) / n,
        mean_change=mean,
        share_improved=improved,
    )
    if n < 2:
        return CohortChange(
            **summary, ci_low=None, ci_high=None, t=None, p_value=None, cohen_dz=None
        )
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
    if sd == 0:
        # Everyone changed by the same amount: no spread, so no interval, test or d_z.
        return CohortChange(
            **summary, ci_low=mean, ci_high=mean, t=None, p_value=None, cohen_dz=None
        )
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.975, n - 1)) * se
    t = mean / se
    p = 2 * stats.t.sf(abs(t), n - 1)
    return CohortChange(
        **summary,
        ci_low=mean - half,
        ci_high=mean + half,
        t=t,
        p_value=float(p),
        cohen_dz=mean / sd,
    )
