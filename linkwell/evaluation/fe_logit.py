"""Grouped-binomial logistic regression with fixed effects and clustered errors.

With exposure measured at practice level, a respondent-level logit with
practice and year fixed effects has the same likelihood as a binomial model on
each practice-year's (successes, respondents), so fitting the counts gives the
same estimates from a table thousands of times smaller.

pyfixest's `feglm(family="logit")` takes 0/1 outcomes only and ignores weights
(pyfixest 0.60: "WLS currently not supported for GLM regression"), so the
binomial likelihood is maximised here by iteratively reweighted least squares
(McCullagh & Nelder 1989, s.2.5), each step a weighted least-squares fit
with the fixed effects swept out by pyfixest's demeaner:
    working response  z = eta + (y - mu) / (mu (1 - mu)),  y = successes / n
    working weight    w = n mu (1 - mu).
The converged step is refitted with pyfixest's `feols`, whose clustered
(CRV1) sandwich of that weighted regression is then the
cluster-robust covariance of the logit, because w (z - eta) = successes - n mu
is the logit score and X'WX its information (Wooldridge 2010, s.13.8).
Tests check both against statsmodels' binomial GLM with dummy variables.

Average marginal effect (AME). An odds ratio is not a change in the share
answering positively; the logit's AME is: for each regressor, the mean over
respondents of d P(yes) / d x = beta * mean(mu (1 - mu)), in probability
units. Its delta-method standard error profiles the fixed effects out: when
beta moves, each practice's and year's effect re-adjusts so its score stays
zero, which makes d eta / d beta the regressor with the fixed effects swept
out (x~, the last IRLS step's demeaned X). So the Jacobian of the AMEs is
    J = m I + beta d',  m = sum n mu (1 - mu) / N,
    d = sum n mu (1 - mu) (1 - 2 mu) x~ / N,
and Var(AME) = J V J' with V the clustered covariance of beta (Cameron &
Trivedi 2005, s.14.4.5 for AMEs; Wooldridge 2010, s.15.6.2 for the delta
method). The tests check the AME against statsmodels' Logit.get_margeff and its
interval's coverage of the true AME on synthetic data.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyfixest as pf
from pyfixest.estimation import demean
from scipy.stats import norm

from linkwell.evaluation.errors import EvaluationError

Z95 = norm.ppf(0.975)


@contextmanager
def quiet_pyfixest() -> Iterator[None]:
    """Hide pyfixest's notices that are about pyfixest, not about the user's data:
    pandas deprecations inside it, its "beta" label on the event study, the
    empty cohort × relative-year cells its event-study grid drops, and its
    singleton drops (which the models count and report themselves)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*singleton.*")
        warnings.filterwarnings("ignore", message=".*beta.*")
        warnings.filterwarnings("ignore", message=r"(?s).*dropped due to multicollinearity")
        yield


@dataclass(frozen=True)
class Fit:
    # index: regressor; columns: coef, se, odds_ratio, ci_low, ci_high, p_value,
    # ame, ame_se, ame_low, ame_high (AME in probability units)
    terms: pd.DataFrame
    vcov: pd.DataFrame  # clustered covariance of the coefficients
    n_clusters: int
    n_cells: int
    n_units: int
    n_respondents: int
    dropped_no_variation: int  # units answering all-yes or all-no in every year
    dropped_singletons: int  # units seen in one year only
    iterations: int


def _informative(data: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, int, int]:
    """Drop units a fixed-effects logit cannot use, counting each kind.

    A unit observed once is absorbed by its own effect; one whose answers are
    all positive or all negative has an effect at ±infinity (separation). Both
    carry no information on the slope (Chamberlain 1980).
    """
    by_unit = data.groupby(unit, observed=True)
    cells = by_unit[unit].transform("size")
    share = by_unit["successes"].transform("sum") / by_unit["n"].transform("sum")
    singleton = cells.eq(1)
    flat = ~singleton & share.isin([0.0, 1.0])
    return data[~singleton & ~flat], int(singleton.sum()), int(flat.sum())


def _weighted_least_squares(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Solve the normal equations (x'Wx) b = x'Wy; an SVD least squares only if singular.

    The normal equations take a few small matrix products, where numpy's SVD
    `lstsq` was 30x slower on the shared machine; the clustered refit at the end
    re-estimates the converged step with pyfixest, so no precision rests on this.
    """
    xw = x * w[:, None]
    try:
        return np.linalg.solve(xw.T @ x, xw.T @ y)
    except np.linalg.LinAlgError:
        root = np.sqrt(w)
        return np.linalg.lstsq(x * root[:, None], y * root, rcond=None)[0]


def _average_marginal_effects(
    beta: np.ndarray, vcov: np.ndarray, mu: np.ndarray, n: np.ndarray, swept_x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """AMEs (probability units) and their delta-method standard errors."""
    slope = mu * (1 - mu)
    total = n.sum()
    m = float(np.sum(n * slope) / total)
    d = (n * slope * (1 - 2 * mu)) @ swept_x / total
    jacobian = m * np.eye(len(beta)) + np.outer(beta, d)
    return m * beta, np.sqrt(np.diag(jacobian @ vcov @ jacobian.T))


def fit_grouped_logit(
    data: pd.DataFrame,
    regressors: list[str],
    *,
    fixed_effects: tuple[str, ...] = ("practice_code", "year"),
    cluster: str = "pcn_code",
    ssc: dict | None = None,
    tol: float = 1e-9,
    max_iter: int = 50,
) -> Fit:
    """Odds ratios for `regressors` from columns `successes` and `n` per cell.

    `ssc` is pyfixest's small-sample correction; the default is fixest's
    (G/(G-1) and (N-1)/(N-K), not counting effects nested in clusters).
    """
    data, singletons, flat = _informative(data, fixed_effects[0])
    if data.empty:
        raise EvaluationError(
            "no practice has both answers and more than one survey year",
            fix="include at least two survey years",
        )
    # Integer codes: pyfixest re-encodes the grouping columns on every step,
    # which costs far more on strings.
    data = data[[*regressors, *fixed_effects, cluster, "n", "successes"]].reset_index(drop=True)
    for column in {*fixed_effects, cluster}:
        data[column] = pd.factorize(data[column])[0]
    n = data["n"].to_numpy(float)
    y = data["successes"].to_numpy(float) / n
    mu = (data["successes"].to_numpy(float) + 0.5) / (n + 1.0)
    eta = np.log(mu / (1 - mu))
    X = data[regressors].to_numpy(float)
    groups = data[list(fixed_effects)].to_numpy(np.uint64)
    deviance = np.inf
    for iteration in range(1, max_iter + 1):  # noqa: B007 (reported in Fit.iterations)
        variance = mu * (1 - mu)
        z, w = eta + (y - mu) / variance, n * variance
        # One weighted least-squares step, fixed effects swept out by pyfixest's
        # alternating-projections demeaner (fast enough to call every step).
        swept, _ = demean(np.column_stack([z, X]), groups, w, tol=1e-10)
        beta = _weighted_least_squares(swept[:, 1:], swept[:, 0], w)
        eta = z - (swept[:, 0] - swept[:, 1:] @ beta)
        mu = np.clip(1 / (1 + np.exp(-eta)), 1e-12, 1 - 1e-12)
        new = -2 * np.sum(n * (y * np.log(mu) + (1 - y) * np.log(1 - mu)))
        if abs(new - deviance) < tol * (abs(new) + 0.1):
            break
        deviance = new
    else:
        raise EvaluationError(
            f"the logistic model did not converge in {max_iter} iterations",
            fix="check the exposure varies within practices over time",
        )
    # The clustered covariance comes from pyfixest's feols on the converged step.
    variance = mu * (1 - mu)
    work = data.assign(z=eta + (y - mu) / variance, w=n * variance)
    with quiet_pyfixest():
        model = pf.feols(
            f"z ~ {' + '.join(regressors)} | {' + '.join(fixed_effects)}",
            data=work,
            weights="w",
            vcov={"CRV1": cluster},
            ssc=ssc,
            fixef_tol=1e-10,
            copy_data=False,
        )
    coef = model.coef()[regressors]
    se = model.se()[regressors]
    order = [list(model._coefnames).index(r) for r in regressors]
    vcov = pd.DataFrame(
        np.asarray(model._vcov)[np.ix_(order, order)], index=regressors, columns=regressors
    )
    ame, ame_se = _average_marginal_effects(coef.to_numpy(), vcov.to_numpy(), mu, n, swept[:, 1:])
    terms = pd.DataFrame(
        {
            "coef": coef,
            "se": se,
            "odds_ratio": np.exp(coef),
            # Normal-theory interval on the log-odds scale, as for any ML logit.
            "ci_low": np.exp(coef - Z95 * se),
            "ci_high": np.exp(coef + Z95 * se),
            "p_value": 2 * norm.sf(np.abs(coef / se)),
            "ame": ame,
            "ame_se": ame_se,
            "ame_low": ame - Z95 * ame_se,
            "ame_high": ame + Z95 * ame_se,
        }
    )
    return Fit(
        terms=terms,
        vcov=vcov,
        n_clusters=int(data[cluster].nunique()),
        n_cells=len(data),
        n_units=int(data[fixed_effects[0]].nunique()),
        n_respondents=int(n.sum()),
        dropped_no_variation=flat,
        dropped_singletons=singletons,
        iterations=iteration,
    )
